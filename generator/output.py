"""The one canonical JSON writer and the atomic write of a build's files.

A build's folder is always wholly the last build or wholly the new one. The new files are
staged beside the old (``.NAME.xxxxxxxx.tmp``); a journal naming every rename and removal
is put in place (one atomic rename: the commit point); then the renames run with
SIGINT, SIGTERM, SIGHUP and SIGQUIT held back until the last is done. A build killed
outright (SIGKILL, power loss) after the commit point is finished by the next build,
which also removes the staged files of a build killed before it."""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .files import MAX_BYTES, read_regular, read_text

#: Lists the files the last build wrote, so the next one can remove those it no longer
#: makes (a renamed stack) without touching anything else in the folder.
MANIFEST = ".blueprint-files"

#: The renames and removals of a build being put in place; only there between the commit
#: point and the last rename (or, after a build was killed, until the next one runs).
JOURNAL = ".blueprint-commit"

#: A staged file (``tempfile.mkstemp`` names: 8 random characters).
_STAGED = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")

#: Signals that wait until the renames are done (SIGKILL cannot be held back: the journal).
_HELD = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


class WrittenThenInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while the files were being put in place: it waited for the last
    rename, so the folder holds the new build in full."""

    def __init__(self) -> None:
        super().__init__("the new build was written in full")


def canonical_json(data: Any) -> str:
    """Sorted keys, two-space indent, a final newline: the same data, the same bytes."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _previous(out_dir: Path) -> set[str]:
    """The files the manifest names: none when it is missing or unreadable (then nothing
    the last build wrote is removed; a manifest is only a hint of what to clean up)."""
    try:
        lines = read_text(out_dir / MANIFEST, MAX_BYTES, follow=False).splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    return {n for n in lines if plain(n)}


def plain(name: object) -> bool:
    """A file name in the folder itself: a tampered manifest or journal must not reach
    outside it."""
    return isinstance(name, str) and bool(name) and "/" not in name and name not in (".", "..")


def differences(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """The files of ``out_dir`` that a build would write, change or remove (sorted)."""
    changed = [name for name, data in files.items() if not _holds(out_dir / name, data)]
    removed = _previous(out_dir) - set(files) if out_dir.is_dir() else set()
    return sorted({*changed, *removed})


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) of exactly ``data``: read no more
    than that plus one byte, never from a FIFO or a device (the folder is checked as it
    is, and `build --check` runs on pull requests)."""
    try:
        return read_regular(path, len(data), follow=False) == data
    except OSError:  # missing, a link, not regular, larger: it differs
        return False


def write_all(
    out_dir: Path, files: Mapping[str, bytes], *, modes: Mapping[str, int], manifest: bool = True
) -> None:
    """Write every file, or none (see the module's note): a failure or a signal before the
    commit point leaves the previous build untouched, one after it is held back until the
    new build is in place. Files that already hold the same bytes are not rewritten (their
    modification times stay). Files the previous build wrote and this one does not are
    removed (with ``manifest``: a build's own folder, where a killed build's leftovers are
    first finished or removed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if manifest:
        recover(out_dir)
    wanted = dict(files)
    if manifest:
        wanted[MANIFEST] = "".join(f"{name}\n" for name in sorted(files)).encode()
    staged: list[tuple[str, Path]] = []
    try:
        _stage(out_dir, wanted, modes, staged)
        stale = _previous(out_dir) - set(files) if manifest else set()
        renames = [(path.name, name) for name, path in staged]
        _commit(out_dir, renames, sorted(stale), journal=manifest)
    except BaseException:
        if not (manifest and (out_dir / JOURNAL).exists()):  # not committed: drop them
            for _, path in staged:
                path.unlink(missing_ok=True)
        raise


def write_folders(
    folders: Sequence[tuple[Path, Mapping[str, bytes]]], *, modes: Mapping[str, int]
) -> None:
    """:func:`write_all` for the folders of several builds (a blueprint's environments),
    every folder's files staged before any folder is committed: a failure while writing
    (a full disk, a folder that cannot be made) leaves every folder as it was. The
    commits then run one after another with signals held back; only a kill in that short
    run (SIGKILL, power loss) can leave some folders on the new build and the others on
    the last, each of them whole, the next build finishing its journal."""
    staged: list[tuple[Path, Mapping[str, bytes], list[tuple[str, Path]]]] = []
    try:
        for out_dir, files in folders:
            out_dir.mkdir(parents=True, exist_ok=True)
            recover(out_dir)
            wanted = {**files, MANIFEST: "".join(f"{n}\n" for n in sorted(files)).encode()}
            staged.append((out_dir, files, []))
            _stage(out_dir, wanted, modes, staged[-1][2])
        with _signals_held():
            for out_dir, files, mine in staged:
                stale = _previous(out_dir) - set(files)
                renames = [(path.name, name) for name, path in mine]
                _commit(out_dir, renames, sorted(stale), journal=True)
    except BaseException:
        for out_dir, _, mine in staged:
            if not (out_dir / JOURNAL).exists():  # not committed: drop them
                for _, path in mine:
                    path.unlink(missing_ok=True)
        raise


def _stage(
    out_dir: Path,
    wanted: Mapping[str, bytes],
    modes: Mapping[str, int],
    staged: list[tuple[str, Path]],
) -> None:
    """Each changed file, on disk under a temporary name (appended to ``staged`` as soon
    as it exists, so that a failure can remove it)."""
    for name in sorted(wanted):
        target = out_dir / name
        if target.is_file() and target.read_bytes() == wanted[name]:
            continue
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            staged.append((name, Path(tmp_name)))
            with os.fdopen(fd, "wb") as handle:
                handle.write(wanted[name])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, modes.get(name, 0o644))
        except OSError as exc:
            if exc.filename is None:  # a full disk: say which file could not be written
                exc.filename = str(target)
            raise


def _commit(
    out_dir: Path, renames: list[tuple[str, str]], removals: list[str], *, journal: bool
) -> None:
    """The journal put in place (the commit point), then every rename and removal, with
    the signals of :data:`_HELD` held back until they are all done. Without ``journal``
    (a single file written outside a build's folder: one rename) there is no journal."""
    plan: dict[str, Any] = {"rename": renames, "remove": removals}
    with _signals_held():
        if not journal:
            _apply(out_dir, plan, journal=False)
            return
        fd, tmp_name = tempfile.mkstemp(prefix=f"{JOURNAL}.", suffix=".tmp", dir=out_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(plan, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, out_dir / JOURNAL)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _sync(out_dir)
        _apply(out_dir, plan)


def _apply(out_dir: Path, plan: dict[str, Any], *, journal: bool = True) -> None:
    """Carry out a journal: rename what is still staged, remove what is stale, then drop
    the journal. Safe to run again on a journal it was interrupted in."""
    for tmp, name in plan["rename"]:
        if plain(tmp) and plain(name) and _STAGED.fullmatch(tmp) and (out_dir / tmp).is_file():
            os.replace(out_dir / tmp, out_dir / name)
    for name in plan["remove"]:
        if plain(name):
            (out_dir / name).unlink(missing_ok=True)
    _sync(out_dir)
    if journal:
        (out_dir / JOURNAL).unlink()


def recover(out_dir: Path) -> None:
    """Finish the build a kill stopped after its commit point, and remove the staged files
    of one stopped before it: afterwards the folder is one whole build, and clean."""
    try:
        plan = json.loads((out_dir / JOURNAL).read_text("utf-8"))
    except FileNotFoundError:
        plan = None
    except (OSError, ValueError):  # not ours after all (it is only ever renamed in whole)
        plan = None
    if isinstance(plan, dict) and isinstance(plan.get("rename"), list):
        renames = [r for r in plan["rename"] if isinstance(r, list) and len(r) == 2]
        removals = plan.get("remove") if isinstance(plan.get("remove"), list) else []
        _apply(out_dir, {"rename": renames, "remove": removals})
    (out_dir / JOURNAL).unlink(missing_ok=True)
    for leftover in out_dir.iterdir():
        if _STAGED.fullmatch(leftover.name) and leftover.is_file() and not leftover.is_symlink():
            leftover.unlink()


def _sync(folder: Path) -> None:
    """Make the renames in ``folder`` durable, so the journal never outlives them unseen."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Signals of :data:`_HELD` that arrive inside are delivered when it ends. A handler
    of our own, not a blocked mask: a signal sent to the process may be taken by any
    thread (the lint pool has some), and only a handler catches it wherever it lands."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; the journal still covers a kill
        return
    arrived: list[int] = []
    previous = {sig: signal.signal(sig, lambda sig, _frame: arrived.append(sig)) for sig in _HELD}
    done = False
    try:
        yield
        done = True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for number in dict.fromkeys(arrived):
            try:
                signal.raise_signal(number)  # what it would have done: stop, or raise
            except KeyboardInterrupt:
                if done:
                    raise WrittenThenInterrupted() from None
                raise
