"""``blueprint init``: a starter blueprint from one of the shipped examples.

The examples travel inside the package (``generator.examples``, mapped from the
repository's ``examples/`` folder by pyproject.toml), so ``init`` works after a plain
``pip install``. A starter is the example itself, with its schema modeline pointed at a
``blueprint.schema.json`` written beside it, and the files it names (user data, inline
function code, every file of a site's folder) copied under the same relative paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

#: The example ``init`` writes when none is named.
DEFAULT = "chatbot-fargate-spot"
_MODELINE = re.compile(r"^# yaml-language-server: \$schema=\S+\n")
_FILES = re.compile(r"(?:user_data_file|inline_file):\s*([\w./-]+)")
_FOLDERS = re.compile(r"\bfolder:\s*([\w./-]+)")


class StarterError(Exception):
    """A reason ``init`` wrote nothing (unknown example, a file already there)."""


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    text: str

    @property
    def files(self) -> list[str]:
        """The files the blueprint names, and those in the folders it names, relative to it."""
        found = set(_FILES.findall(self.text))
        for folder in _FOLDERS.findall(self.text):
            found.update(_walk(_folder().joinpath(folder), folder.rstrip("/")))
        return sorted(found)


def _walk(item: Traversable, relative: str) -> list[str]:
    """The files under ``item``, as paths starting with ``relative``."""
    if item.is_file():
        return [relative]
    return [f for child in item.iterdir() for f in _walk(child, f"{relative}/{child.name}")]


def _folder() -> Traversable:
    return resources.files("generator.examples")


def _summary(text: str) -> str:
    """The example's first comment sentence, without its architecture letter."""
    lines = [line[2:].strip() for line in text.splitlines()[1:] if line.startswith("# ")]
    words = re.sub(r"^[A-Z]\.\s+", "", " ".join(lines[:3]))
    return re.split(r"(?<=[.:])\s", words, maxsplit=1)[0].rstrip(".:")


def examples() -> list[Example]:
    found = []
    for item in _folder().iterdir():
        if item.name.endswith(".yaml"):
            text = item.read_text("utf-8")
            found.append(Example(item.name.removesuffix(".yaml"), _summary(text), text))
    return sorted(found, key=lambda e: e.name)


def example(name: str) -> Example:
    by_name = {e.name: e for e in examples()}
    if name not in by_name:
        raise StarterError(f"no example named '{name}'; the examples are: {', '.join(by_name)}")
    return by_name[name]


def plan(name: str, target: Path, schema: str) -> dict[Path, bytes]:
    """What ``init`` writes: path -> bytes (the blueprint, its schema, the files it names)."""
    chosen = example(name)
    schema_path = target.parent / "blueprint.schema.json"
    modeline = f"# yaml-language-server: $schema={schema_path.name}\n"
    text = _MODELINE.sub(lambda _: modeline, chosen.text, count=1)
    out = {target: text.encode(), schema_path: schema.encode()}
    for relative in chosen.files:
        out[target.parent / relative] = _folder().joinpath(relative).read_bytes()
    return out


def write(files: dict[Path, bytes], force: bool) -> list[Path]:
    """Write every file, or none: an existing one is refused unless ``force``. The schema
    is the tool's own output, so an identical copy is never in the way."""
    clashes = [p for p, data in sorted(files.items()) if p.exists() and p.read_bytes() != data]
    if clashes and not force:
        names = ", ".join(str(p) for p in clashes)
        raise StarterError(f"{names}: already there; nothing was written (--force replaces)")
    for path, data in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.write_bytes(data)
        except OSError as exc:
            if exc.filename is None:  # a full disk: say which file
                exc.filename = str(path)
            raise
    return sorted(files)
