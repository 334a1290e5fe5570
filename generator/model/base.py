"""The strict base every blueprint model inherits.

The modules that define models do without ``from __future__ import annotations``: with
it, every field's annotation is text that pydantic compiles and evaluates when the class
is created, which costs each start about 4 ms more than annotations that are already
values (a validator returns ``Self``; a name defined further down is written in quotes).
"""

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
