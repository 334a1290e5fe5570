"""The strict base every blueprint model inherits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Unknown keys are errors, values are not coerced across types, models are frozen.

    Field docstrings become the JSON schema's descriptions, which editors show.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        use_attribute_docstrings=True,
        validate_default=False,
        # Validators are built once, for the root model, when a blueprint is first
        # validated, instead of once per model class at import: start-up is faster.
        defer_build=True,
    )
