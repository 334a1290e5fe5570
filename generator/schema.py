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
    out["properties"][ENVIRONMENTS] = _environments(out)
    out["$schema"] = DIALECT
    out["title"] = "blueprint"
    return out


#: The environments' key and its description (:mod:`generator.environments` reads it; it is
#: no field of the model, which validates each environment's merged document).
ENVIRONMENTS = "environments"
_ENVIRONMENTS = (
    "Deployments of this blueprint, each the base with its overrides merged in (mappings "
    "key by key; lists and scalars replace; null removes a key), built into its own folder "
    "with its own stack names (`<name>-<environment>` unless it sets `name`)."
)
_ACCOUNT = "The AWS account ID the environment deploys to; deploy.sh refuses other credentials."


def _environments(root: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``environments``: each environment's keys are the base's, all
    optional and nullable, with what a mapping merges into made optional all the way
    down (an override of ``services.web.cpu`` alone is whole); what a list holds stays
    whole, since a list replaces the base's."""
    partial: dict[str, Any] = {}
    properties: dict[str, Any] = {
        key: {"anyOf": [_partial(prop, root["$defs"], partial), {"type": "null"}]}
        for key, prop in root["properties"].items()
    }
    properties["account"] = {
        "description": _ACCOUNT,
        "anyOf": [
            {"type": "string", "pattern": "^[0-9]{12}$"},
            {"type": "integer", "minimum": 100_000_000_000, "maximum": 999_999_999_999},
        ],
    }
    environment = {
        "description": "One environment: the AWS account it deploys to, and its overrides.",
        "type": ["object", "null"],
        "properties": dict(sorted(properties.items())),
        "additionalProperties": False,
    }
    return {
        "description": _ENVIRONMENTS,
        "type": "object",
        "minProperties": 1,
        "default": {},
        "propertyNames": {"pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": 20},
        "additionalProperties": environment,
        "$defs": dict(sorted(partial.items())),
    }


_REF = "#/$defs/"
_PARTIAL_REF = f"#/properties/{ENVIRONMENTS}/$defs/"


def _partial(node: Any, defs: dict[str, Any], made: dict[str, Any]) -> Any:
    """``node`` with no key required in any mapping reached through mappings."""
    if isinstance(node, list):
        return [_partial(item, defs, made) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and node["$ref"].startswith(_REF):
        name = node["$ref"][len(_REF) :]
        if name not in made:
            made[name] = {}  # a model that holds itself ends here
            made[name] = _partial(defs[name], defs, made)
        return {**node, "$ref": _PARTIAL_REF + name}
    out = {}
    for key, value in node.items():
        if key in ("required", "discriminator", "default"):
            continue  # a variant's tag may be left to the base; a default is the base's
        if key in ("items", "prefixItems", "const", "enum"):
            out[key] = value  # a list replaces the base's: its items are whole
        elif key == "oneOf":
            out["anyOf"] = _partial(value, defs, made)  # partial variants may overlap
        elif key == "properties":
            out[key] = {k: _partial(v, defs, made) for k, v in value.items()}
        else:
            out[key] = _partial(value, defs, made)
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
