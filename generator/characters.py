"""What text a blueprint may hold: no control characters (but tab, line feed and carriage
return), no non-characters, no lone surrogates, whether written into the file or made by
a double-quoted string's escapes."""

from __future__ import annotations

import re

from .codes import Code
from .errors import BlueprintError, Problem, Severity

#: Characters a blueprint may not hold, written or as a double-quoted escape: the C0 and
#: C1 controls but tab, line feed and carriage return (an ESC pasted from a coloured
#: terminal is the usual one), the non-characters U+FFFE and U+FFFF, and surrogates.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC"}
_CONTROL_NAMES |= {0x7F: "DEL", 0x85: "NEL"}


def paired(text: str) -> str:
    """``"\\ud83d\\ude00"`` (a pair of ``\\u`` escapes, as JSON writes characters past
    U+FFFF) as the one character it means; lone surrogates stay, to be refused."""
    if not re.search("[\ud800-\udfff]", text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return text


def _why(char: str, where: str) -> tuple[str, Code]:
    """Why ``char`` (a match of :data:`_UNWANTED`) is refused in ``where`` (``the file``, or
    ``the text`` for a string that holds it through an escape), and its code."""
    number = ord(char)
    escape = ", written as an escape" if where != "the file" else ""
    if 0xD800 <= number <= 0xDFFF:
        return (
            f"{where} holds a lone surrogate U+{number:04X}{escape}, half of a character: "
            "write the character itself, or both halves of its \\u escape pair",
            Code.TEXT_SURROGATE,
        )
    if number in (0xFFFE, 0xFFFF):
        what = f"U+{number:04X}, which is not a character{escape};"
    else:
        name = _CONTROL_NAMES.get(number)
        what = f"control character U+{number:04X}" + (f" ({name})" if name else "")
        what += f"{escape};"
    hint = " (terminal colour codes start with it)" if number == 0x1B else ""
    return (
        f"{where} holds {what} a blueprint may not hold control characters: delete it{hint}",
        Code.TEXT_CONTROL_CHARACTER,
    )


def refused(text: str) -> tuple[str, Code] | None:
    """Why a string of the document (which may hold anything through escapes) is refused,
    and the code; None when it is fine."""
    found = _UNWANTED.search(text)
    return _why(found.group(), "the text") if found else None


#: How many lines with unwanted characters are reported (each line once).
_MAX_CHARACTER_PROBLEMS = 10


def check(text: str, file: str) -> None:
    """Refuse control characters written into the file, each line that holds one located
    at its first, before YAML reads it (which would stop at the first, unlocated)."""
    problems: list[Problem] = []
    line, counted = 1, 0
    found = _UNWANTED.search(text)
    while found and len(problems) < _MAX_CHARACTER_PROBLEMS:
        at = found.start()
        line += text.count("\n", counted, at)
        start = text.rfind("\n", 0, at) + 1
        message, code = _why(found.group(), "the file")
        problems.append(Problem(file, line, at - start + 1, "", message, Severity.ERROR, code=code))
        end = text.find("\n", at)
        if end < 0:
            break
        counted = end
        found = _UNWANTED.search(text, end)
    if problems:
        raise BlueprintError(problems)
