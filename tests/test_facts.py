"""The estimate and the drawing are tied to the rendered templates.

For every example and every golden blueprint, the resources that cost money by the hour
are counted straight from the template dicts (not through generator.facts) and each must
be priced by exactly one line of the estimate, with the template's size; every
security-group rule of the templates must be an edge of the drawing.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator import cost, facts, graph, pipeline

from .conftest import HERE, ROOT, first_environment

SOURCES = [
    ROOT / "blueprint.yaml",
    *sorted((ROOT / "examples").glob("*.yaml")),
    *sorted((HERE / "golden").glob("*.yaml")),
]


@functools.cache
def rendered(path: Path) -> tuple[pipeline.Checked, pipeline.Build]:
    checked = pipeline.check(path, path.name, env=first_environment(path))
    return checked, pipeline.render(checked)


def resources(build: pipeline.Build) -> dict[str, tuple[pipeline.RenderedStack, dict[str, Any]]]:
    """Logical ID -> (stack, resource), over every stack of the build."""
    return {k: (s, r) for s in build.stacks for k, r in s.data["Resources"].items()}


def of_type(build: pipeline.Build, type_: str) -> dict[str, dict[str, Any]]:
    return {
        k: r.get("Properties", {}) for k, (_, r) in resources(build).items() if r["Type"] == type_
    }


def priced_by(e: cost.Estimate, logical_id: str, *units: str) -> list[cost.Line]:
    return [x for x in e.lines if logical_id in x.resources and (not units or x.unit in units)]


def target(build: pipeline.Build, stack: pipeline.RenderedStack, value: Any) -> str:
    """The logical ID a Ref/GetAtt names, following a parameter to the stack whose output
    fills it."""
    if "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    name = value["Ref"]
    if name in stack.data["Resources"]:
        return str(name)
    source, _, output = stack.parameter_sources[name]
    home = next(s for s in build.stacks if s.name == source)
    return target(build, home, home.data["Outputs"][output]["Value"])


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_hourly_resource_is_priced_exactly_once(source: Path) -> None:
    checked, build = rendered(source)
    e = cost.estimate(checked)
    every = resources(build)
    assert {i for x in e.lines for i in x.resources} <= set(every)
    for nat in of_type(build, "AWS::EC2::NatGateway"):
        assert len(priced_by(e, nat, "gateway-hour")) == 1, nat
    for lb in of_type(build, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
        [line] = [x for x in priced_by(e, lb) if not x.item.startswith("public IPv4")]
        assert (line.component, line.quantity) == ("load balancers", 730), lb
    for name, p in of_type(build, "AWS::ECS::Service").items():
        stack = every[name][0]
        task = every[target(build, stack, p["TaskDefinition"])][1]["Properties"]
        lines = priced_by(e, name, "vCPU-hour", "task-hour")
        assert len(lines) == len(p["CapacityProviderStrategy"]), name
        memory = priced_by(e, name, "GB-hour")
        if memory:  # Fargate: the task's size is priced, vCPU and memory alike
            vcpu_hours = sum(x.quantity for x in lines) / (int(task["Cpu"]) / 1024)
            gb_hours = sum(x.quantity for x in memory) / (int(task["Memory"]) / 1024)
            assert vcpu_hours == pytest.approx(gb_hours), name
    for name, p in of_type(build, "AWS::EC2::Instance").items():
        [line] = priced_by(e, name, "instance-hour")
        assert p["InstanceType"] in line.item
        assert line.quantity == 730 * len(line.resources)
    for name, p in of_type(build, "AWS::AutoScaling::AutoScalingGroup").items():
        [line] = priced_by(e, name, "instance-hour")
        template = every[p["LaunchTemplate"]["LaunchTemplateId"]["Ref"]][1]["Properties"]
        assert template["LaunchTemplateData"]["InstanceType"] in line.item
        assert line.quantity == 730 * int(p["MinSize"])
    for name, p in of_type(build, "AWS::RDS::DBInstance").items():
        [line] = priced_by(e, name, "instance-hour")
        assert p["DBInstanceClass"] in line.item
        assert line.quantity == 730 * (2 if p["MultiAZ"] else 1)
    for name, p in of_type(build, "AWS::ElastiCache::ReplicationGroup").items():
        [line] = priced_by(e, name, "node-hour")
        assert p["CacheNodeType"] in line.item
        assert line.quantity == 730 * p["NumCacheClusters"]


def public_addresses(build: pipeline.Build) -> Counter[str]:
    """Logical ID -> public IPv4 addresses it holds while it runs (one unit of it)."""
    out: Counter[str] = Counter()
    out.update(dict.fromkeys(of_type(build, "AWS::EC2::EIP"), 1))
    for name, p in of_type(build, "AWS::ElasticLoadBalancingV2::LoadBalancer").items():
        if p["Scheme"] == "internet-facing":
            out[name] = len(p["Subnets"])
    for name, p in of_type(build, "AWS::ECS::Service").items():
        vpc = p.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
        if vpc.get("AssignPublicIp") == "ENABLED":
            out[name] = 1
    for name, p in of_type(build, "AWS::EC2::Instance").items():
        if any(n.get("AssociatePublicIpAddress") for n in p.get("NetworkInterfaces", [])):
            out[name] = 1
    templates = of_type(build, "AWS::EC2::LaunchTemplate")
    for name, p in of_type(build, "AWS::AutoScaling::AutoScalingGroup").items():
        data = templates[p["LaunchTemplate"]["LaunchTemplateId"]["Ref"]]["LaunchTemplateData"]
        if any(n.get("AssociatePublicIpAddress") for n in data.get("NetworkInterfaces", [])):
            out[name] = 1  # per running host
    return out


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_public_ipv4_address_is_priced_exactly_once(source: Path) -> None:
    checked, build = rendered(source)
    e = cost.estimate(checked)
    ipv4 = [x for x in e.lines if x.item.startswith("public IPv4")]
    assert all(x.unit == "address-hour" and x.unit_price == 0.005 for x in ipv4)
    held = public_addresses(build)
    assert Counter(i for x in ipv4 for i in x.resources) == Counter(dict.fromkeys(held, 1))
    for x in ipv4:
        if all(i in of_type(build, "AWS::ECS::Service") for i in x.resources):
            continue  # tasks: per running task, which the schedules decide
        assert x.quantity == 730 * sum(held[i] for i in x.resources), x.item


NO_EGRESS = {"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}


#: The peer of a rule that names CloudFront's origin-facing prefix list.
CLOUDFRONT = ("prefix-list", "cloudfront")


def template_rules(build: pipeline.Build) -> list[tuple[Any, Any, str, Any]]:
    """(source, target, ports, made by) of every rule that admits traffic, inline or a
    resource of its own, with groups named by the entry that owns them."""
    every = resources(build)

    def owner(stack: pipeline.RenderedStack, value: Any) -> tuple[str, str]:
        found = target(build, stack, value)
        home = every[found][0]
        assert every[found][1]["Type"] == "AWS::EC2::SecurityGroup"
        origin = home.origins[found]
        return (str(origin[0]), str(origin[1]))

    outside = {
        lb.existing.security_group: ("load_balancers", lb_name)
        for lb_name, lb in build.checked.blueprint.load_balancers.items()
        if lb.existing is not None
    }
    found = []
    for name, (stack, r) in every.items():
        kind, p = r["Type"], r.get("Properties", {})
        origin = stack.origins[name]
        if kind == "AWS::EC2::SecurityGroup":
            group = (str(origin[0]), str(origin[1]))
            rules = [("ingress", group, x) for x in p.get("SecurityGroupIngress", [])]
            rules += [("egress", group, x) for x in p.get("SecurityGroupEgress", [])]
        elif kind in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            direction = "ingress" if kind.endswith("Ingress") else "egress"
            rules = [(direction, owner(stack, p["GroupId"]), p)]
        else:
            continue
        for direction, group, rule in rules:
            if {k: v for k, v in rule.items() if k != "Description"} == NO_EGRESS:
                continue  # replaces the default allow-all egress; admits nothing
            peer_key = next(k for k in rule if k.startswith(("Cidr", "Source", "Destination")))
            peer = rule[peer_key]
            if isinstance(peer, str) and peer in outside:
                peer = outside[peer]  # an existing load balancer's group, by its ID
            elif isinstance(peer, str):
                peer = graph.INTERNET if peer == "0.0.0.0/0" else ("cidr", peer)
            elif peer_key == "SourcePrefixListId":
                peer = CLOUDFRONT  # the only prefix list blueprint names
            else:
                peer = owner(stack, peer)
            low, high = rule.get("FromPort"), rule.get("ToPort")
            ports = (
                "all traffic"
                if rule["IpProtocol"] == "-1"
                else (str(low) if low == high else f"{low}-{high}")
            )
            source, dest = (peer, group) if direction == "ingress" else (group, peer)
            found.append((source, dest, ports, (str(origin[0]), str(origin[1]))))
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_security_group_rule_is_an_edge(source: Path) -> None:
    checked, build = rendered(source)
    drawn = graph.build(checked.blueprint, facts.read(build))
    rules = template_rules(build)
    assert rules or not of_type(build, "AWS::EC2::SecurityGroup")
    for src, dest, ports, made_by in rules:
        labels = drawn.edges.get((src, dest, "traffic"), set())
        if ports in labels:
            continue
        # CloudFront's origin-facing addresses reach its origin: drawn from the distribution
        assert made_by[0] == "distributions" and src == CLOUDFRONT, (src, dest, ports)
        assert f"{ports} (CloudFront only)" in drawn.edges[(made_by, dest, "traffic")]


def test_rules_that_admit_nothing_are_only_the_no_egress_placeholder() -> None:
    _, build = rendered(ROOT / "examples" / "spring-ecs-ec2-redis.yaml")
    found = facts.read(build)
    silent = [r for r in found.rules if r.admits_nothing]
    assert {r.group for r in silent} == {("caches", "sessions"), ("load_balancers", "web")}
    assert all(r.direction == "egress" for r in silent)


def test_facts_follow_references_across_stacks() -> None:
    _, build = rendered(ROOT / "examples" / "spring-ecs-ec2-redis.yaml")
    found = facts.read(build)
    app1 = next(s for s in found.services if s.entry == ("services", "app1"))
    # the service's stack names the capacity provider through a parameter
    assert app1.strategy == (facts.Share("HostsCapacityProvider", 0, 1, ("ec2_capacity", "hosts")),)
    assert (app1.cpu, app1.memory, app1.public_ip) == (512, 1024, False)
    [hosts] = found.hosts
    assert (hosts.kind, hosts.instance_type, hosts.root_gb, hosts.count, hosts.max_count) == (
        "auto_scaling",
        "r5.large",
        30,
        1,
        2,
    )
    to_cache = [r for r in found.rules if r.group == ("caches", "sessions") and r.low == 6379]
    assert [(r.direction, r.peer) for r in to_cache] == [("ingress", ("ec2_capacity", "hosts"))]


def test_typed_facts_carry_what_the_templates_say() -> None:
    _, build = rendered(ROOT / "examples" / "rails-ec2-rds.yaml")
    found = facts.read(build)
    assert found.databases == (
        facts.Database(
            "MainDatabase",
            ("databases", "main"),
            "mysql",
            "db.t4g.micro",
            20,
            None,
            False,
            60,
            True,
        ),
    )
    assert found.load_balancers == (
        facts.LoadBalancer(
            "WebLoadBalancer", ("load_balancers", "web"), "internet-facing", 2, True
        ),
    )
    images = next(b for b in found.buckets if b.entry == ("buckets", "images"))
    assert (images.versioning, images.noncurrent_days, images.access_logging) == (True, 90, True)
    archive = next(b for b in found.buckets if b.entry[0] == "network")
    assert archive.expiration_days == 365
    _, build = rendered(ROOT / "examples" / "ghost-fargate-efs-cloudfront.yaml")
    lookup, updater = facts.read(build).functions
    assert (lookup.logical_id, lookup.entry) == (
        "CloudFrontPrefixListFunction",
        ("distributions", ""),
    )
    # the DNS updater a service's public_dns adds: its size is read, not assumed
    assert (updater.origin, updater.memory_mb, updater.architecture) == (
        ("services", "ghost", "public_dns"),
        128,
        "arm64",
    )
