"""The strict base every blueprint model inherits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown keys are errors, values are not coerced across types, models are frozen.

    Field docstrings become the JSON schema's descriptions, which editors show: read by
    :mod:`generator.schema` when it writes the schema, not by pydantic at every start-up
    (``use_attribute_docstrings`` parses the source of every model class: a third of the
    time it takes to import the models).
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        validate_default=False,
        # Validators are built once, for the root model, when a blueprint is first
        # validated, instead of once per model class at import: start-up is faster.
        defer_build=True,
    )
