"""Reading a file a blueprint names, or the blueprint itself, as untrusted input: only a
regular file, opened without blocking, and never more than a limit plus one byte."""

from __future__ import annotations

import os
import stat
from pathlib import Path as FsPath

MAX_BYTES = 1_000_000


class NotRegular(OSError):
    """The path is not a regular file (a folder, a FIFO, a device, a socket): reading it
    would fail, block forever or never end."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Oversize(OSError):
    """The file holds more than the limit: ``size`` bytes by its metadata, or, when
    ``exact`` is false, at least that many (a file whose metadata under-reports it)."""

    def __init__(self, size: int, *, exact: bool) -> None:
        super().__init__(size)
        self.size = size
        self.exact = exact


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str | None:
    return next((what for test, what in _KINDS if test(mode)), None)


def read_regular(path: FsPath, limit: int, *, follow: bool = True) -> bytes:
    """The bytes of the regular file ``path``, reading never more than ``limit`` + 1 bytes.

    A FIFO, a device, a socket or a folder raises :class:`NotRegular` without being read
    (a FIFO is opened without blocking, then checked on the open descriptor, so a file
    swapped after the first look is caught too); more than ``limit`` bytes raises
    :class:`Oversize`; ``follow=False`` refuses a symbolic link as the last component
    (``OSError``). Other failures are the ``OSError`` of the system call."""
    kind = _kind(os.stat(path, follow_symlinks=follow).st_mode)
    if kind is not None:  # not even opened: opening a device or a socket has effects
        raise NotRegular(kind)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags if follow else flags | os.O_NOFOLLOW)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegular(_kind(status.st_mode) or "not a regular file")
        if status.st_size > limit:
            raise Oversize(status.st_size, exact=True)
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise Oversize(len(data), exact=False)
    return data


def read_text(path: FsPath, limit: int, *, follow: bool = True) -> str:
    """:func:`read_regular`, as UTF-8 text with universal newlines (as text mode reads it:
    a file saved with CRLF gives the same text as with LF)."""
    text = read_regular(path, limit, follow=follow).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")
