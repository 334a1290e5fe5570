"""Problems as the user reads them: one text line each, JSON, GitHub annotations or SARIF;
and whether they fail a run.

Every command prints problems through here, sorted by place: text on standard error (a
command's own output is on standard output), the machine formats on standard output (for a
pipe or a file; a summary for people then goes to standard error).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, Literal, TextIO
from urllib.parse import quote

from .codes import Code
from .errors import BlueprintError, InternalError, Problem, Severity, escaped, file_shown
from .exits import EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_USAGE

#: How problems are printed.
Format = Literal["text", "json", "github", "sarif"]
FORMATS: tuple[Format, ...] = ("text", "json", "github", "sarif")

#: The SARIF version written, and its schema (OASIS, SARIF 2.1.0 with errata 01).
SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

#: Problems with these codes mean the file itself could not be used.
FILE_CODES = frozenset(
    {
        Code.FILE_UNREADABLE,
        Code.FILE_TOO_LARGE,
        Code.FILE_NOT_UTF8,
        Code.FILE_NAME_INVALID,
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
    if fmt == "sarif":
        return json.dumps(sarif(ordered), indent=2) + "\n"
    if fmt == "github":
        return "".join(annotation(p) for p in ordered)
    return "".join(p.text() + "\n" for p in ordered)


def problems_stream(fmt: Format) -> TextIO:
    """Where problems in ``fmt`` are printed: text on standard error, beside what the
    command prints; the machine formats on standard output, where a pipe reads them."""
    return sys.stderr if fmt == "text" else sys.stdout


def summary_stream(fmt: Format) -> TextIO:
    """Where the lines for people go (what was built, what is fresh): standard output,
    unless problems in a machine format hold it."""
    return sys.stdout if fmt == "text" else sys.stderr


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


def sarif(problems: Sequence[Problem]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run of the tool ``blueprint``: a rule per code of the
    catalogue (what it means; an example message as its help), a result per problem, at
    its file, line and column (counted in characters)."""
    from . import __version__
    from .catalogue import CATALOGUE

    codes = list(Code)
    rules = [
        {
            "id": code.value,
            "shortDescription": {"text": CATALOGUE[code][0]},
            "help": {"text": f"Example: {CATALOGUE[code][1]}"},
        }
        for code in codes
    ]
    index = {code: i for i, code in enumerate(codes)}
    driver = {"name": "blueprint", "version": __version__, "rules": rules}
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [_result(p, index[p.code]) for p in sorted(problems)],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _result(problem: Problem, rule: int) -> dict[str, Any]:
    text = f"{problem.path}: {problem.message}" if problem.path else problem.message
    region = {"startLine": max(problem.line, 1), "startColumn": max(problem.column, 1)}
    where = {"artifactLocation": {"uri": _uri(problem.file)}, "region": region}
    return {
        "ruleId": problem.code.value,
        "ruleIndex": rule,
        "level": "error" if problem.severity is Severity.ERROR else "warning",
        "message": {"text": text},
        "locations": [{"physicalLocation": where}],
    }


def _uri(file: str) -> str:
    """The file as typed, as a URI reference: relative paths stay relative (code scanning
    reads them from the repository's root), absolute ones become ``file://`` URIs.
    Characters a URI cannot hold (``:``, ``#``, spaces, ...) are percent-encoded, those
    of a file name that is not UTF-8 as its bytes."""
    encoded = quote(file, safe="/", errors="surrogateescape")
    return f"file://{encoded}" if file.startswith("/") else encoded


def failed(problems: Sequence[Problem], strict: bool) -> bool:
    """Do ``problems`` fail the run: any error, or (with ``strict``) any problem at all?"""
    return any(p.severity is Severity.ERROR or strict for p in problems)


def refused(exc: BlueprintError, fmt: Format) -> int:
    """Print why the blueprint was refused; the exit code: usage (3) when the file itself
    could not be used, else invalid (1)."""
    problems_stream(fmt).write(formatted(exc.problems, fmt))
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
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`blueprint schema --out - | head`): as a tool killed by SIGPIPE, say
        # nothing, and keep Python's last flush of stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    where = f"{file_shown(exc.filename)}: " if exc.filename else ""
    print(f"blueprint: {where}{exc.strerror or escaped(str(exc))}", file=sys.stderr)
    return EXIT_USAGE
