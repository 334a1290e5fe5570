"""Order carries no meaning in a blueprint's mappings and in most of its lists: shuffling
them must not change a single logical ID, nor a single byte of any template."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.pipeline import check, render

from .conftest import HERE, ROOT, first_environment

#: Lists whose order means something: a command line, and subnets given per zone.
ORDERED = re.compile(r"(^|\.)(command|public_subnets|private_subnets)$")

SOURCES = sorted((HERE / "golden").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))


def shuffled(data: Any, rng: random.Random, path: str = "") -> Any:
    if isinstance(data, dict):
        items = list(data.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng, f"{path}.{k}" if path else k) for k, v in items}
    if isinstance(data, list):
        items = [shuffled(v, rng, path) for v in data]
        if not ORDERED.search(path):
            rng.shuffle(items)
        return items
    return data


def files_for(path: Path) -> dict[str, bytes]:
    return render(check(path, "blueprint.yaml", env=first_environment(path))).files


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_shuffling_changes_no_byte(source: Path, tmp_path: Path) -> None:
    original = files_for(source)
    if (source.parent / "files").is_dir():  # files the blueprint names, relative to it
        shutil.copytree(source.parent / "files", tmp_path / "files")
    data = yaml.safe_load(source.read_text())
    changed_order = 0
    for seed in range(5):
        mixed = shuffled(data, random.Random(seed))
        changed_order += mixed != data or list(mixed) != list(data)
        target = tmp_path / f"{seed}.yaml"
        target.write_text(yaml.safe_dump(mixed, sort_keys=False))
        assert files_for(target) == original, f"seed {seed} changed the output"
    assert changed_order, "the shuffle never changed anything; the test proves nothing"
