"""Problems as located values.

Every step of the pipeline reports what is wrong as a :class:`Problem`, never by
printing or raising at the user. The command line collects them, sorts them by
place and prints them all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .codes import Code

#: A place in the blueprint: mapping keys and list indexes from the root.
Path = tuple[str | int, ...]


class InternalError(Exception):
    """A bug in blueprint itself (not in the user's file), reported without a traceback."""


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
        where = f"{self.file}:{self.line}:{self.column}"
        label = f"{self.path}: " if self.path else ""
        if self.severity is Severity.WARNING:
            return f"{where}: {label}warning: {self.message}"
        return f"{where}: {label}{self.message}"


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


def dotted(path: Path) -> str:
    """``("services", "bot", "containers", 0)`` -> ``services.bot.containers[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


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
