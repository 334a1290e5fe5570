"""`blueprint validate` imports what validating and rendering need, and no more: not
cfn-lint, and pydantic does not scan the installed distributions for plugins."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT

PROBE = (
    "import sys, json; from generator.cli import main; rc = main(sys.argv[1:]); "
    "import pydantic.plugin._loader as plugins; "
    "print(json.dumps({'rc': rc, 'cfnlint': 'cfnlint' in sys.modules, "
    "'plugins_searched': plugins._plugins is not None}))"
)


def _validate(**env: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "validate", str(ROOT / "blueprint.yaml")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "BLUEPRINT_CACHE_DIR": "off", **env},
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_validate_neither_lints_nor_looks_for_pydantic_plugins() -> None:
    assert _validate() == {"rc": 0, "cfnlint": False, "plugins_searched": False}


def test_a_user_who_names_plugins_keeps_them() -> None:
    """An environment that says which plugins to leave out is left as it is: pydantic
    then searches."""
    found = _validate(PYDANTIC_DISABLE_PLUGINS="some-plugin")
    assert found == {"rc": 0, "cfnlint": False, "plugins_searched": True}
