"""Services reached by name (``allow_from`` on a service): the callee's security group
admits exactly the groups of the callers named, each caller learns the address through
``{ref: services.NAME.url}``, and every service stack still reads only the main stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator import pipeline

from .conftest import ROOT
from .test_facts import rendered

EXAMPLE = ROOT / "examples" / "web-worker-jobs-rds.yaml"
CALLEE_GROUP = "PricingServiceSecurityGroup"


def _located(build: pipeline.Build) -> dict[str, tuple[str, dict[str, Any]]]:
    """Logical ID -> (stack name, resource), over every stack."""
    return {k: (s.name, r) for s in build.stacks for k, r in s.data["Resources"].items()}


def _names(value: Any) -> str:
    """The logical ID a GroupId names: a GetAtt in its own stack, or a parameter named
    after it (``PricingServiceSecurityGroupGroupId``) in another."""
    if "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    return str(value["Ref"]).removesuffix("GroupId")


def _rules_of(build: pipeline.Build, kind: str, key: str) -> dict[str, tuple[str, str]]:
    """Rules of one kind touching the callee's group: the other group -> (stack, rule)."""
    found = {}
    for logical_id, (stack, r) in _located(build).items():
        props = r.get("Properties", {})
        if r["Type"] != kind:
            continue
        if kind.endswith("Ingress") and _names(props["GroupId"]) == CALLEE_GROUP:
            assert set(props) >= {"SourceSecurityGroupId"} and "CidrIp" not in props
            found[_names(props["SourceSecurityGroupId"])] = (stack, logical_id)
        elif kind.endswith("Egress") and _names(props.get(key, {"Ref": ""})) == CALLEE_GROUP:
            found[_names(props["GroupId"])] = (stack, logical_id)
    return found


def _environment(build: pipeline.Build, task: str) -> dict[str, Any]:
    _, r = _located(build)[task]
    [container] = r["Properties"]["ContainerDefinitions"]
    return {e["Name"]: e["Value"] for e in container["Environment"]}


def test_the_private_service_admits_exactly_its_callers() -> None:
    _, build = rendered(EXAMPLE)
    located = _located(build)
    stack, group = located[CALLEE_GROUP]
    assert stack == "shop"  # the main stack: callers' stacks refer to it, never to each other
    assert "SecurityGroupIngress" not in group["Properties"]  # no CIDR, nothing inline
    ingress = _rules_of(build, "AWS::EC2::SecurityGroupIngress", "")
    assert ingress == {
        "WebServiceSecurityGroup": ("shop-service-web", "PricingServiceFromWebServicePort9000"),
        "NightlyReportJobSecurityGroup": ("shop", "PricingServiceFromNightlyReportJobPort9000"),
    }
    egress = _rules_of(build, "AWS::EC2::SecurityGroupEgress", "DestinationSecurityGroupId")
    assert set(egress) == set(ingress)
    _, service = located["PricingService"]
    awsvpc = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert awsvpc["AssignPublicIp"] == "DISABLED"
    assert [s["Ref"] for s in awsvpc["Subnets"]] == ["PrivateSubnet1", "PrivateSubnet2"]
    assert "LoadBalancers" not in service["Properties"]


def test_callers_get_the_address_and_the_tasks_register_under_it() -> None:
    _, build = rendered(EXAMPLE)
    url = "http://pricing.shop.internal:9000"
    assert _environment(build, "WebTaskDefinition")["PRICING_URL"] == url
    assert _environment(build, "NightlyReportJobTaskDefinition")["PRICING_URL"] == url
    located = _located(build)
    [namespace] = [k for k, (_, r) in located.items() if "Namespace" in r["Type"]]
    stack, ns = located[namespace]
    assert (stack, ns["Properties"]["Name"]) == ("shop", "shop.internal")
    stack, registry = located["PricingDiscoveryService"]
    assert stack == "shop-service-pricing"
    assert registry["Properties"]["Name"] == "pricing"
    assert registry["Properties"]["DnsConfig"]["DnsRecords"] == [{"TTL": 10, "Type": "A"}]
    _, service = located["PricingService"]
    assert service["Properties"]["ServiceRegistries"] == [
        {"RegistryArn": {"Fn::GetAtt": ["PricingDiscoveryService", "Arn"]}}
    ]


def test_every_service_stack_reads_only_the_main_stack() -> None:
    """So the service stacks deploy in any order after the main stack."""
    _, build = rendered(EXAMPLE)
    services = [s for s in build.stacks if s.name.startswith("shop-service-")]
    assert len(services) == 3
    for stack in services:
        assert {source for source, _, _ in stack.parameter_sources.values()} == {"shop"}


def test_removing_a_caller_removes_its_rules(tmp_path: Path) -> None:
    text = EXAMPLE.read_text()
    for old, new in [
        ("allow_from: [web, nightly-report]", "allow_from: [nightly-report]"),
        ("          PRICING_URL: {ref: services.pricing.url}   # http", "          # http"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / EXAMPLE.name
    path.write_text(text)
    build = pipeline.render(pipeline.check(path, path.name))
    ingress = _rules_of(build, "AWS::EC2::SecurityGroupIngress", "")
    assert set(ingress) == {"NightlyReportJobSecurityGroup"}
    egress = _rules_of(build, "AWS::EC2::SecurityGroupEgress", "DestinationSecurityGroupId")
    assert set(egress) == {"NightlyReportJobSecurityGroup"}
    [web] = [s for s in build.stacks if s.name == "shop-service-web"]
    assert "PricingServiceSecurityGroupGroupId" not in web.data["Parameters"]


def test_no_namespace_without_a_service_reached_by_name() -> None:
    _, build = rendered(ROOT / "blueprint.yaml")
    types = {r["Type"] for s in build.stacks for r in s.data["Resources"].values()}
    assert "AWS::ECS::Service" in types
    assert not {t for t in types if t.startswith("AWS::ServiceDiscovery::")}


def test_a_service_behind_a_load_balancer_may_be_called_by_name_too(tmp_path: Path) -> None:
    """Its group admits the load balancer and the callers named, each rule in the stack of
    what it admits; its address is the name, for the callers."""
    text = EXAMPLE.read_text()
    old = "    scaling: {min: 2, max: 8, cpu: 60}\n"
    assert text.count(old) == 1
    text = text.replace(old, old + "    allow_from: [worker]\n")
    old = "        command: [bin/worker]\n        environment:\n"
    assert text.count(old) == 1
    text = text.replace(old, old + "          WEB_URL: {ref: services.web.url}\n")
    path = tmp_path / EXAMPLE.name
    path.write_text(text)
    build = pipeline.render(pipeline.check(path, path.name))
    located = _located(build)
    assert located["WebServiceSecurityGroup"][0] == "shop"
    sources = {
        _names(r["Properties"]["SourceSecurityGroupId"]): stack
        for stack, r in located.values()
        if r["Type"] == "AWS::EC2::SecurityGroupIngress"
        and _names(r["Properties"]["GroupId"]) == "WebServiceSecurityGroup"
    }
    assert sources == {
        "WebLoadBalancerSecurityGroup": "shop-service-web",
        "WorkerServiceSecurityGroup": "shop-service-worker",
    }
    assert _environment(build, "WorkerTaskDefinition")["WEB_URL"] == "http://web.shop.internal:8080"
    for stack in build.stacks:
        sources = {source for source, _, _ in stack.parameter_sources.values()}
        assert sources <= {"shop", "shop-zones"}  # the main stack, and the zone's ID


def test_a_name_with_an_underscore_is_a_host_name_with_a_hyphen(tmp_path: Path) -> None:
    """'_' is valid in an entry name, not in a host name (RFC 1123): the Cloud Map name
    and the address callers get both use '-'."""
    text = EXAMPLE.read_text()
    assert text.count("pricing") > 3
    path = tmp_path / EXAMPLE.name
    path.write_text(text.replace("pricing", "price_list"))
    build = pipeline.render(pipeline.check(path, path.name))
    located = _located(build)
    [registry] = [r for _, r in located.values() if r["Type"] == "AWS::ServiceDiscovery::Service"]
    assert registry["Properties"]["Name"] == "price-list"
    url = "http://price-list.shop.internal:9000"
    assert _environment(build, "WebTaskDefinition")["PRICING_URL"] == url
