"""The bench's floors: the plain troposphere script makes the very templates a blueprint
builds (so the validate row is compared with the same work), and a row shows its median
over its floor's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import plain
from bench.run import Row, _row
from generator import pipeline

from .conftest import ROOT


def _templates(path: Path) -> list[dict[str, object]]:
    """The templates ``path`` builds: of every environment, for a blueprint that has them."""
    builds = pipeline.render_each(pipeline.check_each(path))
    return [s.data for build in builds for s in build.stacks]


def test_the_plain_troposphere_script_prints_the_built_templates(tmp_path: Path) -> None:
    templates = _templates(ROOT / "blueprint.yaml")
    script = plain.written(templates, tmp_path)  # runs it, and compares what it prints
    text = script.read_text()
    assert "import troposphere.ecs" in text and "import troposphere.rds" not in text
    # troposphere writes tags sorted by key: a template with them in another order is
    # not what the script prints, and the bench says so rather than time other work
    unsorted = {
        "Resources": {
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"Tags": [{"Key": "b", "Value": "1"}, {"Key": "a", "Value": "2"}]},
            }
        }
    }
    with pytest.raises(ValueError, match="does not print the same templates"):
        plain.written([unsorted], tmp_path)


def test_the_libraries_floor_imports_what_the_plain_script_imports_and_the_models_need(
    tmp_path: Path,
) -> None:
    """The floor under a validate that renders: YAML, pydantic's models and the plain
    script's troposphere modules, each imported, nothing run."""
    templates = _templates(ROOT / "blueprint.yaml")
    text = plain.libraries(templates)
    modules = [line for line in plain.script(templates).splitlines() if line.startswith("import ")]
    assert text.splitlines() == ["import yaml", "from pydantic import BaseModel, Field", *modules]
    assert "import troposphere.ecs" in modules and "import json" in modules
    path = tmp_path / "libraries.py"
    path.write_text(text)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True)
    assert done.stdout == ""


@pytest.mark.exhaustive
@pytest.mark.parametrize(
    "example", sorted((ROOT / "examples").glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_example_has_its_plain_troposphere_script(example: Path, tmp_path: Path) -> None:
    plain.written(_templates(example), tmp_path)


def test_a_row_shows_its_median_over_its_floors() -> None:
    floor = Row("floors", "python -c pass", 100.0, 90.0)
    row = _row("command", "blueprint validate", [0.2, 0.25, 0.4], floor)
    assert (row.median_ms, row.min_ms, row.floor, row.times_floor) == (
        250.0,
        200.0,
        "python -c pass",
        2.5,
    )
    assert _row("command", "alone", [0.1]).times_floor is None
