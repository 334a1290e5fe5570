"""Plain data -> a validated :class:`Blueprint`, or located issues in plain words."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import Issue, Path, suggest
from .blueprint import Blueprint


def _strip(tp: Any) -> Any:
    """Peel ``Annotated`` wrappers off a type."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [_strip(m) for m in typing.get_args(tp)]
    return [tp]


def _step(tp: Any, part: str | int, data: Any) -> Any:
    """The type found one step further along a path, or None."""
    for member in _members(tp):
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get(str(part))
            if field is not None:
                return (
                    field.annotation
                    if not field.metadata
                    else typing.Annotated[field.annotation, *field.metadata]
                )
        elif origin is dict and isinstance(data, dict):
            return typing.get_args(member)[1]
        elif origin is list and isinstance(part, int):
            return typing.get_args(member)[0]
    return None


def _model_at(path: Path, data: Any) -> type[BaseModel] | None:
    """The model class that validated the mapping at ``path`` (for key suggestions)."""
    tp: Any = Blueprint
    node = data
    for part in path:
        tp = _step(tp, part, node)
        if tp is None:
            return None
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            node = node[part]
        else:
            node = None
    models = [m for m in _members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) == 1:
        return models[0]
    if isinstance(node, dict):  # a union picked by which key is present
        for model in models:
            if any(k in model.model_fields and model.model_fields[k].is_required() for k in node):
                return model
    return None


def _data_path(loc: Sequence[str | int], data: Any) -> Path:
    """Keep the parts of pydantic's ``loc`` that are real keys or indexes in the data;
    drop union tags and validator names that pydantic inserts."""
    out: list[str | int] = []
    node = data
    for part in loc:
        in_map = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_list:
            out.append(part)
            node = node[part]
    return tuple(out)


_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "a mapping of keys",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "float_type": "a number",
}


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"'{value}'"
    return repr(value)


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx", {})
    value = err.get("input")
    if kind in _TYPE_WORDS:
        hint = ""
        if kind.startswith("int") and isinstance(value, str) and value.isdigit():
            hint = f"; write {value} without quotes"
        if kind == "string_type" and isinstance(value, int | float | bool):
            hint = f"; quote it: '{str(value).lower() if isinstance(value, bool) else value}'"
        return f"expected {_TYPE_WORDS[kind]}, found {_shown(value)}{hint}"
    if kind == "literal_error":
        return f"{_shown(value)} is not allowed; expected {ctx.get('expected', '')}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        limit = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"{_shown(value)} is out of range: must be {word} {limit}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s), found {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} item(s), found {ctx.get('actual_length')}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"{_shown(value)} does not have the expected form ({ctx.get('pattern')})"
    return err["msg"]


def _issue(err: ErrorDetails, data: Any) -> Issue:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        path = _data_path(loc, data)
        key = str(path[-1]) if path else str(loc[-1])
        model = _model_at(path[:-1], data)
        hint = suggest(key, model.model_fields) if model else ""
        return Issue(path, f"unknown key '{key}'{hint}", code="unknown-key", at_key=True)
    if kind == "missing":
        path = _data_path(loc[:-1], data)
        return Issue(path, f"missing required key '{loc[-1]}'", code="missing", at_key=True)
    if loc and loc[-1] == "[key]":
        path = _data_path(loc[:-2], data)
        return Issue((*path, loc[-2]), _message(err), code=kind, at_key=True)
    return Issue(_data_path(loc, data), _message(err), code=kind)


def validate(data: Any) -> tuple[Blueprint | None, list[Issue]]:
    """Validate plain data against the root model; every error, in plain words."""
    try:
        return Blueprint.model_validate(data), []
    except ValidationError as exc:
        return None, [_issue(err, data) for err in exc.errors(include_url=False)]
