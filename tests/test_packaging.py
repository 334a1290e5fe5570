"""The package as a user installs it: built from the tracked files alone, with no warning
from the build backend, and carrying every shipped example and its files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


def _tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [name for name in out.split("\0") if name]


@pytest.mark.exhaustive
def test_the_wheel_builds_without_warnings_and_ships_the_examples(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for name in _tracked():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    backend = [
        line for line in (built.stdout + built.stderr).splitlines() if "BuildBackendWarning" in line
    ]
    assert backend == []
    [wheel] = tmp_path.glob("blueprint-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    examples = [
        name.removeprefix("examples/")
        for name in _tracked()
        if name.startswith("examples/") and not name.endswith("__init__.py")
    ]
    assert examples
    assert {f"generator/examples/{name}" for name in examples} <= shipped
