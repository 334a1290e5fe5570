"""checkov, a scanner nobody here wrote, over every template the tests build.

The expected templates under ``tests/golden/`` (every example, every golden case) and
``templates_out/`` are the templates ``blueprint build`` writes: test_golden.py keeps them
fresh. checkov must fail none of its CloudFormation checks on them, and the skips it
reports must be exactly the reasons ``docs/security.md`` lists (which are exactly the
ones the renderers can write).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.render.scanner import SKIPS

from .conftest import HERE

ROOT = HERE.parent
DOC = ROOT / "docs" / "security.md"
TEMPLATES = sorted((HERE / "golden").rglob("*.json")) + sorted(
    (ROOT / "templates_out").glob("*.json")
)


def _checkov() -> str:
    found = Path(sys.executable).with_name("checkov")
    return str(found) if found.exists() else shutil.which("checkov") or "checkov"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("templates")
    for path in TEMPLATES:
        name = f"{path.parent.name}--{path.name}"
        shutil.copyfile(path, folder / name)
    env = {
        **os.environ,
        # offline: no mapping download, no guidelines, no version check, no upload
        "BC_SKIP_MAPPING": "TRUE",
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "ENABLE_DEFINITION_KEY": "false",
    }
    done = subprocess.run(
        [
            _checkov(),
            "--directory",
            str(folder),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--skip-results-upload",
            "--compact",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    data = json.loads(done.stdout)
    return dict(data[0] if isinstance(data, list) else data)


def test_checkov_fails_nothing_on_any_template(report: dict[str, Any]) -> None:
    summary = report["summary"]
    failed = [
        f"{f['check_id']} {f['file_path']} {f['resource']}: {f['check_name']}"
        for f in report["results"].get("failed_checks", [])
    ]
    assert failed == []
    assert summary["failed"] == 0
    assert summary["parsing_errors"] == 0
    # every template was read: its resources were counted and checks passed on them
    total = sum(len(json.loads(p.read_text())["Resources"]) for p in TEMPLATES)
    assert summary["resource_count"] == total
    assert summary["passed"] > 10 * len(TEMPLATES)


def _documented() -> set[tuple[str, str]]:
    section = DOC.read_text().split("## Checkov skips", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (CKV\w+) \| `([\w-]+)` \| (.+) \|$", section, re.MULTILINE)
    assert rows, "no skip table in docs/security.md"
    assert {key: (check, reason) for check, key, reason in rows} == SKIPS
    return {(check, reason) for check, _, reason in rows}


def test_skips_reported_are_exactly_the_documented_ones(report: dict[str, Any]) -> None:
    reported = {
        (s["check_id"], s["check_result"]["suppress_comment"])
        for s in report["results"].get("skipped_checks", [])
    }
    assert reported == _documented()


def test_every_skip_is_on_a_resource_with_its_reason(report: dict[str, Any]) -> None:
    """A skip names the one resource it applies to: never a whole template or check."""
    for skipped in report["results"].get("skipped_checks", []):
        assert "." in skipped["resource"], skipped["resource"]
    for path in TEMPLATES:
        for logical_id, resource in json.loads(path.read_text())["Resources"].items():
            for entry in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                assert (entry["id"], entry["comment"]) in set(SKIPS.values()), logical_id
