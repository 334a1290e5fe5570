"""Pinned logical IDs: ``logical_ids: {NewId: OldId}`` keeps a resource's old ID when its
blueprint entry is renamed, so CloudFormation updates it instead of replacing it.

Applied to the rendered template data, before serialization: the resource is renamed and
every Ref, GetAtt, Sub variable, DependsOn and output that names it follows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def _rename_value(value: Any, ids: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                out[key] = ids.get(item, item)
            elif key == "Fn::GetAtt" and isinstance(item, list) and item:
                out[key] = [ids.get(item[0], item[0]), *item[1:]]
            elif key == "Fn::Sub":
                out[key] = _rename_sub(item, ids)
            else:
                out[key] = _rename_value(item, ids)
        return out
    if isinstance(value, list):
        return [_rename_value(item, ids) for item in value]
    return value


def _rename_sub(item: Any, ids: Mapping[str, str]) -> Any:
    def swap(text: str, local: set[str]) -> str:
        def one(match: re.Match[str]) -> str:
            name, rest = match.group(1), match.group(2) or ""
            if name in local:
                return match.group(0)
            return "${" + ids.get(name, name) + rest + "}"

        return re.sub(r"\$\{([A-Za-z0-9]+)((?:\.[A-Za-z0-9.]+)?)\}", one, text)

    if isinstance(item, str):
        return swap(item, set())
    if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict):
        return [swap(item[0], set(item[1])), _rename_value(item[1], ids)]
    return _rename_value(item, ids)


def apply(template: dict[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """``template`` with the resources named in ``ids`` renamed, and references following."""
    present = {k: v for k, v in ids.items() if k in template.get("Resources", {})}
    if not present:
        return template
    out: dict[str, Any] = _rename_value(template, present)
    resources = {}
    for logical_id, resource in out["Resources"].items():
        if "DependsOn" in resource:
            deps = resource["DependsOn"]
            resource["DependsOn"] = (
                [present.get(d, d) for d in deps]
                if isinstance(deps, list)
                else present.get(deps, deps)
            )
        resources[present.get(logical_id, logical_id)] = resource
    out["Resources"] = dict(sorted(resources.items()))
    return out
