"""Existing infrastructure by ID: a VPC and its subnets, a listener to add routes to, a
certificate by ARN, and outside tables and queues in permissions. Nothing of them is
created; the templates use the IDs given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator import diff, naming
from generator.cli import main
from generator.errors import InternalError
from generator.model.aws_ids import load_balancer_full_name
from generator.model.blueprint import Blueprint
from generator.output import canonical_json
from generator.pipeline import check, render
from generator.sections.network import needs

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "existing-infrastructure.yaml"
GOLDEN = ROOT / "tests" / "golden" / "examples" / "existing-infrastructure"
VPC = "vpc-0a1b2c3d4e5f60718"
PRIVATE = ["subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"]
LISTENER = (
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared-web/"
    "0a1b2c3d4e5f6071/8293a4b5c6d7e8f9"
)
LB_GROUP = "sg-0a1b2c3d4e5f60718"

NETWORK_MADE = {
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::Route",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::NatGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::FlowLog",
}


def _golden() -> dict[str, dict[str, Any]]:
    """Logical ID -> resource, over every stack of the example's expected templates."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(GOLDEN.glob("*.json")):
        out.update(json.loads(path.read_text())["Resources"])
    return out


def test_the_example_creates_no_network_and_uses_the_ids_given() -> None:
    found = _golden()
    types = {r["Type"] for r in found.values()}
    assert "AWS::ECS::Service" in types  # the templates are read
    assert types & NETWORK_MADE == set()
    groups = [r for r in found.values() if r["Type"] == "AWS::EC2::SecurityGroup"]
    targets = [r for r in found.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"]
    assert len(groups) == 2 and len(targets) == 2
    assert {r["Properties"]["VpcId"] for r in groups + targets} == {VPC}
    services = [r for r in found.values() if r["Type"] == "AWS::ECS::Service"]
    for service in services:
        awsvpc = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert awsvpc["Subnets"] == PRIVATE


def test_the_listener_gets_rules_and_target_groups_only() -> None:
    build = render(check(EXAMPLE))
    made: dict[str, str] = {}
    for stack in build.stacks:
        for logical_id, origin in stack.origins.items():
            if origin[:2] == ("load_balancers", "shared"):
                made[logical_id] = stack.data["Resources"][logical_id]["Type"]
    assert made == {
        "SharedApiRule": "AWS::ElasticLoadBalancingV2::ListenerRule",
        "SharedApiTargetGroup": "AWS::ElasticLoadBalancingV2::TargetGroup",
        "SharedAdminRule": "AWS::ElasticLoadBalancingV2::ListenerRule",
        "SharedAdminTargetGroup": "AWS::ElasticLoadBalancingV2::TargetGroup",
        # asked for with `certificate:`
        "SharedListenerCertificate": "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    }
    found = _golden()
    assert {r["Type"] for r in found.values()}.isdisjoint(
        {"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener"}
    )
    rules = {k: found[k]["Properties"] for k in ("SharedApiRule", "SharedAdminRule")}
    assert {k: (p["ListenerArn"], p["Priority"]) for k, p in rules.items()} == {
        "SharedApiRule": (LISTENER, 4100),
        "SharedAdminRule": (LISTENER, 4110),
    }
    certificate = found["SharedListenerCertificate"]["Properties"]
    assert certificate["ListenerArn"] == LISTENER
    assert certificate["Certificates"] == [
        {
            "CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/"
            "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
        }
    ]


def test_services_admit_the_listeners_group_and_leave_it_untouched() -> None:
    found = _golden()
    ingress = found["ApiServiceFromSg0a1b2c3d4e5f60718Port8080"]["Properties"]
    assert ingress["SourceSecurityGroupId"] == LB_GROUP
    assert ingress["GroupId"] == {"Fn::GetAtt": ["ApiServiceSecurityGroup", "GroupId"]}
    assert (ingress["FromPort"], ingress["ToPort"]) == (8080, 8080)
    egress = [r for r in found.values() if r["Type"] == "AWS::EC2::SecurityGroupEgress"]
    assert [e for e in egress if e["Properties"]["GroupId"] == LB_GROUP] == []


def _statements(found: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = found[role]["Properties"]["Policies"]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def test_outside_bucket_and_queue_are_scoped_to_their_arns() -> None:
    found = _golden()
    api = {tuple(s["Action"]): s["Resource"] for s in _statements(found, "ApiTaskRole")}
    assert api[("s3:GetObject",)] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::billing-invoices-eu/*"}
    ]
    send = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
    assert api[send] == [
        {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:fulfilment-orders"}
    ]
    admin = [s["Resource"] for s in _statements(found, "AdminTaskRole")]
    assert admin == [["arn:aws:sqs:eu-west-1:123456789012:fulfilment-orders"]]


def _build(tmp_path: Path, body: str) -> dict[str, Any]:
    path = tmp_path / "blueprint.yaml"
    path.write_text(f"name: net\nregion: eu-west-1\n{body}")
    checked = check(path)
    assert checked.warnings == []
    build = render(checked)
    return {k: v for stack in build.stacks for k, v in stack.data["Resources"].items()}


EXISTING_NETWORK = """
network:
  existing:
    vpc_id: vpc-0a1b2c3d
    public_subnets: [subnet-0a1b2c3d, subnet-1a1b2c3d]
    private_subnets: [subnet-2a1b2c3d, subnet-3a1b2c3d]
"""


def test_created_load_balancer_and_database_sit_in_the_existing_subnets(tmp_path: Path) -> None:
    body = (
        EXISTING_NETWORK
        + """
load_balancers:
  web:
    https: false
    http: forward
    routes:
      - service: api
databases:
  main:
    engine: postgres
    version: "16.15"
services:
  api:
    containers:
      app: {image: nginx:1.27, port: 80}
"""
    )
    found = _build(tmp_path, body)
    assert found["WebLoadBalancer"]["Properties"]["Subnets"] == [
        "subnet-0a1b2c3d",
        "subnet-1a1b2c3d",
    ]
    subnet_groups = [r for r in found.values() if r["Type"] == "AWS::RDS::DBSubnetGroup"]
    assert [g["Properties"]["SubnetIds"] for g in subnet_groups] == [
        ["subnet-2a1b2c3d", "subnet-3a1b2c3d"]
    ]
    assert {r["Type"] for r in found.values()} & NETWORK_MADE == set()


def test_an_existing_network_needs_no_nat_and_warns_of_none(tmp_path: Path) -> None:
    found = _build(
        tmp_path,
        EXISTING_NETWORK + "services:\n  w:\n    containers:\n      app: {image: nginx:1.27}\n",
    )
    assert {r["Type"] for r in found.values()} & NETWORK_MADE == set()
    bp = Blueprint.model_validate(
        {
            "name": "x",
            "region": "eu-west-1",
            "network": {
                "existing": {"vpc_id": "vpc-0a1b2c3d", "private_subnets": ["subnet-0a1b2c3d"]}
            },
            "services": {"w": {"containers": {"app": {"image": "nginx:1.27"}}}},
        }
    )
    assert needs.nat(bp) == "none"
    assert needs.zones(bp, "private") == 1 and needs.zones(bp, "public") == 0


def test_request_count_scaling_names_the_existing_load_balancer() -> None:
    assert load_balancer_full_name(LISTENER) == "app/shared-web/0a1b2c3d4e5f6071"


def test_a_number_a_removed_route_held_on_the_existing_listener_is_refused(tmp_path: Path) -> None:
    """The last build's rules on the existing listener (read back by their literal
    ListenerArn) hold their numbers: a route given the number of a rule this build removes
    would fail the deploy, since CloudFormation deletes the old rule last."""
    from generator import previous
    from generator.codes import Code
    from generator.errors import BlueprintError

    last = previous.route_priorities(
        {p.stem: json.loads(p.read_text()) for p in GOLDEN.glob("*.json")}
    )
    assert last["SharedAdminRule"].listener == LISTENER
    text = EXAMPLE.read_text()
    text = text.replace("        priority: 4100\n", "        priority: 4110\n")
    start = text.index("      - service: admin\n")
    text = text[:start] + text[text.index("\nservices:") + 1 :]
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    try:
        check(path, "blueprint.yaml", last)
    except BlueprintError as exc:
        assert [p.code for p in exc.problems] == [Code.ROUTE_PRIORITY_HELD]
        assert "rule SharedAdminRule, of a route this build removes" in exc.problems[0].message
    else:
        raise AssertionError("the held number was accepted")
    assert check(path, "blueprint.yaml", {}).warnings == []  # no state: nothing is held


def test_cloudfront_takes_an_existing_us_east_1_certificate_without_a_stack_there(
    tmp_path: Path,
) -> None:
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        f"""name: site
region: eu-west-1
zones:
  main: {{domain: example.com, existing_id: Z0123456789ABCDEFGHIJ}}
certificates:
  cdn: {{existing_arn: "{arn}"}}
buckets:
  site: {{}}
distributions:
  www:
    origin: {{bucket: site}}
    aliases: [www.example.com]
    certificate: cdn
"""
    )
    build = render(check(path))
    assert [(s.name, s.region) for s in build.stacks] == [("site", "eu-west-1")]
    resources = build.stacks[0].data["Resources"]
    config = resources["WwwDistribution"]["Properties"]["DistributionConfig"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == arn
    types = {r["Type"] for r in resources.values()}
    assert "AWS::CertificateManager::Certificate" not in types


def test_outside_queue_and_table_names_and_arns_have_their_shapes() -> None:
    from pydantic import TypeAdapter, ValidationError

    from generator.model.aws_ids import QueueNameOrArn, TableNameOrArn

    queue: TypeAdapter[str] = TypeAdapter(QueueNameOrArn)
    table: TypeAdapter[str] = TypeAdapter(TableNameOrArn)
    long_name = "q" * 80
    for good in (
        "orders",
        "orders.fifo",
        long_name,
        f"arn:aws:sqs:eu-west-1:123456789012:{long_name}",
        "arn:aws-cn:sqs:cn-north-1:123456789012:orders.fifo",
    ):
        assert queue.validate_python(good) == good
    for bad in ("orders.fifo.old", "q" * 81, f"arn:aws:sqs:eu-west-1:1234:{long_name}", "a b"):
        try:
            queue.validate_python(bad)
        except ValidationError as exc:
            assert exc.errors()[0]["type"] == "aws-id-invalid"
        else:
            raise AssertionError(f"{bad!r} was accepted")
    assert table.validate_python("arn:aws:dynamodb:eu-west-1:123456789012:table/Orders.v2")
    try:
        table.validate_python("arn:aws:dynamodb:eu-west-1:123456789012:Orders")
    except ValidationError as exc:
        assert exc.errors()[0]["type"] == "aws-id-invalid"
    else:
        raise AssertionError("a table ARN without 'table/' was accepted")


def test_request_count_scaling_on_an_existing_listener_names_its_load_balancer(
    tmp_path: Path,
) -> None:
    body = (
        EXISTING_NETWORK
        + f"""
load_balancers:
  shared:
    existing: {{listener_arn: "{LISTENER}", security_group: {LB_GROUP}}}
    routes:
      - {{service: api, paths: ["/api/*"], priority: 7}}
services:
  api:
    containers:
      app: {{image: nginx:1.27, port: 80}}
    scaling: {{min: 1, max: 4, requests_per_target: 500}}
"""
    )
    found = _build(tmp_path, body)
    [policy] = [
        r for r in found.values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
    ]
    spec = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    label = spec["PredefinedMetricSpecification"]["ResourceLabel"]["Fn::Sub"]
    assert label[1]["LoadBalancer"] == "app/shared-web/0a1b2c3d4e5f6071"
    assert label[1]["TargetGroup"] == {
        "Fn::GetAtt": ["SharedApiTargetGroup", "TargetGroupFullName"]
    }


SHARED_LISTENER = (
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/"
    "0a1b2c3d4e5f6071/8293a4b5c6d7e8f9"
)
SHARED_ENTRY = """
  {name}:
    existing:
      listener_arn: {listener}
      security_group: sg-0a1b2c3d4e5f60718
    routes:
      - {{service: api, hosts: [{name}.example.com], priority: {priority}}}"""
SHARED_API = """
services:
  api:
    containers:
      app: {image: nginx:1.27, port: 8080}
"""
#: the one rule admitting the shared group to api, named after the group, not an entry
SHARED_RULE = "ApiServiceFromSg0a1b2c3d4e5f60718Port8080"


def _shared(*entries: tuple[str, int]) -> str:
    lbs = "".join(
        SHARED_ENTRY.format(name=name, listener=SHARED_LISTENER, priority=priority)
        for name, priority in entries
    )
    return f"name: net\nregion: eu-west-1\n{EXISTING_NETWORK}load_balancers:{lbs}{SHARED_API}"


def test_two_entries_sharing_a_group_admit_it_to_a_service_once(tmp_path: Path) -> None:
    body = _shared(("admin", 10), ("public", 20)).removeprefix("name: net\nregion: eu-west-1\n")
    found = _build(tmp_path, body)
    ingress = [
        (k, r["Properties"]["SourceSecurityGroupId"], r["Properties"]["FromPort"])
        for k, r in found.items()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
        and "SourceSecurityGroupId" in r["Properties"]
    ]
    # EC2 refuses a second identical rule (InvalidPermission.Duplicate)
    assert ingress == [(SHARED_RULE, "sg-0a1b2c3d4e5f60718", 8080)]
    rules = [r for r in found.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"]
    assert sorted(r["Properties"]["Priority"] for r in rules) == [10, 20]


def test_removing_the_entry_that_held_the_shared_rule_leaves_it_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Named after an entry, the rule would be created anew under the next one before the
    old one is deleted, and EC2 refuses the duplicate: the deploy would fail."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprint.yaml").write_text(_shared(("admin", 10), ("public", 20)))
    # the first build's templates, as `blueprint build` writes them (without its lint,
    # which the tests of the build itself run)
    (tmp_path / "templates_out").mkdir()
    for stack in render(check(tmp_path / "blueprint.yaml")).stacks:
        text = canonical_json(stack.data)
        (tmp_path / "templates_out" / f"{stack.name}.json").write_text(text)
    first = json.loads((tmp_path / "templates_out" / "net-service-api.json").read_text())
    [rule] = [
        k
        for k, r in first["Resources"].items()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
        and "SourceSecurityGroupId" in r["Properties"]
    ]
    assert rule == SHARED_RULE
    (tmp_path / "blueprint.yaml").write_text(_shared(("public", 20)))
    capsys.readouterr()
    assert main(["diff", "--format", "tsv"]) == diff.EXIT_CHANGES
    # admin's rule and target group go; the ingress it held is not mentioned
    assert capsys.readouterr().out.splitlines() == [
        "net-service-api\tAdminApiRule\tremoved",
        "net-service-api\tAdminApiTargetGroup\tremoved",
        "net-service-api\tApiService\tin_place",
    ]


#: The example's rules from the listener's group as the builds before they were named after
#: the group made them (the goldens of e00bfb2^): named after the entry, ``shared``.
OLD_RULES = {
    "ApiServiceFromSg0a1b2c3d4e5f60718Port8080": "ApiServiceFromSharedLoadBalancerPort8080",
    "AdminServiceFromSg0a1b2c3d4e5f60718Port8080": "AdminServiceFromSharedLoadBalancerPort8080",
}


def _ingress_from_the_listener(templates: dict[str, Any]) -> dict[str, str]:
    return {
        k: stack
        for stack, data in templates.items()
        for k, r in data["Resources"].items()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
        and r["Properties"].get("SourceSecurityGroupId") == LB_GROUP
    }


def test_rules_deployed_under_their_old_ids_keep_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Renamed, a rule would be created under its new ID before the old one is deleted,
    and EC2 refuses the duplicate: a stack built before the rename keeps the old IDs."""
    last = tmp_path / "templates_out"
    last.mkdir()
    for path in sorted(GOLDEN.glob("*.json")):
        text = path.read_text()
        for new, old in OLD_RULES.items():
            text = text.replace(new, old)
        text = text.replace(f"Load balancer {LB_GROUP} to", "Load balancer shared to")
        (last / path.name).write_text(text)
    capsys.readouterr()
    assert main(["diff", str(EXAMPLE), "--out", str(last), "--format", "tsv"]) == 10
    # kept: each changes its description in place, and nothing is added or removed
    assert capsys.readouterr().out.splitlines() == [
        f"orders-service-{svc}\t{svc.title()}ServiceFromSharedLoadBalancerPort8080\tin_place"
        for svc in ("admin", "api")
    ]
    # a fresh build names them after the group
    fresh = {s.name: s.data for s in render(check(EXAMPLE)).stacks}
    assert _ingress_from_the_listener(fresh) == {
        "AdminServiceFromSg0a1b2c3d4e5f60718Port8080": "orders-service-admin",
        "ApiServiceFromSg0a1b2c3d4e5f60718Port8080": "orders-service-api",
    }


def test_an_instance_group_named_like_the_listeners_group_gets_rules_of_its_own(
    tmp_path: Path,
) -> None:
    """The stem of a group the blueprint makes ends in its kind, so an entry named like
    the existing group's ID names no rule the listener's group has."""
    body = EXAMPLE.read_text().replace(
        "        priority: 4110\n",
        "        priority: 4110\n"
        f"      - instances: {LB_GROUP}\n"
        "        hosts: [web.orders.example.com]\n"
        "        priority: 4120\n"
        "        port: 8080\n",
    )
    body += f"\ninstances:\n  {LB_GROUP}:\n    instance_type: t3.micro\n    subnets: private\n"
    path = tmp_path / "blueprint.yaml"
    path.write_text(body)
    found = {s.name: s.data for s in render(check(path)).stacks}
    assert _ingress_from_the_listener(found) == {
        "AdminServiceFromSg0a1b2c3d4e5f60718Port8080": "orders-service-admin",
        "ApiServiceFromSg0a1b2c3d4e5f60718Port8080": "orders-service-api",
        "Sg0a1b2c3d4e5f60718InstancesFromSg0a1b2c3d4e5f60718Port8080": "orders",
    }


def test_two_different_rules_under_one_id_are_a_bug_not_one_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Were two rules ever given one ID, the second would be dropped without a word."""
    monkeypatch.setattr(naming, "ingress", lambda *_args: "OneRule")
    with pytest.raises(InternalError, match="both named OneRule"):
        render(check(EXAMPLE))
