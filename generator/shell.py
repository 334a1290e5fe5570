"""Values written into the shell scripts blueprint generates (deploy.sh): quoted so that
nothing a blueprint says becomes code."""

from __future__ import annotations

import shlex

from .errors import InternalError

# Every value written into deploy.sh goes through one of these three, so that no name or
# path from a blueprint (its file name above all: CI builds blueprints of pull requests)
# can end a quote, a comment or a line of the script and become code.
q = shlex.quote  # a word; ordinary names (a-z, 0-9, -, ., :, =, /) stay as they are


def dq(text: str) -> str:
    """``text`` for the inside of a double-quoted word: the four characters that keep a
    meaning there (backslash, double quote, dollar sign, backquote) escaped."""
    return "".join("\\" + ch if ch in '\\"$`' else ch for ch in text)


def comment(text: str) -> str:
    """``text`` for a ``#`` comment: a line break or another control character, which
    would end the comment, is written as its Python escape (backslash-n, backslash-x1b)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def variable(name: str) -> str:
    """A parameter name used as a shell variable (``${Name:?...}``). CloudFormation takes
    only alphanumeric parameter names, so anything else is a bug in blueprint."""
    if not (name.isascii() and name.isalnum() and name[0].isalpha()):
        raise InternalError(f"parameter name {name!r} is not alphanumeric")
    return name


def oneline(text: str) -> str:
    """``text`` as one word on one line: as ``q`` gives it when every character prints, else
    ANSI-C quoted (``$'...'``) with each other character escaped (a file name holding a
    line break must not add a line to the script)."""
    if text.isprintable():
        return q(text)
    out = []
    for ch in text:
        if ch in "\\'":
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\U{ord(ch):08x}")
    return "$'" + "".join(out) + "'"
