"""Who reaches each database, cache, file system and service reached by name: read from
the templates, compared with what the blueprint says.

A second opinion on generator/model/reach.py: nothing here uses it. From the rendered
templates alone (every stack, a parameter followed to the output that fills it), a
target's security groups are read off the resource (RDS ``VPCSecurityGroups``, the
ElastiCache ``SecurityGroupIds``, every EFS mount target's ``SecurityGroups``, the groups of
an ECS service registered in Cloud Map, on each of its containers' ports); each ingress
rule on one of them that covers the target's port admits a CIDR block or a source group;
a source group admits every workload that carries it: a service with its own groups, an
instance, the hosts of an EC2 capacity and, through them, every service whose tasks run on
those hosts without groups of their own (the shared group). The blueprint's side is its
``allow_from`` (a service, a job, an instance group, an EC2 capacity with what runs on it, or a
CIDR block) and, for a file system, the services and jobs that mount it. A service reached by
name admits its load balancers too, whose group no workload carries: they add no entry. A
job's groups are read from how it is started: its schedule's ``EcsParameters``, or the
outputs deploy.sh reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.errors import BlueprintError
from generator.model.types import is_cidr

from .conftest import ROOT
from .test_facts import SOURCES, rendered

Entry = tuple[str, str]  # (section, name), or ("cidr", block)
Where = tuple[str, str]  # (stack name, logical ID)


class Templates:
    """Every stack of one build, with references followed across stacks."""

    def __init__(self, build: pipeline.Build) -> None:
        self.build = build
        self.stacks = {s.name: s for s in build.stacks}

    def resources(self) -> list[tuple[Where, dict[str, Any]]]:
        return [((s.name, k), r) for s in self.build.stacks for k, r in s.data["Resources"].items()]

    def get(self, where: Where) -> dict[str, Any]:
        return dict(self.stacks[where[0]].data["Resources"][where[1]])

    def locate(self, stack: str, value: Any) -> Where:
        """The resource a Ref or Fn::GetAtt names, through parameters filled by outputs."""
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return (stack, str(value["Fn::GetAtt"][0]))
        assert isinstance(value, dict) and set(value) == {"Ref"}, value
        name = value["Ref"]
        here = self.stacks[stack]
        if name in here.data["Resources"]:
            return (stack, str(name))
        source, _region, output = here.parameter_sources[name]
        return self.locate(source, self.stacks[source].data["Outputs"][output]["Value"])

    def entry(self, where: Where) -> Entry:
        origin = self.stacks[where[0]].origins[where[1]]
        return (str(origin[0]), str(origin[1]))


def _groups_of_service(t: Templates, where: Where, props: dict[str, Any]) -> set[Where]:
    awsvpc = props.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    if "SecurityGroups" in awsvpc:
        return {t.locate(where[0], g) for g in awsvpc["SecurityGroups"]}
    # no groups of its own: its tasks use the network of the hosts they are placed on
    groups: set[Where] = set()
    for share in props["CapacityProviderStrategy"]:
        provider = t.locate(where[0], share["CapacityProvider"])
        asg_ref = t.get(provider)["Properties"]["AutoScalingGroupProvider"]["AutoScalingGroupArn"]
        asg = t.locate(provider[0], asg_ref)
        template = t.get(asg)["Properties"]["LaunchTemplate"]["LaunchTemplateId"]
        data = t.get(t.locate(asg[0], template))["Properties"]["LaunchTemplateData"]
        groups |= {t.locate(asg[0], g) for g in data["SecurityGroupIds"]}
    assert groups, where
    return groups


def _sub_values(value: Any, name: str) -> list[Any]:
    """The values given to ``${name}`` in every Fn::Sub inside an output's value."""
    if isinstance(value, list):
        return [v for item in value for v in _sub_values(item, name)]
    if not isinstance(value, dict):
        return []
    found = []
    if "Fn::Sub" in value and isinstance(value["Fn::Sub"], list) and name in value["Fn::Sub"][1]:
        found.append(value["Fn::Sub"][1][name])
    return found + [v for item in value.values() for v in _sub_values(item, name)]


def _groups_of_jobs(t: Templates) -> dict[Entry, set[Where]]:
    """Job -> the groups its tasks carry, from the ways they are started: a schedule's
    ``EcsParameters``, or the outputs deploy.sh reads to run one after a deploy (the
    network as the CLI takes it; without one, the hosts of its capacity providers)."""
    found: dict[Entry, set[Where]] = {}
    for where, r in t.resources():
        ecs = r["Properties"].get("Target", {}).get("EcsParameters") if "Properties" in r else None
        if r["Type"] == "AWS::Scheduler::Schedule" and ecs is not None:
            found.setdefault(t.entry(where), set()).update(_groups_of_service(t, where, ecs))
    for stack in t.build.stacks:
        outputs = stack.data.get("Outputs", {})
        for key, output in outputs.items():
            if not key.endswith("JobTaskDefinitionArn"):
                continue
            job = key.removesuffix("TaskDefinitionArn")
            entry = t.entry(t.locate(stack.name, output["Value"]))
            groups = _sub_values(outputs.get(f"{job}Network", {}).get("Value"), "Group")
            props: dict[str, Any] = {
                "NetworkConfiguration": {"AwsvpcConfiguration": {"SecurityGroups": groups}}
            }
            if not groups:
                providers = _sub_values(outputs[f"{job}Capacity"]["Value"], "Provider")
                props = {"CapacityProviderStrategy": [{"CapacityProvider": p} for p in providers]}
            found.setdefault(entry, set()).update(_groups_of_service(t, (stack.name, key), props))
    return found


def members(t: Templates) -> dict[Where, set[Entry]]:
    """Security group -> the entries whose traffic carries it."""
    found: dict[Where, set[Entry]] = {}
    for job, groups in _groups_of_jobs(t).items():
        for group in groups:
            found.setdefault(group, set()).add(job)
    for where, r in t.resources():
        props = r.get("Properties", {})
        if r["Type"] == "AWS::ECS::Service":
            groups = _groups_of_service(t, where, props)
        elif r["Type"] == "AWS::EC2::Instance":
            groups = {
                t.locate(where[0], g) for n in props["NetworkInterfaces"] for g in n["GroupSet"]
            }
        elif r["Type"] == "AWS::EC2::LaunchTemplate":
            data = props["LaunchTemplateData"]
            groups = {t.locate(where[0], g) for g in data.get("SecurityGroupIds", [])}
        elif r["Type"] == "AWS::Lambda::Function":
            vpc = props.get("VpcConfig", {})
            groups = {t.locate(where[0], g) for g in vpc.get("SecurityGroupIds", [])}
        else:
            continue
        for group in groups:
            found.setdefault(group, set()).add(t.entry(where))
    return found


def _covers(rule: dict[str, Any], port: int) -> bool:
    if rule["IpProtocol"] in ("-1", -1):
        return True
    return rule["IpProtocol"] == "tcp" and int(rule["FromPort"]) <= port <= int(rule["ToPort"])


def admitted(t: Templates, group: Where, port: int) -> set[Entry]:
    """Who the ingress rules of one security group let in on one port."""
    rules = [
        (group[0], rule) for rule in t.get(group)["Properties"].get("SecurityGroupIngress", [])
    ]
    for where, r in t.resources():
        props = r.get("Properties", {})
        if (
            r["Type"] == "AWS::EC2::SecurityGroupIngress"
            and t.locate(where[0], props["GroupId"]) == group
        ):
            rules.append((where[0], props))
    found: set[Entry] = set()
    everyone = members(t)
    for stack, rule in rules:
        if not _covers(rule, port):
            continue
        if "SourceSecurityGroupId" in rule:
            found |= everyone.get(t.locate(stack, rule["SourceSecurityGroupId"]), set())
        else:
            found.add(("cidr", rule.get("CidrIp") or rule.get("CidrIpv6") or repr(rule)))
    return found


def _ports_of_task(t: Templates, where: Where, props: dict[str, Any]) -> list[int]:
    task = t.get(t.locate(where[0], props["TaskDefinition"]))["Properties"]
    return sorted(
        int(m["ContainerPort"]) for c in task["ContainerDefinitions"] for m in c["PortMappings"]
    )


def reach(t: Templates) -> dict[Entry, set[Entry]]:
    """Database, cache, file system or service reached by name -> every entry that can
    connect to it."""
    found: dict[Entry, set[Entry]] = {}
    for where, r in t.resources():
        props = r.get("Properties", {})
        if r["Type"] == "AWS::ECS::Service" and "ServiceRegistries" in props:
            reached = found.setdefault(t.entry(where), set())
            for group in _groups_of_service(t, where, props):
                for port in _ports_of_task(t, where, props):
                    reached |= admitted(t, group, port)
            continue
        if r["Type"] == "AWS::RDS::DBInstance":
            target, port = t.entry(where), int(props["Port"])
            groups = props["VPCSecurityGroups"]
        elif r["Type"] == "AWS::ElastiCache::ReplicationGroup":
            target, port = t.entry(where), int(props["Port"])
            groups = props["SecurityGroupIds"]
        elif r["Type"] == "AWS::EFS::MountTarget":
            # NFS: https://docs.aws.amazon.com/efs/latest/ug/network-access.html
            target, port = t.entry(t.locate(where[0], props["FileSystemId"])), 2049
            groups = props["SecurityGroups"]
        else:
            continue
        reached = found.setdefault(target, set())
        for g in groups:
            reached |= admitted(t, t.locate(where[0], g), port)
    return found


def intended(blueprint: Any) -> dict[Entry, set[Entry]]:
    """What the blueprint says may connect to each of its data entries."""

    def named(name: str) -> set[Entry]:
        if is_cidr(name):
            return {("cidr", name)}
        if name in blueprint.ec2_capacity:
            on_it = {
                (section, n)
                for section in ("services", "jobs")
                for n, task in getattr(blueprint, section).items()
                if task.ec2_capacity == name
            }
            return {("ec2_capacity", name)} | on_it
        section = next(
            (s for s in ("services", "jobs") if name in getattr(blueprint, s)), "instances"
        )
        return {(section, name)}

    found: dict[Entry, set[Entry]] = {}
    for section in ("databases", "caches", "file_systems"):
        for name, entry in getattr(blueprint, section).items():
            found[(section, name)] = {e for n in entry.allow_from for e in named(n)}
    for name, service in blueprint.services.items():
        if service.allow_from:
            found[("services", name)] = {e for n in service.allow_from for e in named(n)}
    for section in ("services", "jobs"):
        for tname, task in getattr(blueprint, section).items():
            for container in task.containers.values():
                for mount in container.mounts:
                    found[("file_systems", mount.file_system)] |= (
                        named(task.ec2_capacity) if task.ec2_capacity else {(section, tname)}
                    )
    return found


#: Differences between the templates and the blueprint on today's main, each with the item
#: of issue 15 that removes it: (source, target, entry, "extra" or "missing") -> item.
KNOWN: dict[tuple[str, Entry, Entry, str], str] = {}


def differences(source: str, build: pipeline.Build, blueprint: Any) -> set[tuple[Any, ...]]:
    actual = reach(Templates(build))
    expected = intended(blueprint)
    assert set(actual) == set(expected), source
    found = set()
    for target, reached in actual.items():
        found |= {(source, target, e, "extra") for e in reached - expected[target]}
        found |= {(source, target, e, "missing") for e in expected[target] - reached}
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_what_reaches_data_is_what_the_blueprint_says(path: Path) -> None:
    checked, build = rendered(path)
    found = differences(path.name, build, checked.blueprint)
    assert found == {k for k in KNOWN if k[0] == path.name}


def test_the_examples_have_data_reached_through_every_kind_of_group() -> None:
    """The comparison is not vacuous: each example's targets are reached as written."""
    seen = {}
    for path in SOURCES:
        _, build = rendered(path)
        for target, reached in reach(Templates(build)).items():
            seen[(path.name, target)] = reached
    assert seen[("rails-ec2-rds.yaml", ("databases", "main"))] == {("instances", "web")}
    assert seen[("ghost-fargate-efs-cloudfront.yaml", ("file_systems", "content"))] == {
        ("services", "ghost")
    }
    # two services placed on the same hosts reach the cache through the hosts' group
    assert seen[("spring-ecs-ec2-redis.yaml", ("caches", "sessions"))] == {
        ("ec2_capacity", "hosts"),
        ("services", "app1"),
        ("services", "app2"),
    }
    assert seen[("cache_redis.yaml", ("caches", "sessions"))] == {("services", "web")}
    assert seen[("opt_outs.yaml", ("databases", "main"))] == {("services", "app")}
    assert seen[("database_postgres_tls.yaml", ("databases", "books"))] == {("instances", "app")}
    # jobs: one run after each deploy (its group read from deploy.sh's outputs), one on a
    # schedule (its group read from the schedule's EcsParameters)
    assert seen[("jobs_reach_data.yaml", ("databases", "main"))] == {
        ("services", "web"),
        ("jobs", "migrate"),
    }
    assert seen[("jobs_reach_data.yaml", ("file_systems", "exports"))] == {("jobs", "export")}
    # the environments example (its dev): the web service reaches the database
    assert seen[("environments.yaml", ("databases", "main"))] == {("services", "web")}
    assert seen[("web-worker-jobs-rds.yaml", ("databases", "main"))] == {
        ("services", "web"),
        ("services", "worker"),
        ("jobs", "migrate"),
    }
    # a private service: its web caller's rule lives in the caller's stack, the job's in
    # the main stack; the load balancer routing to web adds nothing here
    assert seen[("web-worker-jobs-rds.yaml", ("services", "pricing"))] == {
        ("services", "web"),
        ("jobs", "nightly-report"),
    }
    assert len(seen) == 11


def test_naming_one_service_on_shared_hosts_is_refused(tmp_path: Path) -> None:
    """The tasks on EC2 capacity share the hosts' group: admitting one of them admits them
    all (the reach above shows app1, app2 and the hosts reaching the cache), so naming one
    service there is refused, at the name, rather than built with a promise it cannot keep."""
    text = (ROOT / "examples" / "spring-ecs-ec2-redis.yaml").read_text()
    assert "allow_from: [hosts]" in text
    path = tmp_path / "one.yaml"
    path.write_text(text.replace("allow_from: [hosts]", "allow_from: [app1]"))
    with pytest.raises(BlueprintError) as raised:
        pipeline.check(path, path.name)
    assert [(p.path, p.code) for p in raised.value.problems] == [
        ("caches.sessions.allow_from[0]", "source-shares-hosts")
    ]
