"""Problem codes: one catalogue (generator/codes.py), one style, every code documented in
docs/errors.md, and every error case reports only catalogued codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.catalogue import CATALOGUE, markdown
from generator.codes import Code
from generator.errors import BlueprintError, InternalError
from generator.model.blueprint import Blueprint
from generator.model.checker import Checker, rule
from generator.pipeline import check, render

from .conftest import HERE, ROOT

STYLE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC = ROOT / "docs" / "errors.md"


def test_every_code_has_the_style_and_an_entry() -> None:
    assert [c for c in Code if not STYLE.match(c.value)] == []
    assert set(CATALOGUE) == set(Code)
    for code, (meaning, example) in CATALOGUE.items():
        assert meaning.endswith("."), code
        assert example and example != "-", code


def test_docs_errors_is_written_from_the_catalogue(update_golden: bool) -> None:
    if update_golden:
        DOC.write_text(markdown())
    text = DOC.read_text()
    assert text == markdown(), "docs/errors.md is stale: run pytest --update-golden"
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, re.M))
    assert listed == {c.value for c in Code}


def _problems(path: Path) -> list[tuple[str, str]]:
    try:
        build = render(check(path, path.name))
    except BlueprintError as exc:
        return [(p.code, p.text()) for p in exc.problems]
    return [(p.code, p.text()) for p in build.warnings]


@pytest.mark.parametrize("case", sorted((HERE / "errors").glob("*.yaml")), ids=lambda p: p.stem)
def test_error_cases_report_catalogued_codes(case: Path) -> None:
    problems = _problems(case)
    assert problems
    for code, text in problems:
        assert code in {c.value for c in Code}, f"{text}: code {code!r} is not catalogued"


def test_a_rule_may_report_only_the_codes_it_declares() -> None:
    bp = Blueprint.model_validate({"name": "x", "region": "eu-west-1"})

    @rule(Code.SERVICE_UNKNOWN)
    def strays(c: Checker) -> None:
        c.error(("services",), "a message", Code.BUCKET_UNKNOWN)

    @rule(Code.SERVICE_UNKNOWN)
    def keeps(c: Checker) -> None:
        c.error(("services",), "a message", Code.SERVICE_UNKNOWN)

    checker = Checker(bp)
    checker.run([keeps])
    assert [i.code for i in checker.issues] == [Code.SERVICE_UNKNOWN]
    with pytest.raises(InternalError, match="bucket-unknown"):
        checker.run([strays])
