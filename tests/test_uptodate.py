"""The warm path: a build whose inputs and output folder are unchanged prints what the last
one printed and imports none of pydantic, troposphere and cfn-lint; anything changed
builds in full."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import runtime, uptodate
from generator.output import MANIFEST
from generator.pipeline import check, render, write
from generator.runtime import Workers

from .conftest import ROOT

HEAVY = ("pydantic", "troposphere", "cfnlint")


def run(folder: Path, cache: Path, *args: str) -> tuple[int, str, str, list[str]]:
    """Exit code, stdout, stderr of `blueprint build` in a fresh interpreter, and which of
    the heavy libraries it imported."""
    code = (
        "import sys; from generator.cli import main; rc = main(sys.argv[1:]); "
        f"print('imported:' + ','.join(m for m in {HEAVY!r} if m in sys.modules), "
        "file=sys.stderr); sys.exit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "build", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"BLUEPRINT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(cache)},
        check=False,
    )
    *err, imported = done.stderr.splitlines(keepends=True)
    names = imported.strip().removeprefix("imported:")
    return done.returncode, done.stdout, "".join(err), names.split(",") if names else []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "rails-ec2-rds.yaml", folder / "blueprint.yaml")
    shutil.copytree(ROOT / "examples" / "files", folder / "files")
    return folder


def test_an_unchanged_build_prints_the_same_and_imports_nothing_heavy(
    project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = run(project, cache)
    assert first[0] == 0 and {"pydantic", "troposphere"} <= set(first[3])
    again = run(project, cache)
    assert again == (0, first[1], first[2], [])
    assert "stack rails-api (ap-northeast-1):" in again[1]


def test_a_changed_input_or_output_builds_in_full(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(project, cache)[0] == 0
    out = project / "templates_out"
    template = out / "rails-api.json"
    good = template.read_bytes()
    # an output file edited by hand: rebuilt, and put back
    template.write_text("{}")
    code, _, _, imported = run(project, cache)
    assert (code, "pydantic" in imported) == (0, True)
    assert template.read_bytes() == good
    # a file the blueprint names: rebuilt, and the change is in the template
    script = project / "files" / "rails-web.sh"
    script.write_text(script.read_text() + "\necho changed\n")
    code, _, _, imported = run(project, cache)
    assert (code, "pydantic" in imported) == (0, True)
    assert template.read_bytes() != good
    assert run(project, cache)[3] == []  # and then warm again
    # another output folder, or other options: their own builds
    assert "pydantic" in run(project, cache, "--out", "elsewhere")[3]
    assert "pydantic" in run(project, cache, "--strict")[3]
    # the blueprint itself
    blueprint = project / "blueprint.yaml"
    blueprint.write_text(blueprint.read_text() + "\n# a comment\n")
    assert "pydantic" in run(project, cache)[3]


def test_no_record_without_a_cache(project: Path, tmp_path: Path) -> None:
    assert run(project, Path("off"))[0] == 0
    assert "pydantic" in run(project, Path("off"))[3]


def test_the_options_of_a_build_are_part_of_its_key() -> None:
    assert uptodate.key("bp.yaml", "out", "json", True) == "bp.yaml\0out\0json\0True"


def test_a_remembered_build_is_recorded_until_what_it_wrote_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(tmp_path / "cache"))
    blueprint, out = tmp_path / "blueprint.yaml", tmp_path / "out"
    shutil.copy(ROOT / "blueprint.yaml", blueprint)
    built = render(check(blueprint, "blueprint.yaml"))
    write(built, out)
    key = uptodate.key("blueprint.yaml", "out", "text", False)
    assert (uptodate.recorded(blueprint, out, key), uptodate.lint_cached(blueprint)) == (
        None,
        False,
    )
    uptodate.remember(blueprint, out, key, built, stdout="said\n", stderr="warned\n")
    record = uptodate.recorded(blueprint, out, key)
    assert record is not None
    assert (record.stdout, record.stderr) == ("said\n", "warned\n")
    assert sorted(record.outputs) == sorted([*built.files, MANIFEST])
    assert uptodate.lint_cached(blueprint)
    other = uptodate.key("blueprint.yaml", "out", "json", False)
    assert uptodate.recorded(blueprint, out, other) is None
    (out / "deploy.sh").write_text("edited")
    assert uptodate.recorded(blueprint, out, key) is None
    # the lint results are still those of these inputs: no workers to start
    with runtime.lint_workers(blueprint) as workers:
        assert workers is None
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", "off")
    assert (uptodate.recorded(blueprint, out, key), uptodate.lint_cached(blueprint)) == (
        None,
        False,
    )
    with runtime.lint_workers(blueprint) as workers:
        assert isinstance(workers, Workers)
