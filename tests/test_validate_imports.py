"""`blueprint validate` imports what validating and rendering need, and no more: not
cfn-lint, nor deploy.sh's modules (validate writes no deploy script), nor the renderer of
a section the blueprint has no entry in, nor the troposphere modules only such renderers
use; and pydantic does not scan the installed distributions for plugins."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.render import stacks
from generator.render.stacks import RENDERERS

from .conftest import ROOT, first_environment

PROBE = (
    "import sys, json; from generator.cli import main; rc = main(sys.argv[1:]); "
    "import pydantic.plugin._loader as plugins; "
    "print(json.dumps({'rc': rc, 'cfnlint': 'cfnlint' in sys.modules, "
    "'plugins_searched': plugins._plugins is not None, 'modules': sorted(sys.modules)}))"
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


@pytest.fixture(scope="module")
def validated() -> dict[str, object]:
    return _validate()


def test_validate_neither_lints_nor_looks_for_pydantic_plugins(
    validated: dict[str, object],
) -> None:
    assert {k: validated[k] for k in ("rc", "cfnlint", "plugins_searched")} == {
        "rc": 0,
        "cfnlint": False,
        "plugins_searched": False,
    }


def test_a_user_who_names_plugins_keeps_them() -> None:
    """An environment that says which plugins to leave out is left as it is: pydantic
    then searches."""
    found = _validate(PYDANTIC_DISABLE_PLUGINS="some-plugin")
    assert {k: found[k] for k in ("rc", "cfnlint", "plugins_searched")} == {
        "rc": 0,
        "cfnlint": False,
        "plugins_searched": True,
    }


def test_validate_imports_none_of_deploy_shs_modules(validated: dict[str, object]) -> None:
    deploy = {f"generator.{p.stem}" for p in (ROOT / "generator").glob("deploy*.py")}
    assert len(deploy) >= 8
    assert "generator.deploy_plan" in deploy
    assert deploy & set(validated["modules"]) == set()  # type: ignore[call-overload]


def _imports(module: str) -> set[str]:
    """The modules importing ``module`` imports, read from its source: its statements at
    module and class level, not those under ``TYPE_CHECKING`` nor inside functions."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return set()
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    found: set[str] = set()
    todo: list[ast.stmt] = list(ast.parse(Path(spec.origin).read_text()).body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if _is_module(f"{base}.{a.name}"))
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            todo.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
    return found | {m.rsplit(".", i)[0] for m in found for i in range(1, m.count(".") + 1)}


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _reached(roots: Iterable[str]) -> set[str]:
    """``roots`` and every generator and troposphere module importing them imports."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            if module.split(".")[0] in {"generator", "troposphere"}:
                todo.extend(_imports(module))
    return seen


def test_validate_imports_no_renderer_of_a_section_the_blueprint_lacks(
    validated: dict[str, object],
) -> None:
    """The default blueprint has no databases, caches, file systems, distributions...:
    their renderers are not imported, nor any troposphere module that only they (and no
    renderer of a section it has, nor troposphere itself) import."""
    data = yaml.safe_load((ROOT / "blueprint.yaml").read_text())
    present = [r for r in RENDERERS if not r.sections or any(data.get(s) for s in r.sections)]
    absent = [r for r in RENDERERS if r not in present]
    kept = _reached(["troposphere", stacks.__name__, *(r.load().__module__ for r in present)])
    skipped = {r.load().__module__ for r in absent} - kept
    spared = {m for m in _reached(skipped) if m.startswith("troposphere.")} - kept
    assert "generator.sections.databases.render" in skipped
    assert {"troposphere.rds", "troposphere.elasticache", "troposphere.cloudfront"} <= spared
    assert (skipped | spared) & set(validated["modules"]) == set()  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "path",
    [ROOT / "blueprint.yaml", *sorted((ROOT / "examples").glob("*.yaml"))],
    ids=lambda p: p.stem,
)
def test_a_renderer_left_out_renders_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each blueprint renders the same templates with every renderer run, those of its
    absent sections too: leaving them out (and unimported) changes nothing."""
    checked = pipeline.check(path, path.name, env=first_environment(path))
    lazily = [s.data for s in pipeline.render_stacks(checked).stacks]
    monkeypatch.setattr(stacks.Renderer, "needed", lambda self, bp: True)
    assert [s.data for s in pipeline.render_stacks(checked).stacks] == lazily
