"""Shrink error cases to the lines that make their problems.

    python -m tests.minimise tests/errors/NAME.yaml [...]   # rewrites each file in place

A case is minimal when deleting any one block of lines changes what it reports. A block
is a line and everything indented under it: a top-level section, an entry, a key with
its value, a list item, or a comment line. Deletions are tried from the largest block
down; one is kept when the set of (blueprint path, message) of the errors printed for the
file stays exactly the same (line:col may change; warnings beside an error may go, since
they come from lines the error does not need; a case with only warnings keeps them).
Afterwards, rewrite the expected texts with ``pytest tests/test_errors.py
--update-golden`` and check that only line:col moved.

Cases that test the loader rather than a section (the file's bytes, its YAML syntax,
anchors, keys that are not text) are left as they are: `LOADER_CASES`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .conftest import problems_text

# Prefixes of the error cases about the file itself, not a section: never minimised.
LOADER_CASES = (
    "alias_bomb",
    "duplicate_key_",
    "empty_file",
    "merge_key_",
    "non_string_key_",
    "not_utf8_",
    "only_comments",
    "text_control_",
    "text_surrogate_",
    "root_is_",
    "two_yaml_documents",
    "yaml_",
)

_LOCATION = re.compile(r"^[^\n]*?:\d+:\d+: ", re.MULTILINE)
_WARNING = ": warning: "


def reported(path: Path, display: str) -> frozenset[str]:
    """The (path, message) of every error reported for a file, without line:col; of every
    warning when there is no error (a case about a warning). Warnings beside an error come
    from lines the error does not need, and are shrunk away with them."""
    found = frozenset(_LOCATION.sub("", problems_text(path, display)).splitlines())
    errors = frozenset(line for line in found if _WARNING not in line)
    return errors or found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    return not line.strip()


def blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Every deletable block as (start, end) line indices, largest first."""
    found = []
    for start, line in enumerate(lines):
        if _blank(line):
            continue
        if line.lstrip().startswith("#"):
            found.append((start, start + 1))
            continue
        depth, item = _indent(line), line.lstrip().startswith("- ")
        end = start + 1
        for i in range(start + 1, len(lines)):
            nxt = lines[i]
            if _blank(nxt):
                continue
            inside = _indent(nxt) > depth or (
                not item and _indent(nxt) == depth and nxt.lstrip().startswith("- ")
            )
            if not inside:
                break
            end = i + 1
        found.append((start, end))
    return sorted(found, key=lambda b: (b[0] - b[1], b[0]))


def _tidy(lines: list[str]) -> list[str]:
    """No blank line at either end, never two in a row."""
    out: list[str] = []
    for line in lines:
        if _blank(line) and (not out or _blank(out[-1])):
            continue
        out.append(line)
    while out and _blank(out[-1]):
        out.pop()
    return out


def minimise(case: Path) -> tuple[int, int]:
    """Shrink ``case`` in place; return its line counts before and after."""
    original = case.read_text()
    want = reported(case, case.name)
    trial = case.with_name(f".{case.stem}.trial.yaml")

    def same(lines: list[str]) -> bool:
        trial.write_text("".join(line + "\n" for line in lines))
        return reported(trial, case.name) == want

    lines = original.splitlines()
    try:
        changed = True
        while changed:
            changed = False
            for start, end in blocks(lines):
                candidate = _tidy(lines[:start] + lines[end:])
                if candidate and same(candidate):
                    lines, changed = candidate, True
                    break
        if _tidy(lines) != lines and same(_tidy(lines)):
            lines = _tidy(lines)
    finally:
        trial.unlink(missing_ok=True)
    case.write_text("".join(line + "\n" for line in lines))
    assert reported(case, case.name) == want
    return len(original.splitlines()), len(lines)


def main(paths: list[str]) -> None:
    for name in paths:
        case = Path(name)
        if case.stem.startswith(LOADER_CASES):
            print(f"{case.name}: a loader case, left as it is")
            continue
        before, after = minimise(case)
        print(f"{case.name}: {before} -> {after} lines")


if __name__ == "__main__":
    main(sys.argv[1:])
