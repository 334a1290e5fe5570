"""``blueprint schema``: write the blueprint JSON schema, generated from the models."""

from __future__ import annotations

import sys
from pathlib import Path

from ..exits import EXIT_OK
from ..output import write_all
from ..schema import schema_text


def run(out: str = "blueprint.schema.json") -> int:
    """Write the schema to ``out`` (``-``: standard output)."""
    text = schema_text()
    if out == "-":
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(out)
    write_all(target.parent, {target.name: text.encode()}, modes={}, manifest=False)
    print(f"wrote {target}")
    return EXIT_OK
