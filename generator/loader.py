"""YAML -> plain data, plus a map from each blueprint path to its line and column.

Only the safe subset of YAML is constructed (no custom tags), duplicate keys are
errors, and hostile input is bounded: a file over :data:`MAX_BYTES`, nesting
deeper than :data:`MAX_DEPTH` and alias expansion past :data:`MAX_NODES` are
rejected before they can cost real time or memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath
from typing import Any

import yaml

from . import characters
from .codes import Code
from .errors import (
    BlueprintError,
    Issue,
    Path,
    Problem,
    Severity,
    dotted,
    file_shown,
    in_environments,
    shown,
)
from .files import MAX_BYTES, NotRegular, Oversize, read_regular

MAX_DEPTH = 64
MAX_NODES = 100_000

_MERGE = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) of the document starts, 1-based."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path, *, at_key: bool = False) -> tuple[int, int]:
        """The position of ``path`` (its key's, with ``at_key``). A path that is not in the
        file (a field left at its default) points at the key of its nearest ancestor that
        is: the entry it belongs to, rather than whatever line happens to come first."""
        if at_key and path in self.keys:
            return self.keys[path]
        if path in self.values:
            return self.values[path]
        probe = path[:-1]
        while probe:
            if probe in self.keys:
                return self.keys[probe]
            if probe in self.values:  # a list item has no key
                return self.values[probe]
            probe = probe[:-1]
        return (1, 1)


@dataclass(frozen=True)
class Document:
    """A loaded blueprint: its data, where each part of it sits, and its file name."""

    file: str
    data: Any
    positions: Positions
    #: the exact bytes read (what the up-to-date record of a build is keyed by)
    source: bytes = b""
    #: the environment this document is (:mod:`generator.environments`), named by every
    #: problem located in it
    environment: str | None = None

    def locate(self, issue: Issue) -> Problem:
        line, col = self.positions.of(issue.path, at_key=issue.at_key)
        return Problem(
            file=self.file,
            line=line,
            column=col,
            path=dotted(issue.path),
            message=issue.message
            + (in_environments([self.environment]) if self.environment else ""),
            severity=issue.severity,
            code=issue.code,
        )


class _Refused(Exception):
    """The document cannot be turned into data; carries the place and the reason."""

    # Any: PyYAML's C and pure parsers each have their own Mark class.
    def __init__(self, message: str, code: Code, mark: Any, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.mark = mark
        self.path = path


def _problem(
    file: str, mark: yaml.Mark | None, message: str, code: Code, path: Path = ()
) -> Problem:
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(file, line, col, dotted(path), message, Severity.ERROR, code=code)


def _key_message(key: object, raw: str) -> str:
    if isinstance(key, bool):
        return (
            f"'{raw}' is read by YAML as {str(key).lower()}, and keys must be text; "
            f"quote it: '{raw}'"
        )
    if isinstance(key, int | float):
        return f"the number {raw} cannot be a key; quote it: '{raw}'"
    return f"'{raw}' cannot be a key: keys must be text"


class _Builder:
    """Walks a composed node graph into plain data, recording positions."""

    def __init__(self) -> None:
        self.positions = Positions()
        self.constructor = yaml.SafeLoader("")
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(
                f"the document expands to more than {MAX_NODES:,} values (an alias bomb?); "
                "anchors and aliases may not multiply it this far",
                Code.YAML_TOO_LARGE,
                node.start_mark,
            )
        if len(path) > MAX_DEPTH:
            raise _Refused(
                f"the document nests deeper than {MAX_DEPTH} levels",
                Code.YAML_TOO_DEEP,
                node.start_mark,
            )
        self.positions.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            raise _Refused(
                f"YAML tag '{node.tag}' is not allowed: a blueprint is plain data",
                Code.YAML_TAG,
                node.start_mark,
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: Path) -> Any:
        """A scalar's value; text holding what a blueprint may not hold is refused."""
        try:
            value = self.constructor.construct_object(node, deep=True)
        except ValueError:  # past Python's digits for an int; a date like 2024-13-01
            kind = "a date" if node.tag.endswith(":timestamp") else "a number"
            raise _Refused(
                f"YAML reads {shown(node.value)} as {kind} but it is not one that can be "
                "read; quote it if it is text",
                Code.YAML_VALUE,
                node.start_mark,
                path,
            ) from None
        if isinstance(value, str):
            value = characters.paired(value)
            refused = characters.refused(value)
            if refused:
                raise _Refused(*refused, node.start_mark, path)
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        # Keys written in this mapping may repeat a key merged in with '<<:' (that is how
        # a merge is overridden) but not each other.
        own = {id(k) for k, _ in node.value if k.tag != _MERGE}
        self.constructor.flatten_mapping(node)
        out: dict[str, Any] = {}
        written: set[str] = set()
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path)
            if not isinstance(key, str):
                raw = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
                raise _Refused(_key_message(key, raw), Code.KEY_NOT_TEXT, key_node.start_mark, path)
            if id(key_node) in own:
                if key in written:
                    first = self.positions.keys[(*path, key)]
                    raise _Refused(
                        f"duplicate key '{key}' (first defined at line {first[0]})",
                        Code.KEY_TWICE,
                        key_node.start_mark,
                        (*path, key),
                    )
                written.add(key)
            elif key in out:
                continue  # merged twice: the first merged mapping wins, as YAML says
            self.positions.keys[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.build(value_node, (*path, key))
        return out


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, which is flat, before composing the
    node tree, which recurses (and would take seconds to fail on 10,000 levels)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                message = f"the document nests deeper than {MAX_DEPTH} levels"
                raise _Refused(message, Code.YAML_TOO_DEEP, event.start_mark)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _syntax(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error in plain words, at the problem, naming where its context began."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or "invalid YAML"
    if "\\t" in what or "tab" in what:
        return _problem(
            file,
            mark,
            f"YAML syntax: {what}; YAML cannot be indented with tabs: use spaces",
            Code.YAML_SYNTAX,
        )
    if what == "but found another document":
        return _problem(
            file,
            mark,
            "YAML syntax: a blueprint is one YAML document; remove "
            "the '---' that starts a second one",
            Code.YAML_SYNTAX,
        )
    elif what == "mapping values are not allowed here":
        what += (
            " (check the indentation of this line and the one above, or quote a value "
            "that contains ': ')"
        )
    if exc.context:
        at = ""
        start = exc.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            at = f" at line {start.line + 1}, column {start.column + 1}"
        what = f"{what} ({exc.context}{at})"
    return _problem(file, mark, f"YAML syntax: {what}", Code.YAML_SYNTAX)


def parse(text: str, file: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`BlueprintError` if unreadable."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BlueprintError(
            [
                _problem(
                    file,
                    None,
                    f"the file is larger than {MAX_BYTES:,} bytes; a blueprint is short",
                    Code.FILE_TOO_LARGE,
                )
            ]
        )
    characters.check(text, file)
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            what = "is empty" if not text.strip() else "has nothing but comments"
            message = f"the file {what}; a blueprint needs at least 'name' and 'region'"
            raise BlueprintError([_problem(file, None, message, Code.FILE_EMPTY)])
        builder = _Builder()
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        raise BlueprintError([_syntax(file, exc)]) from None
    except yaml.YAMLError as exc:  # unlocated (the reader's): the characters are checked first
        message = f"YAML syntax: {shown(str(exc))}"
        raise BlueprintError([_problem(file, None, message, Code.YAML_SYNTAX)]) from None
    except _Refused as exc:
        raise BlueprintError([_problem(file, exc.mark, exc.message, exc.code, exc.path)]) from None
    except RecursionError:
        message = f"the document nests deeper than {MAX_DEPTH} levels"
        raise BlueprintError([_problem(file, None, message, Code.YAML_TOO_DEEP)]) from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        message = f"the top level must be a mapping of keys (name:, region:, ...), found {kind}"
        raise BlueprintError([_problem(file, node.start_mark, message, Code.YAML_NOT_MAPPING)])
    return Document(file=file, data=data, positions=builder.positions)


def _file_name(path: FsPath, display: str | None) -> str:
    """The blueprint's name as messages show it; an empty name, or one that is not UTF-8
    (which deploy.sh and the messages could not carry), is refused."""
    name = str(path) if display is None else display
    if not name:
        message = "the file name is empty; name a blueprint, or leave it out for blueprint.yaml"
        raise BlueprintError([_problem("", None, message, Code.FILE_NAME_INVALID)])
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown_name = file_shown(name)
        message = f"the file name '{shown_name}' is not UTF-8; rename the file"
        raise BlueprintError(
            [_problem(shown_name, None, message, Code.FILE_NAME_INVALID)]
        ) from None
    return name


def load(path: FsPath, display: str | None = None) -> Document:
    """Read and parse a blueprint file. Unreadable files become located problems: the
    blueprint must be a regular file of at most :data:`MAX_BYTES` bytes, and no more than
    that is ever read (a FIFO or ``/dev/zero`` named as the blueprint is refused at once)."""
    name = _file_name(path, display)

    def refuse(message: str, code: Code = Code.FILE_UNREADABLE) -> BlueprintError:
        return BlueprintError([_problem(name, None, message, code)])

    try:
        raw = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        raise refuse("no such file") from None
    except NotRegular as exc:
        raise refuse(f"is {exc.kind}, not a file; a blueprint is a regular YAML file") from None
    except Oversize as exc:
        size = f"is {exc.size:,} bytes" if exc.exact else "holds more bytes"
        message = f"the file {size}, larger than the {MAX_BYTES:,} a blueprint may be"
        raise refuse(message, Code.FILE_TOO_LARGE) from None
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"byte 0x{raw[exc.start]:02X} is not UTF-8 text; save the file as UTF-8"
        raise BlueprintError(
            [Problem(name, line, column, "", message, Severity.ERROR, code=Code.FILE_NOT_UTF8)]
        ) from None
    return replace(parse(text, name), source=raw)
