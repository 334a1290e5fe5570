"""Problems as the user reads them: one text line each, JSON, or GitHub annotations; and
whether they fail a run.

Every command prints problems through here, on standard error, sorted by place.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Literal

from .codes import Code
from .errors import BlueprintError, InternalError, Problem, Severity
from .exits import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_USAGE

#: How problems are printed.
Format = Literal["text", "json", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "github")

#: Problems with these codes mean the file itself could not be used.
FILE_CODES = frozenset(
    {
        Code.FILE_UNREADABLE,
        Code.FILE_TOO_LARGE,
        Code.FILE_NOT_UTF8,
        Code.INCLUDE_UNREADABLE,
        Code.PREVIOUS_UNREADABLE,
    }
)


def formatted(problems: Sequence[Problem], fmt: Format) -> str:
    """``problems``, sorted by place, as ``fmt`` prints them (one line each for text and
    github; an indented JSON list, even when empty, for json)."""
    ordered = sorted(problems)
    if fmt == "json":
        return json.dumps([as_json(p) for p in ordered], indent=2) + "\n"
    if fmt == "github":
        return "".join(annotation(p) for p in ordered)
    return "".join(p.text() + "\n" for p in ordered)


def as_json(problem: Problem) -> dict[str, str | int]:
    """One problem as a JSON object; its keys are a stable API."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "path": problem.path,
        "severity": problem.severity.value,
        "code": problem.code,
        "message": problem.message,
    }


def annotation(problem: Problem) -> str:
    """One problem as a GitHub Actions workflow command, on one line: ``%``, CR and LF in
    the message are escaped as GitHub reads them back."""
    kind = "error" if problem.severity is Severity.ERROR else "warning"
    text = f"{problem.path}: {problem.message}" if problem.path else problem.message
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    where = f"file={problem.file},line={problem.line},col={problem.column}"
    return f"::{kind} {where}::{text}\n"


def failed(problems: Sequence[Problem], strict: bool) -> bool:
    """Do ``problems`` fail the run: any error, or (with ``strict``) any problem at all?"""
    return any(p.severity is Severity.ERROR or strict for p in problems)


def refused(exc: BlueprintError, fmt: Format) -> int:
    """Print why the blueprint was refused; the exit code: usage (3) when the file itself
    could not be used, else invalid (1)."""
    sys.stderr.write(formatted(exc.problems, fmt))
    is_file = any(p.code in FILE_CODES for p in exc.problems)
    return EXIT_USAGE if is_file else EXIT_INVALID


def stopped(exc: InternalError | KeyboardInterrupt | OSError) -> int:
    """Say why a command stopped before its end (a bug in blueprint, an interrupt, a file
    that could not be read or written), without a traceback; the exit code."""
    if isinstance(exc, InternalError):
        print(
            f"blueprint: internal error: {exc}. This is a bug in blueprint, not in your "
            "file; nothing was written.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    if isinstance(exc, KeyboardInterrupt):
        # A Ctrl-C held back until a build was in place says so (output.WrittenThenInterrupted).
        print(f"blueprint: interrupted; {str(exc) or 'nothing was written'}", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"blueprint: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
    return EXIT_USAGE
