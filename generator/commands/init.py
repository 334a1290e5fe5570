"""``blueprint init``: start a blueprint from one of the shipped examples."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import starter
from ..exits import EXIT_OK, EXIT_USAGE


def run(
    path: str = "blueprint.yaml",
    example: str | None = None,
    list_only: bool = False,
    force: bool = False,
) -> int:
    """Write ``example`` (default: :data:`generator.starter.DEFAULT`) to ``path``, with its
    JSON schema and the files it names, replacing files already there only with ``force``;
    with ``list_only``, name the examples and write nothing."""
    if list_only:
        for found in starter.examples():
            print(f"{found.name:32} {found.summary}")
        return EXIT_OK
    from ..schema import schema_text

    try:
        files = starter.plan(example or starter.DEFAULT, Path(path), schema_text())
        written = starter.write(files, force)
    except starter.StarterError as exc:
        print(f"blueprint init: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for target in written:
        print(f"wrote {target}")
    print(f"next: blueprint build {path}")
    return EXIT_OK
