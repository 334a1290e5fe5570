"""docs/architecture.md is the map of generator/: one row per top-level key of the
blueprint, naming files that exist; the sections' rules run in the order they render;
and the size limits that keep each file and function readable at once."""

from __future__ import annotations

import ast
import json
import re

from generator.model.resolve import RULES
from generator.render.stacks import RENDERERS

from .conftest import ROOT

DOC = ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\| `([a-z0-9_]+)` \| (.+) \| (.+) \| (.+) \|$", re.M)
#: Data tables are exempt from the file-length limit: the catalogue of problem codes, and
#: the logical IDs (one line each; every ID the project writes is kept in one file, so that
#: a change to one, a change to the templates' API, is seen in one place).
DATA_TABLES = {"generator/catalogue.py", "generator/naming.py"}


def test_one_row_per_top_level_key_naming_files_that_exist() -> None:
    keys = set(json.loads((ROOT / "blueprint.schema.json").read_text())["properties"])
    rows = {m[0]: m[1:] for m in ROW.findall(DOC.read_text())}
    assert set(rows) == keys
    for key, cells in rows.items():
        files = [f for cell in cells for f in re.findall(r"`(generator/[^`]+\.py)`", cell)]
        assert files, f"row {key} names no file"
        missing = [f for f in files if not (ROOT / f).is_file()]
        assert missing == [], f"row {key} names files that do not exist"


def _section(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["generator", "sections"] else None


def _order(modules: list[str]) -> list[str]:
    out: list[str] = []
    for module in modules:
        section = _section(module)
        if section is not None and section not in out:
            out.append(section)
    return out


def test_rules_run_in_the_order_sections_render() -> None:
    rules = _order([r.run.__module__ for r in RULES])
    renders = [s for s in _order([r.load().__module__ for r in RENDERERS]) if s in rules]
    assert rules == renders


def test_a_section_renderer_is_imported_for_its_own_section() -> None:
    """A renderer imported only for the sections it declares is one of theirs: its
    module's section is among them (the cluster, in ec2_capacity, also serves services
    and jobs)."""
    lazy = [(r.sections, _section(r.load().__module__)) for r in RENDERERS if r.sections]
    assert len(lazy) >= 16
    assert [s for s, section in lazy if section not in s] == []


def test_every_section_package_has_a_model_and_a_renderer() -> None:
    sections = sorted(p for p in (ROOT / "generator" / "sections").iterdir() if p.is_dir())
    assert len(sections) >= 16
    for package in sections:
        if package.name.startswith("__"):
            continue
        assert (package / "model.py").is_file(), package.name
        assert (package / "render.py").is_file(), package.name


def test_files_and_functions_are_short_enough_to_read_at_once() -> None:
    long_files, long_functions = [], []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        text = path.read_text()
        if len(text.splitlines()) > 400 and name not in DATA_TABLES:
            long_files.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                assert node.end_lineno is not None
                if node.end_lineno - first + 1 > 60:
                    long_functions.append(f"{name}:{node.lineno} {node.name}")
    assert long_files == []
    assert long_functions == []


def test_every_package_ships() -> None:
    """`pip install .` (the README's first command) installs only the packages that
    pyproject.toml lists."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "generator").rglob("__init__.py")
    }
    assert found - listed == set()
