"""Tags applied to every taggable resource of a template."""

from __future__ import annotations

from collections.abc import Mapping

from troposphere import Tags, Template

_TAG_PROPERTIES = ("Tags", "HostedZoneTags")


def apply(template: Template, tags: Mapping[str, str]) -> None:
    """Merge ``tags`` into each resource that takes them; a resource's own tags (``Name``)
    win over the blueprint's. The property's shape (list or map) comes from troposphere."""
    if not tags:
        return
    for resource in template.resources.values():
        for prop in _TAG_PROPERTIES:
            if prop not in resource.props:
                continue
            expected = resource.props[prop][0]
            current = resource.properties.get(prop)
            if expected is dict:
                merged = {**tags, **(current or {})}
                setattr(resource, prop, dict(sorted(merged.items())))
            else:
                own = {t["Key"]: t["Value"] for t in current.to_dict()} if current else {}
                setattr(resource, prop, Tags(**dict(sorted({**tags, **own}.items()))))
