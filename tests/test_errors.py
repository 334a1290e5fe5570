"""Error cases: each ``errors/NAME.yaml`` is a bad blueprint and ``errors/NAME.expected`` is
the exact text the tool prints for it (file:line:col: path: message, one per line).

Each case holds only the lines its problems need (``python -m tests.minimise FILE`` shrinks
a new one), so a change to one section touches the few cases about it; the cases about
the file itself (``tests.minimise.LOADER_CASES``) are kept as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import HERE, problems_text

CASES = sorted((HERE / "errors").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_error_case(case: Path, update_golden: bool) -> None:
    expected_file = case.with_suffix(".expected")
    got = problems_text(case)
    if update_golden:
        expected_file.write_text(got)
    assert got, f"{case.name} produced no problem at all"
    assert got == expected_file.read_text()


def test_there_are_enough_error_cases() -> None:
    assert len(CASES) >= 15
    missing = [c.name for c in CASES if not c.with_suffix(".expected").exists()]
    assert not missing
