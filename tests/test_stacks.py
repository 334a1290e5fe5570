"""Splitting into stacks: where each resource goes, how values cross, and that growing or
shrinking a blueprint never moves a resource to another stack."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bench import synthetic
from generator import split
from generator.errors import BlueprintError
from generator.pipeline import Build, check, render

from .conftest import first_environment

Placed = dict[str, tuple[str, str]]  # logical ID -> (stack, type)


def build(tmp_path: Path, text: str) -> Build:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    return render(check(path, "blueprint.yaml", env=first_environment(path)))


def placed(result: Build) -> Placed:
    out: Placed = {}
    for stack in result.stacks:
        for logical_id, body in stack.data["Resources"].items():
            assert logical_id not in out, f"{logical_id} is in two stacks"
            out[logical_id] = (stack.name, body["Type"])
    return out


# --- growth: 1 -> 150 services, and one removed from the middle ----------------------------

GROWTH = (1, 2, 10, 49, 50, 51, 100, 149, 150)


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Build]:
    folder = tmp_path_factory.mktemp("growth")
    return {n: build(folder, synthetic.blueprint(n)) for n in GROWTH}


def test_growing_from_1_to_150_services_moves_nothing(grown: dict[int, Build]) -> None:
    for smaller, larger in itertools.pairwise(GROWTH):
        before, after = placed(grown[smaller]), placed(grown[larger])
        moved = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
        assert moved == {}, f"{smaller} -> {larger} services"
        added = set(after) - set(before)
        # what was added is the new services' own resources (in their own stacks), and
        # the load balancers that the quotas call for
        for logical_id in added:
            stack, _ = after[logical_id]
            assert stack.startswith("scale-service-svc") or logical_id.startswith("Lb"), logical_id


def test_every_stack_stays_within_its_limits(grown: dict[int, Build]) -> None:
    result = grown[150]
    assert len(result.stacks) == 151
    for stack in result.stacks:
        assert stack.resources <= split.MAX_RESOURCES
        assert len(stack.text.encode()) <= split.MAX_BYTES
    main = result.stacks[0]
    assert main.name == "scale"
    per_lb = [k for k in main.data["Resources"] if k.startswith("Lb")]
    # each load balancer: itself, its group and 2 rules on it, 2 listeners; 3 of them
    assert len(per_lb) == 3 * 6
    # the rest: network (with its flow log, log bucket and S3 gateway endpoint),
    # certificate, cluster
    assert main.resources - len(per_lb) == 26
    # every service: 10 resources in its own stack
    assert all(s.resources == 10 for s in result.stacks[1:])


def test_removing_a_service_in_the_middle_moves_nothing(
    grown: dict[int, Build], tmp_path: Path
) -> None:
    before = placed(grown[150])
    after = placed(build(tmp_path, synthetic.blueprint(150, without={75})))
    gone = set(before) - set(after)
    assert set(after) <= set(before)
    assert {k: v for k, v in after.items() if before[k] != v} == {}
    assert {before[k][0] for k in gone} == {"scale-service-svc075"}
    assert len(gone) == 10


def test_stack_names_follow_the_service(grown: dict[int, Build]) -> None:
    names = [s.name for s in grown[10].stacks]
    assert names == ["scale", *(f"scale-service-svc{n:03d}" for n in range(10))]
    [svc] = [s for s in grown[10].stacks if s.name == "scale-service-svc003"]
    assert sorted(svc.data["Resources"]) == [
        "Lb0LoadBalancerToSvc003ServicePort8080",
        "Lb0Svc003Rule",
        "Lb0Svc003TargetGroup",
        "Svc003ExecutionRole",
        "Svc003LogGroup",
        "Svc003Service",
        "Svc003ServiceFromLb0LoadBalancerPort8080",
        "Svc003ServiceSecurityGroup",
        "Svc003TaskDefinition",
        "Svc003TaskRole",
    ]
    # the route's URL output goes with the route
    assert sorted(svc.data["Outputs"]) == ["Lb0Svc003Url"]


# --- the split itself, on a small template --------------------------------------------------

MAIN = split.Home("shop", "main")
HOME_A = split.Home("shop-service-a", "service a")
HOME_B = split.Home("shop-service-b", "service b")


def _placement(origin: tuple[str | int, ...]) -> split.Home | None:
    if origin[:2] == ("services", "a"):
        return HOME_A
    if origin[:2] == ("services", "b"):
        return HOME_B
    return None


def _split(template: dict[str, Any], origins: dict[str, Any]) -> dict[str, split.Part]:
    parts = split.Split(
        template,
        main=MAIN,
        region="eu-west-1",
        origins=origins,
        output_origins={"Url": ("services", "a", "url")},
        placement=_placement,
        is_list=lambda kind, attribute: attribute == "SecurityGroups",
        sources={"Cert": ("shop-us-east-1", "us-east-1", "Cert")},
    ).run()
    return {p.name: p for p in parts}


TEMPLATE: dict[str, Any] = {
    "Parameters": {
        "Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": "/ami"},
        "Cert": {"Type": "String"},
    },
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
        "Task": {
            "Type": "AWS::ECS::TaskDefinition",
            "DependsOn": ["Vpc", "Other"],
            "Properties": {
                "X": {"Ref": "Vpc"},
                "Y": {"Fn::GetAtt": ["Lb", "SecurityGroups"]},
                "Z": {"Fn::Sub": "${Lb.DNSName}/${Vpc}/${AWS::Region}"},
                "W": {"Fn::Sub": ["${Host}", {"Host": {"Fn::GetAtt": ["Lb", "DNSName"]}}]},
                "I": {"Ref": "Ami"},
                "C": {"Ref": "Cert"},
            },
        },
        "Other": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Schedule": {"Type": "AWS::Scheduler::Schedule", "Properties": {"T": {"Ref": "Task"}}},
    },
    "Outputs": {
        "Url": {"Value": "https://a.example.com/"},
        "LbDns": {"Value": {"Fn::GetAtt": ["Lb", "DNSName"]}},
    },
}
ORIGINS = {
    "Vpc": ("network",),
    "Lb": ("load_balancers", "web"),
    "Task": ("services", "a", "containers"),
    "Other": ("services", "a"),
    "Schedule": ("schedules", "nightly"),
}


def test_values_cross_as_outputs_and_parameters() -> None:
    parts = _split(TEMPLATE, ORIGINS)
    assert list(parts) == ["shop", "shop-service-a"]
    main, a = parts["shop"], parts["shop-service-a"]
    assert sorted(main.resources) == ["Lb", "Vpc"]
    # the schedule refers to the task, so it joins the task's stack
    assert sorted(a.resources) == ["Other", "Schedule", "Task"]
    task = a.resources["Task"]
    assert task["DependsOn"] == ["Other"]  # the main stack is deployed before: dropped
    assert task["Properties"] == {
        "X": {"Ref": "Vpc"},
        "Y": {"Ref": "LbSecurityGroups"},
        "Z": {"Fn::Sub": "${LbDNSName}/${Vpc}/${AWS::Region}"},
        "W": {"Fn::Sub": ["${Host}", {"Host": {"Ref": "LbDNSName"}}]},
        "I": {"Ref": "Ami"},
        "C": {"Ref": "Cert"},
    }
    assert {k: v["Type"] for k, v in a.parameters.items()} == {
        "Ami": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Cert": "String",
        "LbDNSName": "String",
        "LbSecurityGroups": "CommaDelimitedList",
        "Vpc": "String",
    }
    assert a.parameters["Ami"]["Default"] == "/ami"
    assert a.sources == {
        "Cert": ("shop-us-east-1", "us-east-1", "Cert"),
        "LbDNSName": ("shop", "eu-west-1", "LbDNSName"),
        "LbSecurityGroups": ("shop", "eu-west-1", "LbSecurityGroups"),
        "Vpc": ("shop", "eu-west-1", "Vpc"),
    }
    assert {k: v["Value"] for k, v in main.outputs.items()} == {
        "LbDns": {"Fn::GetAtt": ["Lb", "DNSName"]},
        "LbDNSName": {"Fn::GetAtt": ["Lb", "DNSName"]},
        "LbSecurityGroups": {"Fn::Join": [",", {"Fn::GetAtt": ["Lb", "SecurityGroups"]}]},
        "Vpc": {"Ref": "Vpc"},
    }
    # an output goes with the entry that made it; parameters only where they are used
    assert list(a.outputs) == ["Url"]
    assert main.parameters == {}


def test_a_getatt_written_as_a_string_crosses_stacks_too() -> None:
    template = {
        "Resources": {
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
            "Task": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {"Host": {"Fn::GetAtt": "Lb.DNSName"}},
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {"Of": {"Fn::GetAtt": "Task.TaskDefinitionArn"}},
            },
        }
    }
    origins = {"Lb": ("load_balancers", "web"), "Task": ("services", "a"), "Alarm": ("x",)}
    parts = _split(template, origins)
    a = parts["shop-service-a"]
    # the alarm refers to the task in the string form, so it joins the task's stack
    assert sorted(a.resources) == ["Alarm", "Task"]
    assert a.resources["Task"]["Properties"] == {"Host": {"Ref": "LbDNSName"}}
    assert a.sources["LbDNSName"] == ("shop", "eu-west-1", "LbDNSName")
    assert parts["shop"].outputs["LbDNSName"]["Value"] == {"Fn::GetAtt": ["Lb", "DNSName"]}


def test_a_resource_joining_two_services_stacks_is_a_located_error() -> None:
    template = {
        "Resources": {
            "A": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
            "B": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
            "Both": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"X": {"Ref": "A"}, "Y": {"Ref": "B"}},
            },
        }
    }
    origins = {"A": ("services", "a"), "B": ("services", "b"), "Both": ("tables", "t")}
    with pytest.raises(split.SplitError) as exc:
        _split(template, origins)
    assert exc.value.origin == ("tables", "t")
    assert "shop-service-a and shop-service-b" in exc.value.message


def test_the_route_quota_is_a_located_error(tmp_path: Path) -> None:
    text = synthetic.blueprint(1).replace(
        "    routes:\n",
        "    routes:\n"
        + "".join(
            f"      - {{instances: web, name: r{i}, port: 80, paths: [/r{i}/*], "
            f"priority: {i + 100}}}\n"
            for i in range(100)
        ),
    )
    text += "instances:\n  web: {instance_type: t3.micro, subnets: private}\n"
    with pytest.raises(BlueprintError) as exc:
        build(tmp_path, text)
    messages = [p.text() for p in exc.value.problems]
    assert any(
        "load_balancers.lb0.routes[100]: load balancer lb0 would have more than 100 routes" in m
        for m in messages
    ), messages


# --- adding a service to each example moves nothing -------------------------------------

EXAMPLES = [  # the examples with services (the others have none to add to)
    p
    for p in sorted((Path(__file__).parent.parent / "examples").glob("*.yaml"))
    if "\nservices:" in p.read_text()
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_adding_a_service_to_an_example_moves_nothing(example: Path, tmp_path: Path) -> None:
    """A copy of the example's first service, under a name that sorts before every other,
    with a route of its own wherever the original has a rule: nothing that existed moves
    (a rule shared by the services on one EC2 capacity, say, stays where it was)."""
    import copy
    import shutil

    import yaml

    data = yaml.safe_load(example.read_text())
    shutil.copytree(example.parent / "files", tmp_path / "files")
    before = placed(build(tmp_path, yaml.safe_dump(data, sort_keys=False)))
    first = sorted(data["services"])[0]
    clone = copy.deepcopy(data["services"][first])
    clone.pop("public_dns", None)  # a DNS name points at one service
    data["services"] = {"aaa0": clone, **data["services"]}
    for lb in data.get("load_balancers", {}).values():
        for route in list(lb.get("routes", [])):
            if route.get("service") == first and (route.get("hosts") or route.get("paths")):
                clone = {k: v for k, v in route.items() if k not in ("name", "priority")}
                clone.update(service="aaa0", paths=["/aaa0/*"])
                if "existing" in lb:  # a route on an existing listener names its priority
                    clone["priority"] = max(r.get("priority", 0) for r in lb["routes"]) + 1
                lb["routes"].append(clone)
    after = placed(build(tmp_path, yaml.safe_dump(data, sort_keys=False)))
    assert {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v} == {}
    assert any(stack.endswith("-service-aaa0") for stack, _ in after.values())


def test_five_examples_have_services_to_add_to() -> None:
    assert [p.stem for p in EXAMPLES] == [
        "chatbot-fargate-spot",
        "environments",
        "existing-infrastructure",
        "ghost-fargate-efs-cloudfront",
        "spring-ecs-ec2-redis",
        "web-worker-jobs-rds",
    ]
