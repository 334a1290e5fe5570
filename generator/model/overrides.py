"""The shape of ``overrides:``: a property path of a rendered resource, and a value a
template can hold. What the path names is checked against the rendered templates and the
provider schemas once they exist (:mod:`generator.overrides`)."""

from __future__ import annotations

import datetime
import math
from typing import Annotated, Any

from pydantic import AfterValidator

from ..codes import Code
from ..errors import shown
from .types import compiled, refuse

#: What an override may change: the resource's properties, and its two deletion policies.
#: ``DependsOn`` orders resources across the stacks blueprint splits (a dependency on a
#: resource of another stack is invalid); ``Condition``, ``Metadata``, ``CreationPolicy``,
#: ``UpdatePolicy`` and ``Type`` are blueprint's to set.
POLICIES = ("DeletionPolicy", "UpdateReplacePolicy")

#: The resource attributes an override may not change (beside DependsOn).
_ATTRIBUTES = ("Condition", "Metadata", "CreationPolicy", "UpdatePolicy", "Type")

#: A segment of a path: a name (ASCII letters, digits, underscores: what property names
#: and the keys under them are) or a list index, ``[0-9]+``; ``str.isdigit`` would take
#: ``²`` too, which is no index.
_SEGMENT = r"[A-Za-z0-9_]+"


def _path(value: str) -> str:
    parts = value.split(".")
    if not all(compiled(_SEGMENT).fullmatch(p) for p in parts):
        raise refuse(
            Code.OVERRIDE_PATH_INVALID,
            f"{shown(value)} is not a property path: names (ASCII letters, digits and "
            "underscores) or list indexes (0, 1, ...) joined by single dots, like "
            "'Properties.DeploymentConfiguration.Alarms'",
        )
    if parts[0] in POLICIES and len(parts) == 1:
        return value
    if parts[0] == "Properties" and len(parts) > 1:
        return value
    if parts[0] == "Properties":
        hint = "name the property: 'Properties.NAME'"
    elif parts[0] in POLICIES:
        hint = f"'{parts[0]}' is one value, with nothing under it"
    elif parts[0] == "DependsOn":
        hint = "'DependsOn' is blueprint's to set: it orders resources across the stacks it splits"
    elif parts[0][:1].isupper() and parts[0] not in _ATTRIBUTES:
        hint = f"did you mean 'Properties.{value}'?"
    else:
        hint = f"{shown(parts[0])} is blueprint's to set"
    raise refuse(
        Code.OVERRIDE_PATH_INVALID,
        "an override changes 'Properties.NAME...', 'DeletionPolicy' or 'UpdateReplacePolicy'; "
        + hint,
    )


def _not_json(value: Any, where: str) -> str | None:
    """What in ``value`` a JSON template cannot hold, and where, or None."""
    if isinstance(value, dict):
        return next((w for k, v in value.items() if (w := _not_json(v, f"{where}.{k}"))), None)
    if isinstance(value, list):
        return next((w for i, v in enumerate(value) if (w := _not_json(v, f"{where}[{i}]"))), None)
    if isinstance(value, str | bool | int) or value is None:
        return None
    at = f" at {where.removeprefix('.')}" if where else ""
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return f"{value}{at} is not a number a template can hold"
    hint = f"; quote it: '{value.isoformat()}'" if isinstance(value, datetime.date) else ""
    return f"{shown(value)}{at} cannot be written to a template{hint}"


def _value(value: Any) -> Any:
    problem = _not_json(value, "")
    if problem is not None:
        raise refuse(Code.OVERRIDE_VALUE_NOT_JSON, problem)
    return value


OverridePath = Annotated[str, AfterValidator(_path)]
"""Where in a rendered resource an override writes: ``Properties.NAME[.NAME|.INDEX...]``,
``DeletionPolicy`` or ``UpdateReplacePolicy``."""

OverrideValue = Annotated[Any, AfterValidator(_value)]
"""What an override writes: plain data a JSON template holds; null removes the value."""
