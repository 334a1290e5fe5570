"""Pinned logical IDs: ``logical_ids: {NewId: OldId}`` keeps a resource's old ID when its
blueprint entry is renamed, so CloudFormation updates it instead of replacing it.

Applied to the rendered template data, before serialization: the resource is renamed and
every Ref, GetAtt, Sub variable, DependsOn and output that names it follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import template


def apply(data: dict[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """``data`` with the resources named in ``ids`` renamed, and references following."""
    present = {k: v for k, v in ids.items() if k in data.get("Resources", {})}
    if not present:
        return data
    out: dict[str, Any] = template.rewrite(data, present, "template")
    renamed = ((present.get(k, k), body) for k, body in out["Resources"].items())
    out["Resources"] = dict(sorted(renamed))
    return out
