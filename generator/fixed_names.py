"""Replacements CloudFormation refuses: a resource with a custom name keeps its name while it
is replaced. CloudFormation creates the new resource before it deletes the old one, so two
would hold one name; it fails the stack's update instead ("You can't perform an update that
causes a custom-named resource to be replaced. If you must replace the resource, specify a
new name.", https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
aws-properties-name.html), and rolls it back.

Which property is a type's name comes from its provider schema
(:func:`generator.replacement.name_property`), not from a list of ours.

A security group rule is refused the same way: removed under one logical ID and added
under another, the new one is created before the old one is deleted, and EC2 refuses a
second identical rule (``InvalidPermission.Duplicate``,
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
:func:`duplicate_rules` finds such a pair for the diff; :func:`kept_rules` keeps a rule's
ID from the last build so that a build does not make one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from . import pinning, replacement
from .propagation import Key, Spread

#: What the diff says of such a replacement; the reason follows it.
MESSAGE = "CloudFormation cannot replace a resource that has a custom name"


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _props(templates: Mapping[str, Mapping[str, Any]], key: Key) -> tuple[str, dict[str, Any]]:
    resources = templates.get(key[0], {}).get("Resources", {})
    body = resources.get(key[1]) if isinstance(resources, dict) else None
    if not isinstance(body, dict):
        return "", {}
    props = body.get("Properties", {})
    return str(body.get("Type", "")), props if isinstance(props, dict) else {}


def blocked(
    old: Mapping[str, Mapping[str, Any]], spread: Spread, verdicts: Mapping[Key, str]
) -> dict[Key, str]:
    """Each replaced resource whose custom name stays as it is, with what to do about it.
    Even where the name is unique only within a parent that changes too (an ECS service
    moved to a new cluster), CloudFormation refuses: "The stack update fails if you change
    any properties that require replacement and the ServiceName is configured" (the
    AWS::ECS::Service provider schema, ServiceName)."""
    out: dict[Key, str] = {}
    for key, verdict in sorted(verdicts.items()):
        if verdict != "replaced":
            continue
        kind, new = _props(spread.templates, key)
        was, before = _props(old, key)
        region = spread.regions.get(key[0], spread.default_region)
        name = replacement.name_property(region, kind)
        if name is None or was != kind or name not in new:
            continue
        if _same(spread, key[0], before.get(name), new[name]):
            out[key] = (
                f"{MESSAGE}: its {name} stays {_shown(new[name])}; rename it (a new name "
                "lets CloudFormation create the new one before it deletes the old), or undo "
                "the change that replaces it"
            )
    return out


def _same(spread: Spread, stack: str, before: Any, after: Any) -> bool:
    """Does a property keep its value: written the same, and referring to nothing that
    moves?"""
    return before == after and spread.change(stack, after, stack) is None


#: Security group rules of their own, which EC2 refuses twice with the same properties.
RULE_TYPES = ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")


def rule_key(resource: Any) -> str | None:
    """What makes a security group rule one EC2 refuses twice: its type and properties
    (group, protocol, ports, peer), not its description; None for any other resource."""
    if not isinstance(resource, dict) or resource.get("Type") not in RULE_TYPES:
        return None
    props = resource.get("Properties")
    if not isinstance(props, dict):
        return None
    same = {k: v for k, v in props.items() if k != "Description"}
    return json.dumps([resource["Type"], same], sort_keys=True)


def rule_ids(template: Mapping[str, Any]) -> dict[str, str]:
    """Rule (:func:`rule_key`) -> logical ID, for the security group rules of one stack's
    ``template``; a rule found twice (a hand-edited template) is left out."""
    resources = template.get("Resources")
    found: dict[str, list[str]] = {}
    for logical_id, body in resources.items() if isinstance(resources, dict) else ():
        key = rule_key(body)
        if key is not None:
            found.setdefault(key, []).append(logical_id)
    return {k: v[0] for k, v in found.items() if len(v) == 1}


def kept_rules(
    data: Mapping[str, Any], last: Mapping[str, str], taken: Collection[str]
) -> dict[str, str]:
    """New ID -> old ID for each security group rule of ``data`` (a template as rendered,
    before it is split into stacks) that the last build held under another ID (``last``:
    :func:`generator.previous.rule_ids`), when that ID is not ``taken`` by a resource of
    this build: kept, the rule stays as deployed instead of being created anew beside
    itself. The rule names its group (``GroupId``), so it is the one its group's stack
    held."""
    out: dict[str, str] = {}
    for logical_id, body in data.get("Resources", {}).items():
        old = last.get(rule_key(body) or "")
        if old is not None and old != logical_id and old not in taken:
            out[logical_id] = old
    return out


def keep_rules(
    data: dict[str, Any], origins: dict[str, Any], last: Mapping[str, str], taken: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``data`` and ``origins`` with the rules :func:`kept_rules` finds renamed to the IDs
    they keep, which are ``taken`` from then on."""
    kept = kept_rules(data, last, taken)
    taken.update(kept.values())
    return pinning.apply(data, kept), {kept.get(k, k): v for k, v in origins.items()}


def duplicate_rules(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, str]:
    """Added ID -> why the deploy fails, for each security group rule of a stack's ``new``
    resources that the stack's ``old`` ones hold, identical, under an ID that is removed."""
    was = rule_ids({"Resources": {k: v for k, v in old.items() if k not in new}})
    out: dict[str, str] = {}
    for logical_id, body in new.items():
        before = was.get(rule_key(body) or "") if logical_id not in old else None
        if before is not None:
            out[logical_id] = (
                f"EC2 refuses a second identical rule (InvalidPermission.Duplicate): "
                f"CloudFormation creates this one before it deletes {before}, the same rule "
                f"under its old ID; keep that ID (logical_ids: {{{logical_id}: {before}}})"
            )
    return out
