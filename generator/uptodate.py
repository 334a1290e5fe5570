"""An unchanged build, recognised without building: the warm path of ``blueprint build``.

After a build that wrote its files, a record is kept in the cache folder (the lint
cache's, see :func:`generator.lint.cache_dir`): a digest of everything the build read
(the blueprint's bytes, the files it names, blueprint's own code and the versions of the
libraries it renders and lints with) and a digest of every file it wrote, with what it
printed. The next build with the same digest, whose output folder still holds exactly
those files, prints the same and stops: it would write the same bytes. Anything else
(an edit, a changed output file, another version of a library) builds in full.

Standard library only: the point is to not import pydantic, troposphere or cfn-lint.
:func:`key`, :func:`recorded` and :func:`remember` are what ``blueprint build`` calls; the functions
that take a ``folder`` are the record store under them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .lint import cache_dir

if TYPE_CHECKING:
    from .pipeline import Build

#: The libraries whose versions change what a build writes or finds.
LIBRARIES = ("cfnlint", "troposphere", "pydantic", "yaml", "awacs")


@dataclass(frozen=True)
class Record:
    inputs: str
    #: the files the blueprint names, relative to it
    includes: tuple[str, ...]
    #: file name in the output folder -> sha256 of its bytes
    outputs: dict[str, str]
    stdout: str
    stderr: str


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _code_digest() -> str:
    """blueprint's own code and data, and the installed versions of its libraries."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json", ".yaml", ".txt") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    places = set()
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            places.add(Path(spec.origin).resolve().parent.parent)
    for place in sorted(places):  # site-packages: its *.dist-info names carry the versions
        listing = sorted(n for n in os.listdir(place) if n.endswith(".dist-info"))
        digest.update("\0".join(listing).encode())
    return digest.hexdigest()


def inputs(blueprint: bytes, includes: Mapping[str, str]) -> str:
    """The digest of a build's inputs: the blueprint's bytes and the files it names, as the
    build read them (text, as ``pipeline.check`` reads it)."""
    digest = hashlib.sha256(_code_digest().encode() + b"\0" + blueprint)
    for name in sorted(includes):
        digest.update(b"\0" + name.encode() + b"\0" + includes[name].encode())
    return digest.hexdigest()


def _current(blueprint: Path, names: Iterable[str]) -> str | None:
    """The digest of the inputs as they are on disk now; None when one cannot be read."""
    # Bounded, and never blocked on a FIFO or a device put in a file's place since.
    from .files import MAX_BYTES, read_regular, read_text

    try:
        data = read_regular(blueprint, MAX_BYTES)
        files = {name: read_text(blueprint.parent / name, MAX_BYTES) for name in names}
    except (OSError, UnicodeDecodeError):
        return None
    return inputs(data, files)


def _slot(folder: Path, blueprint: Path, out: Path, options: str) -> Path:
    where = f"{blueprint.resolve()}\0{out.resolve()}\0{options}"
    return folder / "builds" / f"{_sha(where.encode())}.json"


def same_inputs(folder: Path, blueprint: Path) -> bool:
    """Has this blueprint, with everything else it reads, been built before (into any
    folder)? Then its templates' lint results are all in the cache."""
    try:
        raw = json.loads((folder / "builds" / _inputs_name(blueprint)).read_text("utf-8"))
        return bool(_current(blueprint, raw["includes"]) == raw["inputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _inputs_name(blueprint: Path) -> str:
    return f"inputs-{_sha(str(blueprint.resolve()).encode())}.json"


def lookup(folder: Path, blueprint: Path, out: Path, options: str) -> Record | None:
    """The record of the last build of this blueprint into ``out``, if nothing it read or
    wrote has changed since."""
    try:
        raw = json.loads(_slot(folder, blueprint, out, options).read_text("utf-8"))
        record = Record(
            raw["inputs"],
            tuple(raw["includes"]),
            dict(raw["outputs"]),
            raw["stdout"],
            raw["stderr"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if _current(blueprint, record.includes) != record.inputs:
        return None
    for name, expected in record.outputs.items():
        try:
            if _sha((out / name).read_bytes()) != expected:
                return None
        except OSError:
            return None
    return record


def store(
    folder: Path,
    blueprint: Path,
    out: Path,
    options: str,
    *,
    data: bytes,
    includes: Mapping[str, str],
    files: Mapping[str, bytes],
    stdout: str,
    stderr: str,
) -> None:
    """Keep the record of a build that read ``data`` and ``includes`` and wrote ``files``
    into ``out`` (atomically; a cache that cannot be written only costs time)."""
    digest = inputs(data, includes)
    record = {
        "inputs": digest,
        "includes": sorted(includes),
        "outputs": {name: _sha(content) for name, content in sorted(files.items())},
        "stdout": stdout,
        "stderr": stderr,
    }
    _write(_slot(folder, blueprint, out, options), record)
    seen = {"inputs": digest, "includes": record["includes"]}
    _write(folder / "builds" / _inputs_name(blueprint), seen)


def _write(target: Path, data: object) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        os.replace(tmp, target)
    except OSError:
        pass


def key(path: str, out: str, fmt: str, strict: bool) -> str:
    """What, besides the files, changes what a build writes or prints: the paths as typed
    (they appear in deploy.sh and in messages), the format and --strict."""
    return f"{path}\0{out}\0{fmt}\0{strict}"


def recorded(blueprint: Path, out: Path, options: str) -> Record | None:
    """The record of the last build of ``blueprint`` into ``out`` with these options, if
    nothing it read or wrote has changed since: what that build printed is what this one
    prints, and it writes nothing. None when there is no cache or no such record."""
    folder = cache_dir()
    if folder is None:
        return None
    return lookup(folder, blueprint, out, options)


def remember(
    blueprint: Path, out: Path, options: str, build: Build, *, stdout: str, stderr: str
) -> None:
    """Keep the record of ``build``, just written into ``out``, with what it printed."""
    from .output import MANIFEST

    folder = cache_dir()
    if folder is None:
        return
    written = {name: (out / name).read_bytes() for name in [*build.files, MANIFEST]}
    store(
        folder,
        blueprint,
        out,
        options,
        data=build.checked.document.source,
        includes=build.checked.includes,
        files=written,
        stdout=stdout,
        stderr=stderr,
    )


def lint_cached(blueprint: Path) -> bool:
    """Are the lint results of every template this blueprint builds in the cache (it was
    built before, into any folder, from the same inputs)?"""
    folder = cache_dir()
    return folder is not None and same_inputs(folder, blueprint)
