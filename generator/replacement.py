"""Which property changes make CloudFormation replace a resource, from the resource provider
schemas cfn-lint ships (``createOnlyProperties``), offline; and which types hold data."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

#: Replacements the provider schemas do not declare but CloudFormation performs (its
#: documentation says "Update requires: Replacement" for these).
KNOWN_GAPS: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::Table": ("/properties/KeySchema", "/properties/LocalSecondaryIndexes"),
}

#: Types whose name need not be unique, so that a replacement under the same name succeeds:
#: Route 53 takes several hosted zones of one name ("you can create more than one hosted
#: zone with the same name",
#: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-working-with.html).
NAMES_NOT_UNIQUE = frozenset({"AWS::Route53::HostedZone"})

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


def values_at(value: Any, pointer: tuple[str, ...]) -> Iterator[Any]:
    """Values found at a create-only pointer (``*`` walks every list item)."""
    if not pointer:
        yield value
        return
    head, rest = pointer[0], pointer[1:]
    if head == "*" and isinstance(value, list):
        for item in value:
            yield from values_at(item, rest)
    elif isinstance(value, dict) and head in value:
        yield from values_at(value[head], rest)


def in_prose(resource_type: str, old: Any, new: Any) -> tuple[str, ...]:
    """Replacements the provider schemas state only in prose, for the properties ``old``
    and ``new`` of a resource of this type: what each replacing change is."""
    if resource_type == "AWS::EC2::VPC":
        # "Updating InstanceTenancy from default to dedicated requires replacement"
        # (InstanceTenancy, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/
        # aws-resource-ec2-vpc.html#cfn-ec2-vpc-instancetenancy; the provider schema's
        # description, not its createOnlyProperties)
        def tenancy(props: Any) -> Any:
            return props.get("InstanceTenancy", "default") if isinstance(props, dict) else None

        dedicated = tenancy(old) == "default" and tenancy(new) == "dedicated"
        return ("InstanceTenancy",) if dedicated else ()
    if resource_type != "AWS::DynamoDB::Table":
        return ()

    # "Changing the type of an existing AttributeDefinition requires replacement of the
    # table" (AttributeDefinitions, https://docs.aws.amazon.com/AWSCloudFormation/latest/
    # UserGuide/aws-resource-dynamodb-table.html#cfn-dynamodb-table-attributedefinitions;
    # the provider schema's description says the same, its createOnlyProperties do not).
    # Only key attributes (of the table and its indexes) are defined there.
    def types(props: Any) -> dict[str, Any]:
        listed = props.get("AttributeDefinitions") if isinstance(props, dict) else None
        items = listed if isinstance(listed, list) else []
        return {
            a["AttributeName"]: a.get("AttributeType")
            for a in items
            if isinstance(a, dict) and isinstance(a.get("AttributeName"), str)
        }

    before, after = types(old), types(new)
    return tuple(
        f"AttributeDefinitions/{name}/AttributeType"
        for name in sorted(before.keys() & after.keys())
        if before[name] != after[name]
    )


def _top_level(region: str, resource_type: str) -> tuple[set[str], list[str]]:
    """The type's top-level create-only properties, and those of its primary identifier."""
    schema = _schema(region, resource_type)

    def named(pointers: list[str]) -> list[str]:
        return [str(p).split("/")[2] for p in pointers if str(p).count("/") == 2]

    return set(named(schema.get("createOnlyProperties", []))), named(
        schema.get("primaryIdentifier", [])
    )


@cache
def name_property(region: str, resource_type: str) -> str | None:
    """The property that gives a resource of this type its custom name, from its provider
    schema: the type's one primary identifier when that is a create-only name or ID (a Lambda
    function's ``FunctionName``, an RDS instance's ``DBInstanceIdentifier``), else a
    create-only ``<Type>Name`` or ``Name`` (an ECS service's ``ServiceName``, a queue's
    ``QueueName``, a load balancer's ``Name``). CloudFormation cannot replace a resource
    whose name stays the same (https://docs.aws.amazon.com/AWSCloudFormation/latest/
    TemplateReference/aws-properties-name.html: "You can't perform an update that causes a
    custom-named resource to be replaced")."""
    if resource_type in NAMES_NOT_UNIQUE:
        return None
    top, ids = _top_level(region, resource_type)
    # a lone identifier that names another resource (a bucket policy's Bucket) is no name
    if len(ids) == 1 and ids[0] in top and ids[0].endswith(("Name", "Identifier", "Id")):
        return ids[0]
    for candidate in (resource_type.rsplit("::", 1)[-1] + "Name", "Name"):
        if candidate in top:
            return candidate
    return None


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
