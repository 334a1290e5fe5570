"""Identity and trust policies: hosts read no parameter or secret the blueprint does not
name, service-assumed roles refuse a confused deputy where the service lets them, and a
task that mounts EFS through an access point can mount only through it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.pipeline import Build, check, render
from generator.render import grants, iam
from generator.render.hosts import session_manager_statements

from .conftest import HERE

TEMPLATES = sorted((HERE / "golden").rglob("*.json"))

#: AWS managed policies a template may attach: neither reads parameters nor secrets.
ALLOWED_MANAGED = {
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
}
#: What reads a parameter's or a secret's value.
READS_VALUES = {
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
}


def resources(data: dict[str, Any]) -> dict[str, Any]:
    return dict(data.get("Resources", {}))


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def roles(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources(data).items() if v["Type"] == "AWS::IAM::Role"}


def trust(props: dict[str, Any]) -> dict[str, Any]:
    (statement,) = props["AssumeRolePolicyDocument"]["Statement"]
    return dict(statement)


def allowed(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in props.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]


def build(tmp_path: Path, text: str) -> Build:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    return render(check(path, "blueprint.yaml"))


def merged(result: Build) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for stack in result.stacks:
        out.update(stack.data["Resources"])
    return {"Resources": out}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_managed_policy_that_reads_parameters_or_secrets(path: Path) -> None:
    for logical_id, props in roles(load(path)).items():
        arns = {a["Fn::Sub"] for a in props.get("ManagedPolicyArns", [])}
        assert arns <= ALLOWED_MANAGED, (logical_id, sorted(arns - ALLOWED_MANAGED))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_hosts_have_session_manager_and_read_no_values(path: Path) -> None:
    """The examples' instance roles grant no parameter or secret (none is named for them),
    yet keep Session Manager."""
    for logical_id, props in roles(load(path)).items():
        if trust(props)["Principal"]["Service"] != "ec2.amazonaws.com":
            continue
        actions = {a for s in allowed(props) for a in s["Action"]}
        assert not actions & READS_VALUES, logical_id
        assert "ssmmessages:OpenDataChannel" in actions, logical_id
        assert "ssm:UpdateInstanceInformation" in actions, logical_id


def test_session_manager_is_exactly_the_minimal_policy() -> None:
    actions = sorted(a for s in session_manager_statements() for a in s["Action"])
    assert actions == [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_trust_conditions_only_for_services_that_send_them(path: Path) -> None:
    for logical_id, props in roles(load(path)).items():
        statement = trust(props)
        principal = statement["Principal"]["Service"]
        condition = statement.get("Condition", {})
        if principal not in iam.SOURCE_ACCOUNT_PRINCIPALS:
            assert condition == {}, logical_id
            continue
        assert condition["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        if logical_id.endswith("ExecutionRole"):
            # ECS documents aws:SourceArn for task roles only.
            assert "ArnLike" not in condition, logical_id
            continue
        source = condition["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
        prefix = f"arn:${{AWS::Partition}}:{principal.split('.')[0]}:"
        if principal == "ecs-tasks.amazonaws.com":
            prefix = "arn:${AWS::Partition}:ecs:"
        if principal == "monitoring.rds.amazonaws.com":
            prefix = "arn:${AWS::Partition}:rds:"
        assert source.startswith(prefix + "${AWS::Region}:${AWS::AccountId}:"), logical_id


def test_a_source_arn_is_refused_for_a_service_that_does_not_send_it() -> None:
    with pytest.raises(ValueError, match=r"ec2\.amazonaws\.com"):
        iam._trust("ec2.amazonaws.com", iam.arn("ec2", "*"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_service_invocations_of_functions_name_their_source(path: Path) -> None:
    for logical_id, body in resources(load(path)).items():
        if body["Type"] != "AWS::Lambda::Permission":
            continue
        props = body["Properties"]
        assert props["Principal"].endswith(".amazonaws.com"), logical_id
        source = props["SourceArn"]
        text = json.dumps(source)
        # a rule of this stack (GetAtt) or an ARN in this account
        assert "Fn::GetAtt" in text or "${AWS::AccountId}" in text, logical_id


def _access_point(value: dict[str, Any]) -> str:
    """The access point a Ref or GetAtt names, whether in this stack or passed in."""
    if "Ref" in value:
        return str(value["Ref"]).removesuffix("Arn")
    return str(value["Fn::GetAtt"][0])


def _mount_rights(data: dict[str, Any], role_id: str) -> dict[str | None, set[str]]:
    out: dict[str | None, set[str]] = {}
    for s in allowed(roles(data)[role_id]):
        if not any(a.startswith("elasticfilesystem:") for a in s["Action"]):
            continue
        condition = s.get("Condition", {}).get("StringEquals", {})
        ap = condition.get("elasticfilesystem:AccessPointArn")
        out[None if ap is None else _access_point(ap)] = set(s["Action"])
    return out


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mounts_through_access_points_are_held_to_them(path: Path) -> None:
    data = load(path)
    for body in resources(data).values():
        if body["Type"] != "AWS::ECS::TaskDefinition":
            continue
        props = body["Properties"]
        used = {
            _access_point(v["EFSVolumeConfiguration"]["AuthorizationConfig"]["AccessPointId"])
            for v in props.get("Volumes", [])
            if "AccessPointId" in v["EFSVolumeConfiguration"].get("AuthorizationConfig", {})
        }
        rights = _mount_rights(data, props["TaskRoleArn"]["Fn::GetAtt"][0])
        assert {ap for ap in rights if ap is not None} == used


BLUEPRINT = """
name: iamcheck
region: ap-northeast-1
network: {cidr: 10.0.0.0/16, azs: 2, nat: single}
instances:
  web:
    instance_type: t3.micro
    subnets: private
    permissions:
      - ssm_parameters: [/iamcheck/db_url]
ec2_capacity:
  hosts: {instance_type: t3.small, min_size: 1, max_size: 2}
file_systems:
  data:
    access_points:
      app: {path: /app, uid: 1000, gid: 1000}
services:
  worker:
    capacity: hosts
    cpu: 256
    memory: 512
    containers:
      app:
        image: 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/worker:1.0
        mounts:
          - {file_system: data, access_point: app, path: /srv/app, read_only: true}
          - {file_system: data, path: /srv/all}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return merged(build(tmp_path_factory.mktemp("iam"), BLUEPRINT))


def test_an_instance_reads_only_the_parameters_it_names(built: dict[str, Any]) -> None:
    statements = allowed(roles(built)["WebInstanceRole"])
    reads = [s for s in statements if set(s["Action"]) & READS_VALUES]
    assert reads == [
        {
            "Effect": "Allow",
            "Action": ["ssm:GetParameter", "ssm:GetParameters"],
            "Resource": [
                {
                    "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:"
                    "parameter/iamcheck/db_url"
                }
            ],
        }
    ]


def test_container_hosts_act_on_their_cluster_and_pull_their_services_images(
    built: dict[str, Any],
) -> None:
    props = roles(built)["HostsInstanceRole"]
    assert "ManagedPolicyArns" not in props
    by_action = {a: s["Resource"] for s in allowed(props) for a in s["Action"]}
    assert by_action["ecs:RegisterContainerInstance"] == [{"Fn::GetAtt": ["Cluster", "Arn"]}]
    assert by_action["ecs:SubmitTaskStateChange"] == [{"Fn::GetAtt": ["Cluster", "Arn"]}]
    # by the cluster condition, so that short container-instance ARNs match too
    [poll] = [s for s in allowed(props) if "ecs:Poll" in s["Action"]]
    assert (poll["Resource"], poll["Condition"]) == (
        "*",
        {"ArnEquals": {"ecs:cluster": {"Fn::GetAtt": ["Cluster", "Arn"]}}},
    )
    assert by_action["ecr:BatchGetImage"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:ecr:ap-northeast-1:123456789012:repository/worker"}
    ]
    assert "ecs:CreateCluster" not in by_action
    assert not any(a.startswith("logs:") for a in by_action)
    stars = {a for a, r in by_action.items() if r == ["*"]}
    assert stars == {
        "ecr:GetAuthorizationToken",
        "ecs:DiscoverPollEndpoint",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    }


def test_a_read_only_mount_through_an_access_point_is_held_to_it(built: dict[str, Any]) -> None:
    assert _mount_rights(built, "WorkerTaskRole") == {
        "DataAppAccessPoint": {"elasticfilesystem:ClientMount"},
        None: {"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"},
    }


def test_efs_mount_statement_shape() -> None:
    through = grants.efs_mount("fs-arn", "ap-arn", write=False)
    assert through == {
        "Effect": "Allow",
        "Action": ["elasticfilesystem:ClientMount"],
        "Resource": ["fs-arn"],
        "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": "ap-arn"}},
    }
    assert "Condition" not in grants.efs_mount("fs-arn", None, write=True)
