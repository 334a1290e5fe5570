"""Hostile input is refused early, with a located message, little memory and no traceback.

How long each refusal takes is measured by ``bench/run.py --hostile``, not asserted here.
"""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from bench.hostile import alias_bomb, deep_block_nesting, deep_nesting, huge_file
from generator.errors import BlueprintError
from generator.pipeline import check

CASES = {
    "alias_bomb": (alias_bomb, "1:15: the document expands to more than 100,000 values"),
    "deep_nesting": (deep_nesting, "3:70: the document nests deeper than 64 levels"),
    "deep_block_nesting": (deep_block_nesting, "the document nests deeper than 64 levels"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_little_memory(case: str, tmp_path: Path) -> None:
    make, expected = CASES[case]
    path = tmp_path / "blueprint.yaml"
    path.write_text(make())
    tracemalloc.start()
    try:
        with pytest.raises(BlueprintError) as exc:
            check(path, "blueprint.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [problem] = exc.value.problems
    assert expected in problem.text()
    assert peak < 64 * 1024 * 1024, f"peak {peak:,} bytes"


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    huge_file(path)
    tracemalloc.start()
    try:
        with pytest.raises(BlueprintError) as exc:
            check(path, "blueprint.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (
        exc.value.problems[0].text()
        == (
            "blueprint.yaml:1:1: the file is 52,428,826 bytes, larger than the 1,000,000 a "
            "blueprint may be"
        )
        or "larger than the 1,000,000" in exc.value.problems[0].text()
    )
    assert peak < 1024 * 1024, "the file was read although its size alone refuses it"


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_exits_nonzero_without_traceback(case: str, tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(CASES[case][0]())
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{path}:")


def test_custom_tags_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\nregion: x\n")
    with pytest.raises(BlueprintError) as exc:
        check(path, "blueprint.yaml")
    assert exc.value.problems[0].text() == (
        "blueprint.yaml:1:7: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
        "allowed: a blueprint is plain data"
    )


def test_custom_scalar_tags_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text("name: !Ref Something\nregion: x\n")
    with pytest.raises(BlueprintError) as exc:
        check(path, "blueprint.yaml")
    assert "could not determine a constructor for the tag '!Ref'" in exc.value.problems[0].text()
