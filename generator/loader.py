"""YAML -> plain data, plus a map from each blueprint path to its line and column.

Only the safe subset of YAML is constructed (no custom tags), duplicate keys are
errors, and hostile input is bounded: a file over :data:`MAX_BYTES`, nesting
deeper than :data:`MAX_DEPTH` and alias expansion past :data:`MAX_NODES` are
rejected before they can cost real time or memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from .errors import BlueprintError, Issue, Path, Problem, Severity, dotted

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 100_000


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) of the document starts, 1-based."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path, *, at_key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if at_key else self.values
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


@dataclass(frozen=True)
class Document:
    """A loaded blueprint: its data, where each part of it sits, and its file name."""

    file: str
    data: Any
    positions: Positions

    def locate(self, issue: Issue) -> Problem:
        line, col = self.positions.of(issue.path, at_key=issue.at_key)
        return Problem(
            file=self.file,
            line=line,
            column=col,
            path=dotted(issue.path),
            message=issue.message,
            severity=issue.severity,
            code=issue.code,
        )


class _Limits(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def _problem(file: str, mark: yaml.Mark | None, message: str, code: str) -> Problem:
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(file, line, col, "", message, Severity.ERROR, code)


class _Builder:
    """Walks a composed node graph into plain data, recording positions."""

    def __init__(self) -> None:
        self.positions = Positions()
        self.constructor = yaml.SafeLoader("")
        self.count = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Limits(
                f"the document expands to more than {MAX_NODES:,} values "
                "(an alias bomb?); anchors and aliases may not multiply it this far",
                node.start_mark,
            )
        if len(path) > MAX_DEPTH:
            raise _Limits(f"the document nests deeper than {MAX_DEPTH} levels", node.start_mark)
        self.positions.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        self.constructor.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _Limits(
                    f"keys must be text, found {type(key).__name__} {key!r}"
                    + (
                        "; quote it (YAML reads yes/no/on/off as booleans)"
                        if isinstance(key, bool)
                        else ""
                    ),
                    key_node.start_mark,
                )
            if key in out:
                first = self.positions.keys[(*path, key)]
                raise _Limits(
                    f"duplicate key '{key}' (first defined at line {first[0]})",
                    key_node.start_mark,
                )
            self.positions.keys[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.build(value_node, (*path, key))
        return out


def parse(text: str, file: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`BlueprintError` if unreadable."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BlueprintError(
            [
                _problem(
                    file,
                    None,
                    f"the file is larger than {MAX_BYTES:,} bytes; "
                    "a blueprint is meant to be short",
                    "file-too-large",
                )
            ]
        )
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            raise BlueprintError(
                [
                    _problem(
                        file,
                        None,
                        "the file is empty; a blueprint needs "
                        "at least 'name', 'region' and 'network'",
                        "empty",
                    )
                ]
            )
        builder = _Builder()
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        raise BlueprintError([_problem(file, mark, f"YAML syntax: {what}", "yaml")]) from None
    except _Limits as exc:
        raise BlueprintError([_problem(file, exc.mark, exc.message, "yaml")]) from None
    except RecursionError:
        raise BlueprintError(
            [_problem(file, None, f"the document nests deeper than {MAX_DEPTH} levels", "yaml")]
        ) from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({data!r})"
        raise BlueprintError(
            [
                _problem(
                    file,
                    node.start_mark,
                    f"the top level must be a mapping of keys (name:, region:, ...), found {kind}",
                    "root",
                )
            ]
        )
    return Document(file=file, data=data, positions=builder.positions)


def load(path: FsPath, display: str | None = None) -> Document:
    """Read and parse a blueprint file. Unreadable files become located problems."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BlueprintError(
                [
                    _problem(
                        name,
                        None,
                        f"the file is {size:,} bytes, larger than the {MAX_BYTES:,} "
                        "a blueprint may be",
                        "file-too-large",
                    )
                ]
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BlueprintError([_problem(name, None, "no such file", "file")]) from None
    except IsADirectoryError:
        raise BlueprintError([_problem(name, None, "is a folder, not a file", "file")]) from None
    except OSError as exc:
        raise BlueprintError(
            [_problem(name, None, f"cannot read: {exc.strerror}", "file")]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BlueprintError(
            [_problem(name, None, f"not UTF-8 text (byte {exc.start})", "file")]
        ) from None
    return parse(text, name)
