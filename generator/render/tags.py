"""Tags applied to every taggable resource of a template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from troposphere import AWSObject, Tags, Template, autoscaling, encode_to_dict

_TAG_PROPERTIES = ("Tags", "HostedZoneTags", "FileSystemTags")


def _current(resource: AWSObject, prop: str) -> dict[str, Any]:
    value = resource.properties.get(prop)
    if value is None:
        return {}
    data = encode_to_dict(value)
    if isinstance(data, dict):
        return dict(data)
    return {t["Key"]: t["Value"] for t in data}


def _shaped(resource: AWSObject, prop: str, merged: dict[str, Any]) -> Any:
    """The merged tags in the shape this resource type takes (from troposphere's props)."""
    expected = resource.props[prop][0]
    if expected is dict:
        return merged
    if resource.resource_type == "AWS::AutoScaling::AutoScalingGroup":
        return [autoscaling.Tag(k, v, True) for k, v in merged.items()]
    if isinstance(expected, list):
        return [expected[0](Key=k, Value=v) for k, v in merged.items()]
    return Tags(**merged)


def apply(template: Template, tags: Mapping[str, str]) -> None:
    """Merge ``tags`` into each resource that takes them; a resource's own tags (``Name``)
    win over the blueprint's."""
    if not tags:
        return
    for resource in template.resources.values():
        for prop in _TAG_PROPERTIES:
            if prop in resource.props:
                merged = dict(sorted({**tags, **_current(resource, prop)}.items()))
                setattr(resource, prop, _shaped(resource, prop, merged))
