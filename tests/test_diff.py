"""Change cases: a blueprint (or a template) before and after, and the verdict the diff
must give each resource. Replacement comes from the provider schemas cfn-lint ships."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import diff
from generator.cli import main
from generator.pipeline import check, render

from .conftest import ROOT

Data = dict[str, Any]
Templates = dict[str, Data]


def _build(tmp: Path, data: Data) -> tuple[Templates, dict[str, str]]:
    if not (tmp / "files").exists():
        shutil.copytree(ROOT / "examples" / "files", tmp / "files")
    path = tmp / "blueprint.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = render(check(path, "blueprint.yaml"))
    return {s.name: s.data for s in result.stacks}, {s.name: s.region for s in result.stacks}


def _example(name: str) -> Data:
    data: Data = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text())
    return data


def blueprint_change(tmp: Path, example: str, change: Callable[[Data], None]) -> diff.Report:
    before = _example(example)
    after = copy.deepcopy(before)
    change(after)
    old, _ = _build(tmp, before)
    new, regions = _build(tmp, after)
    return diff.compare(old, new, regions, before["region"])


def template_change(tmp: Path, example: str, change: Callable[[Data], None]) -> diff.Report:
    old, regions = _build(tmp, _example(example))
    new = copy.deepcopy(old)
    for template in new.values():
        change(template)
    return diff.compare(old, new, regions, "ap-northeast-1")


def verdicts(report: diff.Report) -> dict[str, str]:
    return {r.logical_id: r.verdict for s in report.stacks for r in s.resources}


def _set(path: str, value: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        node[last] = value

    return change


def _props(logical_id: str, key: str, value: Any) -> Callable[[Data], None]:
    def change(template: Data) -> None:
        if logical_id in template["Resources"]:
            template["Resources"][logical_id]["Properties"][key] = value

    return change


B, C, D, E, A = (
    "rails-ec2-rds",
    "spring-ecs-ec2-redis",
    "websocket-lambda-dynamodb",
    "ghost-fargate-efs-cloudfront",
    "chatbot-fargate-spot",
)

# name: (kind, example, change, {logical_id: verdict}, data loss expected)
CASES: dict[str, tuple[str, str, Callable[[Data], None], dict[str, str], bool]] = {
    "rds_database_name": (
        "bp",
        B,
        _set("databases.main.database_name", "other"),
        {"MainDatabase": "replaced"},
        True,
    ),
    "rds_master_username": (
        "bp",
        B,
        _set("databases.main.username", "owner"),
        {"MainDatabase": "replaced"},
        True,
    ),
    "rds_storage_encryption": (
        "tpl",
        B,
        _props("MainDatabase", "StorageEncrypted", False),
        {"MainDatabase": "replaced"},
        True,
    ),
    "rds_instance_class": (
        "bp",
        B,
        _set("databases.main.instance_class", "db.t4g.small"),
        {"MainDatabase": "in_place"},
        False,
    ),
    "rds_storage_size": (
        "bp",
        B,
        _set("databases.main.storage_gb", 50),
        {"MainDatabase": "in_place"},
        False,
    ),
    "rds_multi_az": (
        "bp",
        B,
        _set("databases.main.multi_az", True),
        {"MainDatabase": "in_place"},
        False,
    ),
    "rds_backup_retention": (
        "bp",
        B,
        _set("databases.main.backup_retention_days", 14),
        {"MainDatabase": "in_place"},
        False,
    ),
    "dynamodb_key_schema": (
        "bp",
        D,
        _set("tables.connections.partition_key.name", "id"),
        {"ConnectionsTable": "replaced"},
        True,
    ),
    # Changing a key attribute's type replaces the table: the provider schema says so only
    # in its description (generator/replacement.py, in_prose).
    "dynamodb_key_type": (
        "bp",
        D,
        _set("tables.connections.partition_key.type", "N"),
        {"ConnectionsTable": "replaced"},
        True,
    ),
    # and so does dedicated tenancy for a VPC (the schema says so in prose only)
    "vpc_dedicated_tenancy": (
        "tpl",
        A,
        _props("Vpc", "InstanceTenancy", "dedicated"),
        {"Vpc": "replaced", "PublicSubnet1": "replaced"},
        False,
    ),
    "dynamodb_billing_mode": (
        "bp",
        D,
        lambda d: d["tables"]["connections"].update(
            billing="provisioned", read_capacity=5, write_capacity=5
        ),
        {"ConnectionsTable": "in_place"},
        False,
    ),
    "dynamodb_ttl": (
        "bp",
        D,
        _set("tables.connections.ttl_attribute", "ttl"),
        {"ConnectionsTable": "in_place"},
        False,
    ),
    "s3_bucket_name": (
        "bp",
        B,
        _set("buckets.images.name", "rails-api-images-example"),
        {"ImagesBucket": "replaced"},
        True,
    ),
    "s3_versioning": (
        "bp",
        B,
        _set("buckets.images.versioning", False),
        {"ImagesBucket": "in_place"},
        False,
    ),
    "efs_encryption": (
        "tpl",
        E,
        _props("ContentFileSystem", "Encrypted", False),
        {"ContentFileSystem": "replaced"},
        True,
    ),
    "efs_backups": (
        "bp",
        E,
        _set("file_systems.content.backups", False),
        {"ContentFileSystem": "in_place"},
        False,
    ),
    "target_group_port": (
        "bp",
        A,
        _set("services.bot.containers.app.port", 9090),
        {"WebBotTargetGroup": "replaced"},
        False,
    ),
    "target_group_protocol": (
        "tpl",
        A,
        _props("WebBotTargetGroup", "Protocol", "HTTPS"),
        {"WebBotTargetGroup": "replaced"},
        False,
    ),
    "health_check_path": (
        "bp",
        A,
        _set("load_balancers.web.routes.0.health_check.path", "/up"),
        {"WebBotTargetGroup": "in_place"},
        False,
    ),
    "alb_scheme": (
        "bp",
        A,
        _set("load_balancers.web.scheme", "internal"),
        {"WebLoadBalancer": "replaced"},
        False,
    ),
    "security_group_description": (
        "tpl",
        A,
        _props("BotServiceSecurityGroup", "GroupDescription", "Bot tasks"),
        {"BotServiceSecurityGroup": "replaced"},
        False,
    ),
    "security_group_inline_ingress": (
        "tpl",
        A,
        _props(
            "BotServiceSecurityGroup",
            "SecurityGroupIngress",
            [{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.0.0/16"}],
        ),
        {"BotServiceSecurityGroup": "in_place"},
        False,
    ),
    "ingress_cidr": (
        "bp",
        A,
        _set("load_balancers.web.allowed_cidrs", ["198.51.100.0/24"]),
        {
            "WebLoadBalancerFromAnywherePort443": "removed",
            "WebLoadBalancerFromCidr198x51x100x0Slash24Port443": "added",
        },
        False,
    ),
    "subnet_cidr": (
        "bp",
        A,
        _set("network.subnet_prefix", 22),
        {"PublicSubnet1": "replaced", "Vpc": None},
        False,
    ),
    "ecs_service_name": (
        "tpl",
        A,
        _props("BotService", "ServiceName", "bot"),
        {"BotService": "replaced"},
        False,
    ),
    "ecs_desired_count": (
        "bp",
        C,
        _set("services.app1.desired_count", 2),
        {"App1Service": "in_place"},
        False,
    ),
    # Without schedules the template owns the bot's count again: DesiredCount comes back.
    "ecs_schedules_removed": (
        "bp",
        A,
        lambda d: d.pop("schedules"),
        {"BotService": "in_place", "WeekendStartSchedule": "removed"},
        False,
    ),
    "efs_mount_target_follows_subnet": (
        "bp",
        E,
        _set("network.subnet_prefix", 22),
        # its SubnetId is a Ref of the replaced subnet: a new subnet ID, for certain
        {"ContentFileSystemMountTarget1": "replaced", "ContentFileSystem": None},
        False,
    ),
    "type_change": (
        "tpl",
        A,
        lambda t: t["Resources"].get("BotLogGroup", {}).update(Type="AWS::Logs::LogStream"),
        {"BotLogGroup": "replaced"},
        True,
    ),
    "bucket_added": (
        "bp",
        B,
        _set("buckets.logs", {"versioning": False}),
        {"LogsBucket": "added", "LogsBucketPolicy": "added"},
        False,
    ),
    "table_added": (
        "bp",
        D,
        lambda d: d["tables"].update(extra={"partition_key": {"name": "k"}}) or None,
        {"ExtraTable": "added"},
        False,
    ),
    "cache_node_type": (
        "bp",
        C,
        _set("caches.sessions.node_type", "cache.t4g.small"),
        {"SessionsCache": "in_place"},
        False,
    ),
    "cache_port_replaces": (
        "tpl",
        C,
        _props("SessionsCache", "Port", 6380),
        {"SessionsCache": "replaced"},
        True,
    ),
    "task_cpu_replaces_task_definition": (
        "bp",
        A,
        _set("services.bot.cpu", 512),
        {"BotTaskDefinition": "replaced", "BotService": "in_place"},
        False,
    ),
}


def test_a_type_the_code_never_names_is_judged_from_its_schema() -> None:
    def topic(name: str, display: str) -> Templates:
        props = {"TopicName": name, "DisplayName": display}
        return {"s": {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": props}}}}

    renamed = diff.compare(topic("a", "x"), topic("b", "x"), {"s": "eu-west-1"}, "eu-west-1")
    assert verdicts(renamed) == {"Topic": "replaced"}
    relabelled = diff.compare(topic("a", "x"), topic("a", "y"), {"s": "eu-west-1"}, "eu-west-1")
    assert verdicts(relabelled) == {"Topic": "in_place"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_change_case(case: str, tmp_path: Path) -> None:
    kind, example, change, expected, loss = CASES[case]
    make = blueprint_change if kind == "bp" else template_change
    report = make(tmp_path, example, change)
    got = verdicts(report)
    for logical_id, verdict in expected.items():
        assert got.get(logical_id) == verdict, f"{logical_id}: {got.get(logical_id)}"
    assert bool(report.data_loss) == loss
    assert report.exit_code == (diff.EXIT_DATA_LOSS if loss else diff.EXIT_CHANGES)


def test_there_are_thirty_change_cases() -> None:
    # with the rename, pin, removal, no-change and schema-only tests below
    assert len(CASES) + 5 >= 30


def test_no_change(tmp_path: Path) -> None:
    report = blueprint_change(tmp_path, B, lambda d: None)
    assert not report.changed
    assert report.exit_code == diff.EXIT_NO_CHANGES
    assert diff.text(report) == "no changes\n"


def test_removed_table_is_data_loss(tmp_path: Path) -> None:
    report = blueprint_change(
        tmp_path,
        D,
        lambda d: d["tables"].clear() or d["functions"].clear() or d.pop("websocket_apis"),
    )
    assert verdicts(report)["ConnectionsTable"] == "removed"
    assert report.exit_code == diff.EXIT_DATA_LOSS


def _rename_database(data: Data) -> None:
    """Rename the database, and the references to it in the web servers' user data."""
    data["databases"]["primary"] = data["databases"].pop("main")
    web = data["instances"]["web"]
    script = (ROOT / "examples" / web.pop("user_data_file")).read_text()
    web["user_data"] = script.replace("${ref:databases.main.", "${ref:databases.primary.")


def test_renamed_entry_is_a_likely_rename_with_the_fix(tmp_path: Path) -> None:
    report = blueprint_change(tmp_path, B, _rename_database)
    [stack] = [s for s in report.stacks if not s.stack.endswith("-zones")]
    removed = {r.logical_id: r for r in stack.resources if r.verdict == "removed"}
    assert removed["MainDatabase"].renamed_to == "PrimaryDatabase"
    assert removed["MainDatabase"].data_loss
    assert verdicts(report)["PrimaryDatabase"] == "added"
    assert "'logical_ids: {PrimaryDatabase: MainDatabase}'" in diff.text(report)


def test_pinned_logical_ids_keep_the_database(tmp_path: Path) -> None:
    def rename_and_pin(data: Data) -> None:
        _rename_database(data)
        data["logical_ids"] = {
            "PrimaryDatabase": "MainDatabase",
            "PrimaryDatabaseSubnetGroup": "MainDatabaseSubnetGroup",
            "PrimaryDatabaseSecurityGroup": "MainDatabaseSecurityGroup",
        }

    report = blueprint_change(tmp_path, B, rename_and_pin)
    got = verdicts(report)
    assert got["MainDatabase"] == "in_place"  # it moves to the new security group
    assert got["MainDatabaseSubnetGroup"] == "in_place"  # its description names the entry
    # The group's description names the entry too, and descriptions are create-only: a new
    # group, which holds no data, and which the database switches to in place.
    assert got["MainDatabaseSecurityGroup"] == "replaced"
    assert not report.data_loss


def test_command_exit_codes_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    text = (ROOT / "examples" / f"{B}.yaml").read_text()
    (tmp_path / "blueprint.yaml").write_text(text)
    assert main(["build"]) == 0
    capsys.readouterr()
    assert main(["diff"]) == diff.EXIT_NO_CHANGES
    assert capsys.readouterr().out == "no changes\n"
    (tmp_path / "blueprint.yaml").write_text(text.replace("rails_production", "rails_prod"))
    assert main(["diff"]) == diff.EXIT_DATA_LOSS
    out = capsys.readouterr().out
    assert "! MainDatabase (AWS::RDS::DBInstance): REPLACED (create-only: DBName)" in out
    assert "DATA LOSS RISK" in out
    assert main(["diff", "--format", "json"]) == diff.EXIT_DATA_LOSS
    data = json.loads(capsys.readouterr().out)
    [db] = [r for r in data["stacks"][0]["resources"] if r["logical_id"] == "MainDatabase"]
    assert (db["verdict"], db["data_loss"], db["reasons"]) == ("replaced", True, ["DBName"])
    assert main(["build"]) == 0
    assert (
        "warning: compared with templates_out/, this build replaces or removes stateful "
        "resources (rails-api/MainDatabase)" in capsys.readouterr().err
    )


def test_against_a_git_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--against REF compares with templates_out/ as committed at REF, whatever the folder
    holds now."""
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "blueprint.yaml").read_text()
    (tmp_path / "blueprint.yaml").write_text(text)
    assert main(["build"]) == 0

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    (tmp_path / "blueprint.yaml").write_text(text.replace("cpu: 256", "cpu: 512", 1))
    assert main(["build"]) == 0  # templates_out/ now matches the new blueprint
    capsys.readouterr()
    assert main(["diff"]) == diff.EXIT_NO_CHANGES
    assert main(["diff", "--against", "HEAD"]) == diff.EXIT_CHANGES
    out = capsys.readouterr().out
    assert "! BotTaskDefinition (AWS::ECS::TaskDefinition): REPLACED (create-only: Cpu)" in out
    assert (
        "~ BotService (AWS::ECS::Service): changed in place "
        "(Properties.TaskDefinition <- BotTaskDefinition replaced)" in out
    )
    assert main(["diff", "--against", "no-such-ref"]) == 3


def test_a_resource_moved_to_another_stack_is_named_as_a_move() -> None:
    """A build from before services had stacks of their own: its service resources were in
    the main stack. The diff says they move, which CloudFormation does by delete + create."""
    service = {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 1}}
    logs = {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
    old = {"shop": {"Resources": {"Vpc": vpc, "WebService": service, "WebLogGroup": logs}}}
    new = {
        "shop": {"Resources": {"Vpc": vpc}},
        "shop-service-web": {"Resources": {"WebService": service, "WebLogGroup": logs}},
    }
    report = diff.compare(old, new, {}, "eu-west-1")
    lines = diff.text(report).splitlines()
    assert "stack shop-service-web (eu-west-1): added" in lines
    assert (
        "  - WebLogGroup (AWS::Logs::LogGroup): removed (moves to stack shop-service-web: "
        "deleted here, created new there)  << DATA LOSS RISK"
    ) in lines
    assert ("  + WebService (AWS::ECS::Service): added (moved from stack shop)") in lines
    assert report.exit_code == diff.EXIT_DATA_LOSS


def test_a_sub_variable_its_own_map_defines_is_not_a_reference() -> None:
    """The record's name is a Sub whose map defines ``Zone``: replacing the resource called
    Zone does not touch it. The hosted zone ID does refer to it, through the map."""

    def stack(zone_type: str, record: dict[str, Any]) -> Templates:
        zone = {"Type": zone_type, "Properties": {}}
        body = {"Type": "AWS::Route53::RecordSet", "Properties": record}
        return {"s": {"Resources": {"Zone": zone, "Record": body}}}

    name = {"Fn::Sub": ["www.${Zone}", {"Zone": "example.com"}]}
    shadowed = {"HostedZoneName": name}
    before, after = (
        stack("AWS::Route53::HostedZone", shadowed),
        stack("AWS::SSM::Parameter", shadowed),
    )
    report = diff.compare(before, after, {}, "eu-west-1")
    assert verdicts(report) == {"Zone": "replaced"}
    through_map = {"HostedZoneId": {"Fn::Sub": ["${Id}", {"Id": {"Ref": "Zone"}}]}}
    before = stack("AWS::Route53::HostedZone", through_map)
    after = stack("AWS::SSM::Parameter", through_map)
    report = diff.compare(before, after, {}, "eu-west-1")
    # a Ref of a replaced resource is the new one's ID: the record is replaced for certain
    assert verdicts(report) == {"Zone": "replaced", "Record": "replaced"}
    [line] = [x for x in diff.text(report).splitlines() if "Record" in x]
    assert "(create-only: Properties.HostedZoneId <- Zone replaced)" in line


def test_requiring_tls_on_a_running_database_changes_it_in_place(tmp_path: Path) -> None:
    """A database built before it required TLS gets its parameter group by an update:
    DBParameterGroupName is not create-only (the provider schema), so nothing is replaced."""
    before = _example(B)
    after = copy.deepcopy(before)
    before["databases"]["main"]["require_tls"] = False
    old, _ = _build(tmp_path, before)
    new, regions = _build(tmp_path, after)
    report = diff.compare(old, new, regions, before["region"])
    assert verdicts(report) == {"MainDatabase": "in_place", "MainDatabaseParameterGroup": "added"}
    assert not report.data_loss
    assert (
        "  ~ MainDatabase (AWS::RDS::DBInstance): changed in place: "
        "Metadata.blueprint, Properties.DBParameterGroupName"
    ) in diff.text(report).splitlines()


def _rules(ids: dict[str, tuple[str, int, str]]) -> Templates:
    """One stack: a group, and a rule of the given type, port and description per ID."""
    resources: Data = {"Db": {"Type": "AWS::EC2::SecurityGroup", "Properties": {}}}
    for logical_id, (kind, port, description) in ids.items():
        peer = "Source" if kind.endswith("Ingress") else "Destination"
        resources[logical_id] = {
            "Type": f"AWS::EC2::SecurityGroup{kind}",
            "Properties": {
                "GroupId": {"Fn::GetAtt": ["Db", "GroupId"]},
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                f"{peer}SecurityGroupId": "sg-0a1b2c3d",
                "Description": description,
            },
        }
    return {"s": {"Resources": resources}}


@pytest.mark.parametrize("kind", ["Ingress", "Egress"])
def test_a_security_group_rule_renamed_as_is_fails_the_deploy_with_the_fix(kind: str) -> None:
    """Created under its new ID before the old one is deleted, the rule is refused by EC2
    as a duplicate (InvalidPermission.Duplicate), whatever its description says."""
    old = _rules({"Old": (kind, 5432, "from web")})
    report = diff.compare(old, _rules({"New": (kind, 5432, "web to db")}), {}, "eu-west-1")
    assert report.exit_code == diff.EXIT_FAILS
    [(stack, change)] = report.errors
    assert (stack, change.logical_id, change.verdict) == ("s", "New", "added")
    assert change.error is not None and "logical_ids: {New: Old}" in change.error
    # another port is another rule: a plain change
    other = diff.compare(old, _rules({"New": (kind, 5433, "from web")}), {}, "eu-west-1")
    assert other.exit_code == diff.EXIT_CHANGES
    # the old rule kept and another added beside it: nothing is refused
    both = _rules({"Old": (kind, 5432, "from web"), "New": (kind, 5433, "from web")})
    assert diff.compare(old, both, {}, "eu-west-1").errors == []


def test_a_rule_keeps_the_id_the_last_build_gave_it_when_that_id_is_free() -> None:
    from generator import fixed_names, previous

    last = previous.rule_ids(_rules({"Old": ("Ingress", 5432, "from web")}))
    rendered = _rules({"New": ("Ingress", 5432, "web to db")})["s"]
    assert fixed_names.kept_rules(rendered, last, {"Db", "New"}) == {"New": "Old"}
    # another resource of this build has the ID now: nothing is kept
    assert fixed_names.kept_rules(rendered, last, {"Db", "New", "Old"}) == {}
    # another port is another rule
    other = _rules({"New": ("Ingress", 5433, "from web")})["s"]
    assert fixed_names.kept_rules(other, last, {"Db", "New"}) == {}
