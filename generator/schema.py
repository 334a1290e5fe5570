"""The blueprint's JSON schema, generated from the models, for editors and CI."""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

from .model.base import Strict
from .model.blueprint import Blueprint
from .output import canonical_json

SCHEMA_FILE = "blueprint.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema() -> dict[str, Any]:
    """The JSON schema of a blueprint, with every field's description and default."""
    out = Blueprint.model_json_schema(mode="validation")
    _describe(out.get("properties", {}), Blueprint)
    for model in _models(Strict):
        if model.__name__ in out.get("$defs", {}):
            _describe(out["$defs"][model.__name__].get("properties", {}), model)
    out["$schema"] = DIALECT
    out["title"] = "blueprint"
    return out


def schema_text() -> str:
    """The schema as the bytes ``blueprint schema`` writes (canonical JSON)."""
    return canonical_json(schema())


def _models(base: type[Strict]) -> list[type[Strict]]:
    found, todo = [], list(base.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo.extend(model.__subclasses__())
    return found


def _describe(properties: dict[str, Any], model: type[Strict]) -> None:
    """Each field's docstring (the string literal after it in its class) as its
    description, where the field has none of its own."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if isinstance(cls, type) and issubclass(cls, Strict):
            docs.update(_field_docstrings(cls))
    for name, text in docs.items():
        if name in properties and "description" not in properties[name]:
            properties[name]["description"] = text


def _field_docstrings(cls: type) -> dict[str, str]:
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.ClassDef):
        return {}
    out = {}
    for field, after in zip(node.body, node.body[1:], strict=False):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            out[field.target.id] = inspect.cleandoc(after.value.value)
    return out
