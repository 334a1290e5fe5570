"""Security and data-safety properties, checked on every expected template."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.render.iam import UNSCOPABLE_ACTIONS

from .conftest import HERE

TEMPLATES = sorted((HERE / "golden").rglob("*.json"))
STATEFUL = {
    "AWS::RDS::DBInstance": "Snapshot",
    "AWS::EFS::FileSystem": "Retain",
    "AWS::DynamoDB::Table": "Retain",
    "AWS::S3::Bucket": "Retain",
    "AWS::ElastiCache::ReplicationGroup": "Snapshot",
    "AWS::Logs::LogGroup": "Retain",
    "AWS::Route53::HostedZone": "Retain",
}


def resources(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()).get("Resources", {}))


def statements(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    props = resource.get("Properties", {})
    for policy in props.get("Policies", []):
        yield from policy["PolicyDocument"]["Statement"]
    if "PolicyDocument" in props:
        yield from props["PolicyDocument"]["Statement"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_wildcard_resources_only_for_unscopable_actions(path: Path) -> None:
    for logical_id, resource in resources(path).items():
        for statement in statements(resource):
            targets = statement.get("Resource", [])
            targets = targets if isinstance(targets, list) else [targets]
            if statement["Effect"] == "Allow" and "*" in targets:
                actions = statement["Action"]
                actions = set(actions if isinstance(actions, list) else [actions])
                assert actions <= UNSCOPABLE_ACTIONS, f"{logical_id}: {sorted(actions)}"
            if statement["Effect"] == "Allow":
                actions = statement["Action"]
                actions = actions if isinstance(actions, list) else [actions]
                assert not any(a == "*" or a.endswith(":*") for a in actions), logical_id


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stateful_resources_are_protected(path: Path) -> None:
    for logical_id, resource in resources(path).items():
        policy = STATEFUL.get(resource["Type"])
        if policy is None:
            continue
        assert resource.get("DeletionPolicy") == policy, logical_id
        assert resource.get("UpdateReplacePolicy") == policy, logical_id
        props = resource["Properties"]
        if resource["Type"] == "AWS::RDS::DBInstance":
            assert props["DeletionProtection"] is True
            assert props["StorageEncrypted"] is True
            assert "MasterUserPassword" not in props
        if resource["Type"] == "AWS::DynamoDB::Table":
            assert props["DeletionProtectionEnabled"] is True


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_admin_or_data_port_is_open_to_the_world(path: Path) -> None:
    for logical_id, resource in resources(path).items():
        if resource["Type"] != "AWS::EC2::SecurityGroupIngress":
            continue
        props = resource["Properties"]
        if props.get("CidrIp") == "0.0.0.0/0":
            assert props["FromPort"] in (80, 443), logical_id


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_instances_require_imdsv2_and_encrypt_their_disks(path: Path) -> None:
    for logical_id, resource in resources(path).items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::EC2::LaunchTemplate":
            props = props["LaunchTemplateData"]
        elif resource["Type"] != "AWS::EC2::Instance":
            continue
        assert props["MetadataOptions"]["HttpTokens"] == "required", logical_id
        assert all(m["Ebs"]["Encrypted"] is True for m in props["BlockDeviceMappings"])


def test_the_walk_sees_every_kind_it_checks() -> None:
    kinds = {r["Type"] for path in TEMPLATES for r in resources(path).values()}
    assert set(STATEFUL) - kinds == set()
    assert {"AWS::EC2::Instance", "AWS::EC2::LaunchTemplate", "AWS::IAM::Role"} <= kinds
