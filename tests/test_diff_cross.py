"""The diff across stacks: a replacement in the main stack reaches the service stacks through
the parameters deploy.sh fills from its outputs; a replaced resource that keeps its custom
name is refused by CloudFormation, and the diff says so before the deploy fails."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from generator import diff, replacement, template
from generator.pipeline import check, render

from .test_diff import (
    A,
    C,
    D,
    Data,
    E,
    Templates,
    _build,
    _example,
    _props,
    _set,
    blueprint_change,
    template_change,
)

Change = diff.ResourceChange


def changes(report: diff.Report) -> dict[tuple[str, str], Change]:
    return {(s.stack, r.logical_id): r for s in report.stacks for r in s.resources}


def test_a_cluster_rename_replaces_the_service_in_its_own_stack(tmp_path: Path) -> None:
    report = template_change(tmp_path, A, _props("Cluster", "ClusterName", "linebot-renamed"))
    got = changes(report)
    assert got[("linebot", "Cluster")].verdict == "replaced"
    service = got[("linebot-service-bot", "BotService")]
    assert service.verdict == "replaced"
    assert service.reasons == (
        "Properties.Cluster <- parameter Cluster <- linebot.Cluster replaced",
    )
    # the schedules name the cluster outside any create-only property: changed in place
    schedule = got[("linebot-service-bot", "WeekendStartSchedule")]
    assert (schedule.verdict, schedule.reasons) == (
        "in_place",
        ("Properties.Target <- parameter Cluster <- linebot.Cluster replaced",),
    )
    lines = diff.text(report).splitlines()
    assert "stack linebot-service-bot (ap-northeast-1): changed" in lines
    assert (
        "  ! BotService (AWS::ECS::Service): REPLACED (create-only: "
        "Properties.Cluster <- parameter Cluster <- linebot.Cluster replaced)"
    ) in lines
    assert not report.errors  # the service has no custom name


def test_a_vpc_cidr_change_replaces_the_service_security_group(tmp_path: Path) -> None:
    report = blueprint_change(tmp_path, A, _set("network.cidr", "10.1.0.0/16"))
    got = changes(report)
    assert got[("linebot", "Vpc")].verdict == "replaced"
    group = got[("linebot-service-bot", "BotServiceSecurityGroup")]
    assert (group.verdict, group.reasons) == (
        "replaced",
        ("Properties.VpcId <- parameter Vpc <- linebot.Vpc replaced",),
    )
    # a GetAtt of a replaced resource may keep its value (a port would): may be replaced
    rule = got[("linebot-service-bot", "BotServiceFromWebLoadBalancerPort8080")]
    assert rule.verdict == "may_be_replaced"
    assert rule.reasons == (
        "Properties.SourceSecurityGroupId <- parameter WebLoadBalancerSecurityGroupGroupId "
        "<- linebot.WebLoadBalancerSecurityGroup.GroupId replaced",
    )
    # and, within the service's stack, what refers to the replaced group moves in turn
    egress = got[("linebot-service-bot", "WebLoadBalancerToBotServicePort8080")]
    assert egress.verdict == "may_be_replaced"
    assert got[("linebot-service-bot", "BotService")].verdict == "in_place"


def test_a_load_balancer_rename_replaces_the_listener_rules_of_service_stacks(
    tmp_path: Path,
) -> None:
    report = template_change(tmp_path, C, _props("WebLoadBalancer", "Name", "renamed"))
    got = changes(report)
    assert got[("spring-session", "WebHttpsListener")].verdict == "replaced"
    for service in ("app1", "app2"):
        rule = got[(f"spring-session-service-{service}", f"WebApp{service[-1]}Rule")]
        assert (rule.verdict, rule.reasons) == (
            "replaced",
            (
                "Properties.ListenerArn <- parameter WebHttpsListener <- "
                "spring-session.WebHttpsListener replaced",
            ),
        )


def test_a_file_system_replacement_replaces_the_task_definition(tmp_path: Path) -> None:
    report = template_change(tmp_path, E, _props("ContentFileSystem", "Encrypted", False))
    got = changes(report)
    task = got[("ghost-blog-service-ghost", "GhostTaskDefinition")]
    assert (task.verdict, task.reasons) == (
        "replaced",
        (
            "Properties.Volumes <- parameter ContentFileSystem <- "
            "ghost-blog.ContentFileSystem replaced",
        ),
    )
    # the service takes the new task definition in place, within its own stack
    service = got[("ghost-blog-service-ghost", "GhostService")]
    assert (service.verdict, service.reasons) == (
        "in_place",
        ("Properties.TaskDefinition <- GhostTaskDefinition replaced",),
    )
    assert report.exit_code == diff.EXIT_DATA_LOSS


def test_the_sources_deploy_sh_uses_are_those_the_diff_derives(tmp_path: Path) -> None:
    """The command passes each stack's parameter sources; a comparison of bare templates
    finds the same ones by name, so both give one verdict."""
    (tmp_path / "b.yaml").write_text((Path(__file__).parent.parent / "blueprint.yaml").read_text())
    build = render(check(tmp_path / "b.yaml"))
    new = {s.name: s.data for s in build.stacks}
    regions = {s.name: s.region for s in build.stacks}
    sources = {s.name: s.parameter_sources for s in build.stacks}
    old = copy.deepcopy(new)
    new["linebot"]["Resources"]["Cluster"]["Properties"]["ClusterName"] = "renamed"
    given = diff.compare(old, new, regions, "ap-northeast-1", sources)
    derived = diff.compare(old, new, regions, "ap-northeast-1")
    assert given == derived
    assert changes(given)[("linebot-service-bot", "BotService")].verdict == "replaced"


def _function_to_image(data: Data) -> None:
    function = data["functions"]["authorize"]
    function["code"] = {"image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/auth:1"}
    function.pop("runtime")
    function.pop("handler")


def test_a_replaced_function_that_keeps_its_name_fails_the_deploy(tmp_path: Path) -> None:
    """PackageType is create-only: the function is replaced, and its FunctionName (the
    type's name property) stays: CloudFormation would refuse the update."""
    report = blueprint_change(tmp_path, D, _function_to_image)
    [(stack, function)] = report.errors
    assert (stack, function.logical_id, function.verdict) == (
        "chat",
        "AuthorizeFunction",
        "replaced",
    )
    assert function.error == (
        "CloudFormation cannot replace a resource that has a custom name: its FunctionName "
        "stays 'chat-authorize'; rename it (a new name lets CloudFormation create the new one "
        "before it deletes the old), or undo the change that replaces it"
    )
    assert report.exit_code == diff.EXIT_FAILS
    lines = diff.text(report).splitlines()
    assert f"    error: {function.error}" in lines
    assert (
        lines[-1]
        == "DEPLOY WOULD FAIL: CloudFormation would refuse to replace chat/AuthorizeFunction"
    )
    assert diff.as_json(report)["fails"] is True


def _named_service(templates: dict[str, Data]) -> None:
    service = templates["linebot-service-bot"]["Resources"]["BotService"]["Properties"]
    service["ServiceName"] = "bot"


def test_a_named_service_replaced_fails_even_into_a_new_cluster(tmp_path: Path) -> None:
    """An ECS service with a ServiceName cannot be replaced, whatever replaces it: its
    provider schema says the update fails, even when the cluster is new too."""
    old, regions = _build(tmp_path, _example(A))
    _named_service(old)
    renamed = copy.deepcopy(old)
    renamed["linebot"]["Resources"]["Cluster"]["Properties"]["ClusterName"] = "renamed"
    report = diff.compare(old, renamed, regions, "ap-northeast-1")
    assert [(s, r.logical_id) for s, r in report.errors] == [("linebot-service-bot", "BotService")]
    assert "its ServiceName stays 'bot'" in str(report.errors[0][1].error)
    assert report.exit_code == diff.EXIT_FAILS
    # a new name is a new service: CloudFormation creates it, then deletes the old one
    both = copy.deepcopy(renamed)
    both["linebot-service-bot"]["Resources"]["BotService"]["Properties"]["ServiceName"] = "bot2"
    report = diff.compare(old, both, regions, "ap-northeast-1")
    assert changes(report)[("linebot-service-bot", "BotService")].verdict == "replaced"
    assert not report.errors
    assert report.exit_code == diff.EXIT_CHANGES


def test_tsv_is_one_line_per_changed_resource(tmp_path: Path) -> None:
    report = template_change(tmp_path, A, _props("Cluster", "ClusterName", "renamed"))
    lines = diff.tsv(report).splitlines()
    assert "linebot\tCluster\treplaced" in lines
    assert "linebot-service-bot\tBotService\treplaced" in lines
    assert "linebot-service-bot\tWeekendStartSchedule\tin_place" in lines
    assert len(lines) == len(changes(report))
    assert all(len(line.split("\t")) == 3 for line in lines)


def test_the_custom_names_blueprint_sets_are_found_from_the_schemas() -> None:
    """Every name property (per the provider schemas) that some rendered template sets: the
    resources whose replacement under the same name the diff refuses."""
    found = set()
    for path in (Path(__file__).parent / "golden").rglob("*.json"):
        data = json.loads(path.read_text())
        for body in data.get("Resources", {}).values() if isinstance(data, dict) else ():
            name = replacement.name_property("us-east-1", body["Type"])
            if name is not None and name in body.get("Properties", {}):
                found.add((body["Type"], name))
    assert found == {
        ("AWS::ApiGatewayV2::DomainName", "DomainName"),
        ("AWS::ApiGatewayV2::Stage", "StageName"),
        ("AWS::ECS::Service", "ServiceName"),
        ("AWS::Lambda::Function", "FunctionName"),
        ("AWS::SQS::Queue", "QueueName"),
        ("AWS::ServiceDiscovery::PrivateDnsNamespace", "Name"),
        ("AWS::ServiceDiscovery::Service", "Name"),
    }
    # names that are not unique, and identifiers that name another resource, are no names
    assert replacement.name_property("us-east-1", "AWS::Route53::HostedZone") is None
    assert replacement.name_property("us-east-1", "AWS::S3::BucketPolicy") is None
    assert replacement.name_property("us-east-1", "AWS::RDS::DBInstance") == "DBInstanceIdentifier"
    assert replacement.name_property("us-east-1", "AWS::S3::Bucket") == "BucketName"


def _two_stacks(value: Any, cluster: str = "Cluster") -> Templates:
    """A main stack whose output ``Cluster`` is ``value``, and a service stack that reads
    it as a parameter: in the service's Cluster (create-only) and in an SSM parameter's
    Value (updatable)."""
    main = {
        "Resources": {cluster: {"Type": "AWS::ECS::Cluster", "Properties": {}}},
        "Outputs": {"Cluster": {"Value": value}},
    }
    service = {
        "Parameters": {"Cluster": {"Type": "String"}},
        "Resources": {
            "Service": {
                "Type": "AWS::ECS::Service",
                "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": "web:1"},
            },
            "Note": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "String", "Value": {"Ref": "Cluster"}},
            },
        },
    }
    return {"main": main, "main-service": service}


def _two_stack_diff(old: Templates, new: Templates) -> diff.Report:
    return diff.compare(old, new, {}, "us-east-1")


def test_an_output_onto_a_renamed_resource_replaces_what_reads_it() -> None:
    """The output keeps its name and changes its value: ``Ref Cluster`` became ``Ref
    Cluster2``, a new cluster; only the output says so in its own stack."""
    old = _two_stacks({"Ref": "Cluster"})
    report = _two_stack_diff(old, _two_stacks({"Ref": "Cluster2"}, "Cluster2"))
    got = changes(report)
    assert [s.outputs for s in report.stacks if s.stack == "main"] == [("~Cluster",)]
    assert got[("main", "Cluster")].renamed_to == "Cluster2"
    service = got[("main-service", "Service")]
    assert (service.verdict, service.reasons) == (
        "replaced",
        ("Properties.Cluster <- parameter Cluster <- main.Cluster2 added",),
    )
    note = got[("main-service", "Note")]
    assert (note.verdict, note.reasons) == (
        "in_place",
        ("Properties.Value <- parameter Cluster <- main.Cluster2 added",),
    )
    assert report.exit_code == diff.EXIT_CHANGES


def test_an_output_written_otherwise_replaces_what_reads_it() -> None:
    """A literal output value that changes is a new value for the service stack, with no
    resource behind it; so is an attribute of another resource (which alone would only
    say "may be replaced")."""
    old = _two_stacks("arn:aws:ecs:us-east-1:123456789012:cluster/blue")
    new = _two_stacks("arn:aws:ecs:us-east-1:123456789012:cluster/green")
    service = changes(_two_stack_diff(old, new))[("main-service", "Service")]
    assert (service.verdict, service.reasons) == (
        "replaced",
        ("Properties.Cluster <- parameter Cluster <- main.Outputs.Cluster changed",),
    )
    old = _two_stacks({"Fn::GetAtt": ["Cluster", "Arn"]})
    new = _two_stacks({"Fn::GetAtt": ["Cluster2", "Arn"]}, "Cluster2")
    service = changes(_two_stack_diff(old, new))[("main-service", "Service")]
    assert (service.verdict, service.reasons) == (
        "replaced",
        ("Properties.Cluster <- parameter Cluster <- main.Outputs.Cluster changed",),
    )


def test_an_output_that_keeps_its_value_moves_nothing() -> None:
    """The same output over a cluster changed in place: the service stack stays as it is."""
    old = _two_stacks({"Ref": "Cluster"})
    new = copy.deepcopy(old)
    new["main"]["Resources"]["Cluster"]["Properties"]["Configuration"] = {
        "ExecuteCommandConfiguration": {"Logging": "DEFAULT"}
    }
    report = _two_stack_diff(old, new)
    assert {key: c.verdict for key, c in changes(report).items()} == {
        ("main", "Cluster"): "in_place"
    }
    assert [s.status for s in report.stacks] == ["changed", "unchanged"]
    # a literal output written the same: nothing moves either
    literal = _two_stacks("arn:aws:ecs:us-east-1:123456789012:cluster/blue")
    assert not _two_stack_diff(literal, copy.deepcopy(literal)).changed


def _rename_cluster(templates: Templates) -> None:
    """The main stack's cluster under a new logical ID, its output keeping its name."""
    main = templates["linebot"]
    main["Resources"]["Cluster2"] = main["Resources"].pop("Cluster")
    templates["linebot"] = template.rewrite(main, {"Cluster": "Cluster2"}, "template")


def test_a_cluster_under_a_new_logical_id_replaces_the_service(tmp_path: Path) -> None:
    """On a real blueprint's stacks: the output ``Cluster`` now names ``Cluster2``; the
    service stack's template is unchanged, and the deploy replaces its service."""
    old, regions = _build(tmp_path, _example(A))
    new = copy.deepcopy(old)
    _rename_cluster(new)
    assert new["linebot"]["Outputs"]["Cluster"]["Value"] == {"Ref": "Cluster2"}
    assert new["linebot-service-bot"] == old["linebot-service-bot"]
    report = diff.compare(old, new, regions, "ap-northeast-1")
    got = changes(report)
    service = got[("linebot-service-bot", "BotService")]
    assert (service.verdict, service.reasons) == (
        "replaced",
        ("Properties.Cluster <- parameter Cluster <- linebot.Cluster2 added",),
    )
    schedule = got[("linebot-service-bot", "WeekendStartSchedule")]
    assert (schedule.verdict, schedule.reasons) == (
        "in_place",
        ("Properties.Target <- parameter Cluster <- linebot.Cluster2 added",),
    )
    assert "linebot-service-bot\tBotService\treplaced" in diff.tsv(report).splitlines()
