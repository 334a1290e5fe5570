"""Plain data -> a validated :class:`Blueprint`, or located issues in plain words."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..codes import Code
from ..errors import Issue, Path, escaped, shown, suggest
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


#: Keys people write from habit elsewhere, and what this blueprint calls them.
_KNOWN_ALIASES = {
    "vpc": "network",
    "env": "environment",
    "environment_variables": "environment",
    "ports": "port",
    "albs": "load_balancers",
    "alb": "load_balancers",
    "lbs": "load_balancers",
    "domains": "zones",
    "hosted_zones": "zones",
    "certs": "certificates",
    "memory_mb": "memory",
    "replicas": "desired_count",
    "count": "desired_count",
    "cron": "expression",
    "schedule": "expression",
}

_YAML_BOOLEANS = "YAML reads unquoted yes/no/on/off/true/false as true or false"


def _type_message(kind: str, value: Any) -> str:
    hint = ""
    if kind.startswith("int") and isinstance(value, str) and _digits(value.strip()):
        hint = f"; write {escaped(value.strip())} without quotes"
    elif kind.startswith("int") and isinstance(value, str):
        hint = "; give the number alone, without a unit"
    elif kind == "bool_type" and isinstance(value, str) and value.lower() in ("true", "false"):
        hint = f"; write {value.lower()} without quotes"
    elif kind == "string_type" and isinstance(value, int | float | bool):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        hint = f"; quote it: '{escaped(text)}'"
    elif kind == "list_type" and isinstance(value, str):
        hint = f"; write [{escaped(value)}]"
    elif kind in ("dict_type", "model_type") and isinstance(value, list):
        hint = "; write KEY: value lines, not a list of '- ' items"
    elif kind == "list_type" and isinstance(value, dict):
        hint = "; start each item with '- '"
    return f"expected {_TYPE_WORDS[kind]}, found {shown(value)}{hint}"


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx", {})
    value = err.get("input")
    if kind in _TYPE_WORDS:
        return _type_message(kind, value)
    if kind == "literal_error":
        hint = f" ({_YAML_BOOLEANS}: quote it)" if isinstance(value, bool) else ""
        return f"{shown(value)} is not allowed; expected {ctx.get('expected', '')}{hint}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        limit = next(iter(ctx.values()), "")
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"{shown(value)} is out of range: must be {word} {limit}"
    # The found length is counted here: not every pydantic release puts it in ctx.
    found = len(value) if isinstance(value, list | dict | str) else ctx.get("actual_length")
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s), found {found}"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} item(s), found {found}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"{shown(value)} is longer than {ctx.get('max_length')} characters"
    if kind in (Code.SECRET_SHAPE, Code.PERMISSION_SHAPE) and isinstance(value, dict):
        found = ", ".join(shown(k) for k in value) or "an empty mapping"
        return f"{err['msg']}; found {found}"
    if kind in ("value_error", "assertion_error"):
        # An exception a validator did not expect (a parser's own ValueError): its text
        # is the parser's, not ours. The value is still the user's mistake.
        return f"{shown(value)} is not a valid value here"
    return err["msg"]


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _unknown_key(path: Path, data: Any) -> str:
    key = str(path[-1])
    model = _model_at(path[:-1], data)
    if model is None:
        return f"unknown key {shown(key)}"
    allowed = list(model.model_fields)
    hint = suggest(key, allowed)
    if not hint and _KNOWN_ALIASES.get(key.lower()) in allowed:
        hint = f"; did you mean '{_KNOWN_ALIASES[key.lower()]}'?"
    if not hint:
        hint = f"; allowed here: {', '.join(sorted(allowed))}"
    return f"unknown key {shown(key)}{hint}"


#: pydantic's own error types as catalogue codes.
_CODES: dict[str, Code] = {
    "literal_error": Code.VALUE_CHOICE,
    "enum": Code.VALUE_CHOICE,
    "greater_than_equal": Code.VALUE_RANGE,
    "less_than_equal": Code.VALUE_RANGE,
    "greater_than": Code.VALUE_RANGE,
    "less_than": Code.VALUE_RANGE,
    "too_short": Code.VALUE_LENGTH,
    "too_long": Code.VALUE_LENGTH,
    "string_too_short": Code.VALUE_LENGTH,
    "string_too_long": Code.VALUE_LENGTH,
}


_CATALOGUED = frozenset(c.value for c in Code)


def code_of(kind: str) -> Code:
    """The catalogue code of a pydantic error type; never the type itself."""
    if kind in _CODES:
        return _CODES[kind]
    if kind in _CATALOGUED:  # the named types raise errors whose type is their code
        return Code(kind)
    if kind in _TYPE_WORDS or kind.endswith(("_type", "_parsing")):
        return Code.VALUE_TYPE
    return Code.VALUE_INVALID


def _issue(err: ErrorDetails, data: Any) -> Issue:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        path = _data_path(loc, data)
        return Issue(path, _unknown_key(path, data), code=Code.KEY_UNKNOWN, at_key=True)
    if kind == "missing":
        # The path names the missing key; the place is its parent's key (or the file's top).
        path = (*_data_path(loc[:-1], data), str(loc[-1]))
        return Issue(path, f"missing required key '{loc[-1]}'", code=Code.KEY_MISSING, at_key=True)
    if loc and loc[-1] == "[key]":
        path = _data_path(loc[:-2], data)
        return Issue((*path, loc[-2]), _message(err), code=code_of(kind), at_key=True)
    # A null value has no text of its own to point at: point at its key.
    return Issue(
        _data_path(loc, data), _message(err), code=code_of(kind), at_key=err.get("input") is None
    )


def validate(data: Any) -> tuple[Blueprint | None, list[Issue]]:
    """Validate plain data against the root model; every error, in plain words."""
    try:
        return Blueprint.model_validate(data), []
    except ValidationError as exc:
        return None, [_issue(err, data) for err in exc.errors(include_url=False)]
