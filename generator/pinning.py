"""Pinned logical IDs: ``logical_ids: {NewId: OldId}`` keeps a resource's old ID when its
blueprint entry is renamed, so CloudFormation updates it instead of replacing it.

Applied to the rendered template data, before serialization: the resource is renamed and
every Ref, GetAtt, Sub variable, DependsOn and output that names it follows. A pin must
never overwrite a resource, so :func:`conflicts` names each pin that would (the stack
checks report them) and :func:`usable` keeps only the others, the ones that are applied.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from . import template


class Why(Enum):
    """Why a pin cannot be applied."""

    #: no resource has the pin's new ID
    UNKNOWN = "unknown"
    #: another resource already has the old ID
    TAKEN = "taken"
    #: an earlier pin (in the order of new IDs) already takes the old ID
    SHARED = "shared"
    #: the old ID is itself pinned away by another pin: a chain, or a swap
    CHAINED = "chained"


@dataclass(frozen=True)
class Conflict:
    """A pin that cannot be applied: ``new`` -> ``old``, why, and the other pin's new ID
    for :attr:`Why.SHARED` and :attr:`Why.CHAINED`."""

    new: str
    old: str
    why: Why
    other: str = ""


def conflicts(ids: Mapping[str, str], made: Collection[str]) -> list[Conflict]:
    """Every pin of ``ids`` that cannot be applied to resources with the IDs ``made`` (as
    rendered, before pinning), in the order of new IDs; at most one conflict per pin."""
    out: list[Conflict] = []
    taken_by: dict[str, str] = {}
    for new, old in sorted(ids.items()):
        if new == old:
            continue
        if new not in made:
            out.append(Conflict(new, old, Why.UNKNOWN))
        elif old in taken_by:
            out.append(Conflict(new, old, Why.SHARED, taken_by[old]))
        elif old in ids and ids[old] != old:
            out.append(Conflict(new, old, Why.CHAINED, old))
        elif old in made:
            out.append(Conflict(new, old, Why.TAKEN))
        taken_by.setdefault(old, new)
    return out


def usable(ids: Mapping[str, str], made: Collection[str]) -> dict[str, str]:
    """The pins of ``ids`` that :func:`conflicts` finds nothing wrong with."""
    bad = {c.new for c in conflicts(ids, made)}
    return {new: old for new, old in ids.items() if new not in bad}


def apply(data: dict[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """``data`` with the resources named in ``ids`` renamed, and references following.
    ``ids`` must be :func:`usable`: a pin onto an ID in use would overwrite a resource."""
    present = {k: v for k, v in ids.items() if k in data.get("Resources", {})}
    if not present:
        return data
    out: dict[str, Any] = template.rewrite(data, present, "template")
    renamed = ((present.get(k, k), body) for k, body in out["Resources"].items())
    out["Resources"] = dict(sorted(renamed))
    return out
