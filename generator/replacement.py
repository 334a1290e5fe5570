"""Which property changes make CloudFormation replace a resource, from the resource provider
schemas cfn-lint ships (``createOnlyProperties``), offline; and which types hold data."""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

#: Replacements the provider schemas do not declare but CloudFormation performs (its
#: documentation says "Update requires: Replacement" for these).
KNOWN_GAPS: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::Table": ("/properties/KeySchema", "/properties/LocalSecondaryIndexes"),
}

#: Types whose replacement or removal loses data (or, for a hosted zone, its delegation):
#: a replacement leaves the application pointed at a new, empty resource whatever the
#: DeletionPolicy of the old one.
STATEFUL_TYPES = frozenset(
    {
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::EFS::FileSystem",
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::CacheCluster",
        "AWS::Route53::HostedZone",
        "AWS::EC2::Volume",
        "AWS::SQS::Queue",
        "AWS::KMS::Key",
        "AWS::SecretsManager::Secret",
        "AWS::Cognito::UserPool",
        "AWS::OpenSearchService::Domain",
        "AWS::Logs::LogGroup",
    }
)


@cache
def _schemas_dir() -> Path:
    """cfn-lint's bundled schemas, found without importing cfn-lint (which takes most of a
    second): a build whose lint results are all cached never imports it."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@cache
def _provider_index(region: str) -> dict[str, str]:
    text = _schemas_dir().joinpath("providers", f"{region}.json").read_text("utf-8")
    index: dict[str, str] = json.loads(text)
    return index


@cache
def create_only(region: str, resource_type: str) -> tuple[tuple[str, ...], ...]:
    """The create-only property paths of a type, as tuples of segments after
    ``/properties`` (``*`` stands for any list index). Unknown types have none."""
    pointers = list(KNOWN_GAPS.get(resource_type, ()))
    pointers += _schema(region, resource_type).get("createOnlyProperties", [])
    paths = set()
    for pointer in pointers:
        parts = pointer.split("/")[1:]
        if parts and parts[0] == "properties":
            paths.add(tuple(parts[1:]))
    return tuple(sorted(paths))


def matches(changed: tuple[str | int, ...], pointer: tuple[str, ...]) -> bool:
    """Does a change at ``changed`` touch the create-only ``pointer``? Either may be the
    longer: a changed parent object contains the pointer, a changed leaf lies inside it."""
    return all(b in ("*", str(a)) for a, b in zip(changed, pointer, strict=False))


def is_stateful(resource_type: str) -> bool:
    return resource_type in STATEFUL_TYPES


@cache
def _schema(region: str, resource_type: str) -> dict[str, Any]:
    digest = _provider_index(region).get(resource_type)
    if digest is None:
        return {}
    schema: dict[str, Any] = json.loads(
        _schemas_dir().joinpath("resources", f"{digest}.json").read_text("utf-8")
    )
    return schema


def attribute_is_list(region: str, resource_type: str, attribute: str) -> bool:
    """Is ``Fn::GetAtt [X, attribute]`` of this type a list (``SecurityGroups`` of a load
    balancer, ``NameServers`` of a zone), from the type's provider schema?"""
    schema = _schema(region, resource_type)
    node: Any = schema
    for part in attribute.split("."):
        while isinstance(node, dict) and "$ref" in node:
            node = _follow(schema, node["$ref"])
        node = node.get("properties", {}).get(part) if isinstance(node, dict) else None
        if node is None:
            return False
    while isinstance(node, dict) and "$ref" in node:
        node = _follow(schema, node["$ref"])
    kind = node.get("type") if isinstance(node, dict) else None
    return kind == "array" or (isinstance(kind, list) and "array" in kind)


def _follow(schema: dict[str, Any], pointer: str) -> Any:
    node: Any = schema
    for part in pointer.removeprefix("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node
