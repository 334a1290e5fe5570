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
#: (DeletionPolicy, UpdateReplacePolicy): a retained resource is deleted when the create
#: that made it rolls back (RetainExceptOnCreate), kept on every later deletion.
KEPT = ("RetainExceptOnCreate", "Retain")
STATEFUL = {
    "AWS::RDS::DBInstance": ("Snapshot", "Snapshot"),
    "AWS::EFS::FileSystem": KEPT,
    "AWS::DynamoDB::Table": KEPT,
    "AWS::S3::Bucket": KEPT,
    "AWS::ElastiCache::ReplicationGroup": ("Snapshot", "Snapshot"),
    "AWS::Logs::LogGroup": KEPT,
    "AWS::Route53::HostedZone": KEPT,
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
            held = "ecs:cluster" in statement.get("Condition", {}).get("ArnEquals", {})
            if statement["Effect"] == "Allow" and "*" in targets and not held:
                # "*" held to one cluster by the ecs:cluster condition is as narrow as an ARN
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
        assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == policy, (
            logical_id
        )
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


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_load_balancers_are_protected_and_logged(path: Path) -> None:
    """Deletion protection and access logs on, invalid headers dropped: unless the blueprint
    turned them off, and then the template says so."""
    for logical_id, resource in resources(path).items():
        if resource["Type"] != "AWS::ElasticLoadBalancingV2::LoadBalancer":
            continue
        attributes = {
            a["Key"]: a["Value"] for a in resource["Properties"]["LoadBalancerAttributes"]
        }
        assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
        skips = {s["id"] for s in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])}
        if path.parent.name == "opt_outs":
            assert attributes["deletion_protection.enabled"] == "false", logical_id
            assert attributes["access_logs.s3.enabled"] == "false", logical_id
            assert skips == {"CKV_AWS_91"}
            continue
        assert attributes["deletion_protection.enabled"] == "true", logical_id
        assert attributes["access_logs.s3.enabled"] == "true", logical_id
        assert attributes["access_logs.s3.bucket"] == {"Ref": "AccessLogArchive"}
        assert resource["DependsOn"] == ["AccessLogArchivePolicy"], logical_id
        assert skips == set()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_vpc_has_flow_logs_or_says_why_not(path: Path) -> None:
    found = resources(path)
    for logical_id, resource in found.items():
        if resource["Type"] != "AWS::EC2::VPC":
            continue
        logs = [r for r in found.values() if r["Type"] == "AWS::EC2::FlowLog"]
        if path.parent.name == "opt_outs":
            assert logs == []
            assert "flow_logs" in resource["Metadata"]["blueprint"], logical_id
            continue
        assert [r["Properties"]["ResourceId"] for r in logs] == [{"Ref": logical_id}]
        assert logs[0]["Properties"]["TrafficType"] == "ALL"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_data_is_encrypted_at_rest_and_in_transit(path: Path) -> None:
    for logical_id, resource in resources(path).items():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::ElastiCache::ReplicationGroup":
            assert props["AtRestEncryptionEnabled"] is True, logical_id
            assert props["TransitEncryptionEnabled"] is True, logical_id
        elif kind == "AWS::EFS::FileSystem":
            assert props["Encrypted"] is True, logical_id
        elif kind == "AWS::S3::Bucket":
            rules = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
            assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
        elif kind == "AWS::DynamoDB::Table":
            assert props["SSESpecification"]["SSEEnabled"] is True, logical_id
        elif kind == "AWS::SQS::Queue":
            assert props["SqsManagedSseEnabled"] is True, logical_id


#: The parameter that makes each engine refuse connections without TLS.
TLS_PARAMETERS = {"mysql": "require_secure_transport", "mariadb": "require_secure_transport"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_database_requires_tls_or_says_why_not(path: Path) -> None:
    """Every MySQL, MariaDB and PostgreSQL instance has a parameter group of its own, in
    the same template, that turns on the engine's TLS-only parameter; or the blueprint
    turned it off and the instance says so."""
    found = resources(path)
    for logical_id, resource in found.items():
        if resource["Type"] != "AWS::RDS::DBInstance":
            continue
        props = resource["Properties"]
        if "require_tls" in resource.get("Metadata", {}).get("blueprint", {}):
            assert "DBParameterGroupName" not in props, logical_id
            continue
        group = found[props["DBParameterGroupName"]["Ref"]]
        assert group["Type"] == "AWS::RDS::DBParameterGroup", logical_id
        engine = props["Engine"]
        parameter = TLS_PARAMETERS.get(engine, "rds.force_ssl")
        assert group["Properties"]["Parameters"] == {parameter: "1"}, logical_id
        assert group["Properties"]["Family"].startswith(engine), logical_id


def test_the_tls_test_sees_both_kinds_of_database() -> None:
    """The test above reads a golden with a TLS group and one that opts out."""
    kinds = set()
    for path in TEMPLATES:
        for resource in resources(path).values():
            if resource["Type"] == "AWS::RDS::DBInstance":
                kinds.add("DBParameterGroupName" in resource["Properties"])
    assert kinds == {True, False}


def test_the_ghost_origin_admits_only_cloudfront() -> None:
    """No rule admits 0.0.0.0/0 to the CloudFront origin: port 80 of the Ghost service is
    open to CloudFront's origin-facing prefix list, looked up in the main stack."""
    ghost = HERE / "golden" / "examples" / "ghost-fargate-efs-cloudfront"
    service = resources(ghost / "ghost-blog-service-ghost.json")
    rules = {
        k: r["Properties"]
        for k, r in service.items()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
        and r["Properties"]["GroupId"] == {"Fn::GetAtt": ["GhostServiceSecurityGroup", "GroupId"]}
    }
    assert all("CidrIp" not in p and "CidrIpv6" not in p for p in rules.values())
    origin = rules["GhostServiceFromCloudFrontPort80"]
    assert origin["SourcePrefixListId"] == {"Ref": "CloudFrontPrefixListPrefixListId"}
    assert (origin["FromPort"], origin["ToPort"]) == (80, 80)
    main = resources(ghost / "ghost-blog.json")
    lookup = main["CloudFrontPrefixList"]
    assert lookup["Type"] == "Custom::PrefixList"
    assert lookup["Properties"]["PrefixListName"] == "com.amazonaws.global.cloudfront.origin-facing"
    # CloudFront sends a secret header whose value is in no template: a dynamic reference
    # to a generated secret, which the origin's container receives as an ECS secret.
    (origin_config,) = main["BlogDistribution"]["Properties"]["DistributionConfig"]["Origins"]
    (header,) = origin_config["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Origin-Verify"
    assert header["HeaderValue"] == {
        "Fn::Sub": [
            "{{resolve:secretsmanager:${Secret}:SecretString}}",
            {"Secret": {"Ref": "BlogDistributionOriginSecret"}},
        ]
    }
    assert "GenerateSecretString" in main["BlogDistributionOriginSecret"]["Properties"]
    containers = service["GhostTaskDefinition"]["Properties"]["ContainerDefinitions"]
    nginx = next(c for c in containers if c["Name"] == "nginx")
    assert nginx["Secrets"] == [
        {"Name": "ORIGIN_VERIFY_BLOG", "ValueFrom": {"Ref": "BlogDistributionOriginSecret"}}
    ]
