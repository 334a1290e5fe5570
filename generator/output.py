"""The one canonical JSON writer and the atomic write of a build's files."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Lists the files the last build wrote, so the next one can remove those it no longer
#: makes (a renamed stack) without touching anything else in the folder.
MANIFEST = ".blueprint-files"


def canonical_json(data: Any) -> str:
    """Sorted keys, two-space indent, a final newline: the same data, the same bytes."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _previous(out_dir: Path) -> set[str]:
    try:
        lines = (out_dir / MANIFEST).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return set()
    # Only plain names: a tampered manifest must not reach outside the folder.
    return {n for n in lines if n and "/" not in n and n not in (".", "..")}


def differences(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """The files of ``out_dir`` that a build would write, change or remove (sorted)."""
    changed = [
        name
        for name, data in files.items()
        if not (out_dir / name).is_file() or (out_dir / name).read_bytes() != data
    ]
    removed = _previous(out_dir) - set(files) if out_dir.is_dir() else set()
    return sorted({*changed, *removed})


def write_all(
    out_dir: Path, files: Mapping[str, bytes], *, modes: Mapping[str, int], manifest: bool = True
) -> None:
    """Write every file, or none: each goes to a temporary file in ``out_dir`` first and
    only when all are on disk are they renamed into place, so a failure while writing
    leaves the previous build untouched. Files that already hold the same bytes are not
    rewritten (their modification times stay). Files the previous build wrote and this
    one does not are removed last (with ``manifest``: a build's own folder)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = dict(files)
    if manifest:
        wanted[MANIFEST] = "".join(f"{name}\n" for name in sorted(files)).encode()
    staged: list[tuple[str, Path]] = []
    target = out_dir
    try:
        for name in sorted(wanted):
            target = out_dir / name
            if target.is_file() and target.read_bytes() == wanted[name]:
                continue
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            staged.append((name, Path(tmp_name)))
            with os.fdopen(fd, "wb") as handle:
                handle.write(wanted[name])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, modes.get(name, 0o644))
    except BaseException as exc:
        for _, path in staged:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # a full disk: say where
            exc.filename = str(target)
        raise
    stale = _previous(out_dir) - set(files) if manifest else set()
    for name, path in staged:
        os.replace(path, out_dir / name)
    for name in sorted(stale):
        (out_dir / name).unlink(missing_ok=True)
