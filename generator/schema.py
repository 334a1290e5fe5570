"""The blueprint's JSON schema, generated from the models, for editors and CI."""

from __future__ import annotations

from typing import Any

from .model.blueprint import Blueprint
from .output import canonical_json

SCHEMA_FILE = "blueprint.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema() -> dict[str, Any]:
    """The JSON schema of a blueprint, with every field's description and default."""
    out = Blueprint.model_json_schema(mode="validation")
    out["$schema"] = DIALECT
    out["title"] = "blueprint"
    return out


def schema_text() -> str:
    """The schema as the bytes ``blueprint schema`` writes (canonical JSON)."""
    return canonical_json(schema())
