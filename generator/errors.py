"""Problems as located values.

Every step of the pipeline reports what is wrong as a :class:`Problem`, never by
printing or raising at the user. The command line collects them, sorts them by
place and prints them all at once.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .codes import Code

#: A place in the blueprint: mapping keys and list indexes from the root.
Path = tuple[str | int, ...]


class InternalError(Exception):
    """A bug in blueprint itself (not in the user's file), reported without a traceback."""

    @classmethod
    def unexpected(cls, exc: BaseException) -> InternalError:
        """An exception nothing expected, as one line: its type, its text and the line of
        blueprint's own code it came from (what a bug report needs; not a traceback)."""
        import traceback  # only when there is a bug to report

        ours = [f for f in traceback.extract_tb(exc.__traceback__) if "generator" in f.filename]
        where = ""
        if ours:
            name = ours[-1].filename
            where = f" at {name[name.rindex('generator') :]}:{ours[-1].lineno}"
        return cls(f"{type(exc).__name__}: {escaped(str(exc))}{where}")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located in a file, ready to print."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)
    #: from the catalogue (generator/codes.py); docs/errors.md says what each means
    code: Code = field(compare=False, kw_only=True)

    def text(self) -> str:
        """One line, whatever the message holds (values in it are :func:`shown` already;
        this keeps a line a line even where one was missed)."""
        where = f"{file_shown(self.file)}:{self.line}:{self.column}"
        label = f"{self.path}: " if self.path else ""
        message = escaped(self.message, limit=sys.maxsize)
        if self.severity is Severity.WARNING:
            return f"{where}: {label}warning: {message}"
        return f"{where}: {label}{message}"


@dataclass(frozen=True)
class Issue:
    """A finding that knows its blueprint path but not yet its line and column.

    Validation and resolution produce these; :func:`locate` turns them into
    :class:`Problem` values with the help of the loader's position map.
    """

    path: Path
    message: str
    severity: Severity = Severity.ERROR
    code: Code = field(kw_only=True)
    #: Point at the key of ``path`` rather than at its value.
    at_key: bool = False


class BlueprintError(Exception):
    """Raised by a step that cannot go on; carries every problem found so far."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = list(problems)


#: How many characters of a value a message echoes before it shortens it.
SHOWN_LENGTH = 80

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char.isprintable():
        return char
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escaped(text: str, limit: int = SHOWN_LENGTH) -> str:
    """``text`` on one line: characters that are not printable (newlines, tabs, control
    characters, lone surrogates, invisible format characters) as Python escapes them, and
    past ``limit`` characters cut with an ellipsis (never inside an escape)."""
    pieces = [_escape(char) for char in text]
    if sum(len(p) for p in pieces) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    size = 0
    for piece in pieces:
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "\u2026"


def shown(value: Any) -> str:
    """A value from the blueprint as a message echoes it, on one line and short: text
    quoted and :func:`escaped`, containers and YAML's other types named in words."""
    if isinstance(value, str):
        return f"'{escaped(value)}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime.datetime):
        return f"a date and time ({escaped(value.isoformat())})"
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, bytes):
        return f"binary data ({len(value):,} bytes)"
    if isinstance(value, int):
        text = str(value)
        return text if len(text) <= SHOWN_LENGTH else f"a number of {len(text):,} digits"
    return escaped(repr(value))


def file_shown(name: str | os.PathLike[str]) -> str:
    """A file name as messages print it: undecodable bytes of a name that is not UTF-8
    as ``\\xff``, on one line (not shortened: it says where to look); an empty one as
    ``''``."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return escaped(text, limit=sys.maxsize) if text else "''"


def _part(part: str) -> str:
    return part if part.isprintable() and len(part) <= SHOWN_LENGTH else escaped(part)


def dotted(path: Path) -> str:
    """``("services", "bot", "containers", 0)`` -> ``services.bot.containers[0]``. Keys
    are :func:`escaped` (a key is the user's text too)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_part(part)}" if out else _part(part)
    return out


def in_environments(names: Iterable[str]) -> str:
    """The tail of a problem found in an environment of the blueprint (or in several)."""
    found = list(names)
    kind = "environment" if len(found) == 1 else "environments"
    return f" (in {kind} {', '.join(found)})"


def suggest(word: str, choices: Iterable[str]) -> str:
    """A ``did you mean`` tail for an unknown name, or an empty string."""
    import difflib  # only when there is a mistake to suggest a fix for

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(choices: Iterable[str]) -> str:
    """Human list of quoted choices: ``'a', 'b' or 'c'``."""
    items = [f"'{c}'" for c in sorted(choices)]
    if not items:
        return "nothing (none are defined)"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
