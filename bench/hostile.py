"""Hostile blueprints: what the loader must refuse early. Shared by the benchmark, which
times the refusals, and tests/test_hostile.py, which checks them."""

from __future__ import annotations

from pathlib import Path


def alias_bomb() -> str:
    """Nine levels of nine aliases each: 387 million values once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def deep_nesting() -> str:
    """10,000 nested flow sequences."""
    return "name: x\nregion: us-east-1\ntags: " + "[" * 10_000 + "]" * 10_000 + "\n"


def deep_block_nesting() -> str:
    """200 nested block mappings."""
    lines = ["name: x", "region: us-east-1", "tags:"]
    lines += ["  " * i + "k:" for i in range(1, 200)]
    return "\n".join(lines) + "\n"


def huge_file(path: Path, size: int = 50 * 1024 * 1024) -> None:
    """A syntactically valid blueprint of ``size`` bytes (50 MiB by default)."""
    row = "  k{}: " + "v" * 90 + "\n"
    with path.open("w") as handle:
        handle.write("name: x\nregion: us-east-1\ntags:\n")
        i = 0
        while handle.tell() < size:
            handle.write(row.format(i))
            i += 1
