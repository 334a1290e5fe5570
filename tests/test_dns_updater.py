"""The DNS updater as Lambda runs it: the exact text placed in the template, executed as
``index.py`` with a fake ``boto3`` (fake EC2 and Route 53 holding a zone's records) and a
fake HTTP endpoint for CloudFormation's answer. And what the template gives it: the
events it receives, the permissions it holds, the custom resource that deletes the
record with the stack."""

from __future__ import annotations

import ast
import json
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.sections.services.public_dns import updater_source

ROOT = Path(__file__).resolve().parent.parent
GHOST = ROOT / "tests/golden/examples/ghost-fargate-efs-cloudfront/ghost-blog-service-ghost.json"
CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/linebot"
GROUP = "service:linebot-ghost-XYZ"
ZONE = "Z0123456789ABC"
NAME = "origin.example.com"
ENI = "eni-0123456789abcdef0"
IP = "203.0.113.7"
NEWER_ENI = "eni-0fedcba9876543210"
NEWER_IP = "198.51.100.9"
RESPONSE_URL = "https://cloudformation-custom-resource-response.s3.amazonaws.com/x?sig=1"


class ClientError(Exception):
    """What botocore raises: the error code under ``response["Error"]["Code"]``."""

    def __init__(self, code: str) -> None:
        super().__init__(f"An error occurred ({code})")
        self.response = {"Error": {"Code": code, "Message": code}}


class FakeEc2:
    """Network interfaces by ID, each with its public IP (or None)."""

    def __init__(self, interfaces: dict[str, str | None] | None = None) -> None:
        self.interfaces = {ENI: IP} if interfaces is None else interfaces
        self.calls: list[dict[str, Any]] = []

    def describe_network_interfaces(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        if "NetworkInterfaceIds" in kwargs:
            ids = kwargs["NetworkInterfaceIds"]
            if any(i not in self.interfaces for i in ids):
                raise ClientError("InvalidNetworkInterfaceID.NotFound")
        else:
            (only,) = kwargs["Filters"]
            assert only["Name"] == "association.public-ip"
            ids = [i for i, ip in self.interfaces.items() if ip in only["Values"]]
        found = []
        for eni in ids:
            interface: dict[str, Any] = {"NetworkInterfaceId": eni}
            if self.interfaces[eni] is not None:
                interface["Association"] = {"PublicIp": self.interfaces[eni]}
            found.append(interface)
        return {"NetworkInterfaces": found}


def a_record(ip: str, name: str = NAME, ttl: int = 60) -> dict[str, Any]:
    """A record as ListResourceRecordSets returns it: the name with its final dot."""
    return {"Name": f"{name}.", "Type": "A", "TTL": ttl, "ResourceRecords": [{"Value": ip}]}


class FakeRoute53:
    """One hosted zone's records, changed as Route 53 does: a DELETE must name the record
    exactly as it is, or the whole batch is refused with InvalidChangeBatch."""

    def __init__(self, *records: dict[str, Any]) -> None:
        self.records = [dict(r) for r in records]
        self.calls: list[tuple[str, dict[str, Any]]] = []
        #: run just before a change is applied: another writer, between read and write
        self.meanwhile: list[Any] = []
        self.refuse: str | None = None

    def list_resource_record_sets(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("list", kwargs))
        start = (kwargs["StartRecordName"] + ".", kwargs["StartRecordType"])
        after = sorted(
            (r for r in self.records if (r["Name"], r["Type"]) >= start),
            key=lambda r: (r["Name"], r["Type"]),
        )
        return {"ResourceRecordSets": after[: int(kwargs["MaxItems"])]}

    def change_resource_record_sets(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("change", kwargs))
        if self.meanwhile:
            self.meanwhile.pop(0)()
        if self.refuse:
            raise ClientError(self.refuse)
        assert kwargs["HostedZoneId"] == ZONE
        for change in kwargs["ChangeBatch"]["Changes"]:
            wanted = dict(change["ResourceRecordSet"])
            wanted["Name"] = wanted["Name"].rstrip(".") + "."
            same = [r for r in self.records if (r["Name"], r["Type"]) == (wanted["Name"], "A")]
            if change["Action"] == "DELETE":
                if same != [wanted]:
                    raise ClientError("InvalidChangeBatch")
                self.records.remove(wanted)
            else:
                assert change["Action"] == "UPSERT"
                for r in same:
                    self.records.remove(r)
                self.records.append(wanted)
        return {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}}

    def changes(self) -> list[dict[str, Any]]:
        return [call for kind, call in self.calls if kind == "change"]

    def holds(self) -> list[str]:
        """The addresses the record of NAME holds now."""
        found = [r for r in self.records if r["Name"] == f"{NAME}."]
        return [v["Value"] for r in found for v in r["ResourceRecords"]]


class Response:
    def read(self) -> bytes:
        return b""

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTED_ZONE_ID", ZONE)
    monkeypatch.setenv("RECORD_NAME", NAME)
    monkeypatch.delenv("TTL", raising=False)
    monkeypatch.setenv("SERVICE_GROUP", GROUP)
    monkeypatch.setenv("CLUSTER_ARN", CLUSTER)


class World:
    """The fakes one test drives the function against."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ec2 = FakeEc2()
        self.r53 = FakeRoute53()
        self.answers: list[tuple[urllib.request.Request, float]] = []
        clients = {"ec2": lambda: self.ec2, "route53": lambda: self.r53}
        fake = SimpleNamespace(client=lambda name: clients[name]())
        monkeypatch.setitem(sys.modules, "boto3", fake)
        monkeypatch.setattr(urllib.request, "urlopen", self._urlopen)
        # Lambda's view: the template's ZipFile text as index.py, nothing from generator.
        self.namespace: dict[str, Any] = {"__name__": "index"}
        exec(compile(updater_source(), "index.py", "exec"), self.namespace)

    def _urlopen(self, request: urllib.request.Request, timeout: float) -> Response:
        self.answers.append((request, timeout))
        return Response()

    def run(self, event: dict[str, Any]) -> dict[str, str]:
        result: dict[str, str] = self.namespace["handler"](event, None)
        return result

    def answer(self) -> dict[str, Any]:
        (request, _timeout) = self.answers[0]
        assert len(self.answers) == 1
        assert isinstance(request.data, bytes)
        body: dict[str, Any] = json.loads(request.data)
        return body


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    return World(monkeypatch)


def make_event(
    last: str = "RUNNING",
    desired: str = "RUNNING",
    cluster: str = CLUSTER,
    group: str = GROUP,
    eni: bool = True,
) -> dict[str, Any]:
    attachments: list[dict[str, Any]] = []
    if eni:
        attachments.append(
            {
                "id": "a1",
                "type": "eni",
                "status": "DELETED" if last == "STOPPED" else "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": "subnet-1"},
                    {"name": "networkInterfaceId", "value": ENI},
                    {"name": "privateIPv4Address", "value": "10.0.1.5"},
                ],
            }
        )
    return {
        "version": "0",
        "source": "aws.ecs",
        "detail-type": "ECS Task State Change",
        "detail": {
            "taskArn": f"{CLUSTER.replace(':cluster/', ':task/')}/abc",
            "clusterArn": cluster,
            "group": group,
            "lastStatus": last,
            "desiredStatus": desired,
            "attachments": attachments,
        },
    }


TASK = make_event()["detail"]["taskArn"]


def stack_event(request: str, **props: str) -> dict[str, Any]:
    event = {
        "RequestType": request,
        "ResponseURL": RESPONSE_URL,
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/ghost/1",
        "RequestId": "req-1",
        "ResourceType": "AWS::CloudFormation::CustomResource",
        "LogicalResourceId": "GhostDnsRecord",
        "ResourceProperties": {
            "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:ghost-dns",
            "HostedZoneId": ZONE,
            "RecordName": NAME,
            **props,
        },
    }
    if request != "Create":
        event["PhysicalResourceId"] = f"{ZONE}/{NAME}"
    return event


def listed(name: str = NAME) -> tuple[str, dict[str, Any]]:
    return (
        "list",
        {"HostedZoneId": ZONE, "StartRecordName": name, "StartRecordType": "A", "MaxItems": "1"},
    )


# --- a task reaches RUNNING ------------------------------------------------------------


def test_running_task_upserts_a_record(world: World) -> None:
    result = world.run(make_event())
    assert result == {"action": "upserted", "ip": IP, "name": NAME, "task": TASK}
    assert world.ec2.calls == [{"NetworkInterfaceIds": [ENI]}]
    assert world.r53.calls == [
        (
            "change",
            {
                "HostedZoneId": ZONE,
                "ChangeBatch": {
                    "Comment": f"task {TASK}",
                    "Changes": [
                        {
                            "Action": "UPSERT",
                            "ResourceRecordSet": {
                                "Name": NAME,
                                "Type": "A",
                                "TTL": 60,
                                "ResourceRecords": [{"Value": IP}],
                            },
                        }
                    ],
                },
            },
        )
    ]
    assert world.r53.holds() == [IP]
    assert world.answers == []  # CloudFormation is answered only for its own requests


def test_running_task_replaces_an_older_tasks_address(world: World) -> None:
    world.r53.records = [a_record(NEWER_IP)]
    world.run(make_event())
    assert world.r53.holds() == [IP]


def test_ttl_comes_from_environment(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTL", "300")
    world.run(make_event())
    assert world.r53.changes()[0]["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["TTL"] == 300


def test_no_public_ip_is_skipped(world: World) -> None:
    world.ec2.interfaces = {ENI: None}
    result = world.run(make_event())
    assert result == {"action": "skipped", "reason": "no public IP", "task": TASK, "eni": ENI}
    assert len(world.ec2.calls) == 1
    assert world.r53.calls == []


def test_running_event_for_an_interface_already_gone_is_skipped(world: World) -> None:
    """A RUNNING event delivered after the task stopped: nothing to point at."""
    world.ec2.interfaces = {}
    result = world.run(make_event())
    assert result["action"] == "skipped"
    assert result["reason"] == "network interface gone"
    assert world.r53.calls == []


def test_other_ec2_errors_are_not_swallowed(world: World) -> None:
    def denied(**kwargs: Any) -> dict[str, Any]:
        raise ClientError("UnauthorizedOperation")

    world.ec2.describe_network_interfaces = denied  # type: ignore[method-assign]
    with pytest.raises(ClientError, match="UnauthorizedOperation"):
        world.run(make_event())
    assert world.r53.calls == []


def test_no_eni_attachment_is_skipped(world: World) -> None:
    result = world.run(make_event(eni=False))
    assert result == {"action": "skipped", "reason": "no network interface", "task": TASK}
    assert world.ec2.calls == []
    assert world.r53.calls == []


# --- a task stops ----------------------------------------------------------------------


def test_stopped_task_whose_address_the_record_holds_deletes_the_exact_record(
    world: World,
) -> None:
    """At STOPPED the task's interface is gone, and its address with it: the record that
    still holds that address is deleted, named exactly as Route 53 listed it."""
    world.r53.records = [a_record(IP)]
    world.ec2.interfaces = {}
    result = world.run(make_event(last="STOPPED", desired="STOPPED"))
    assert result == {"action": "deleted", "name": f"{NAME}.", "why": f"task {TASK} stopped"}
    assert world.ec2.calls == [
        {"Filters": [{"Name": "association.public-ip", "Values": [IP]}]},
    ]
    assert world.r53.calls == [
        listed(),
        (
            "change",
            {
                "HostedZoneId": ZONE,
                "ChangeBatch": {
                    "Comment": f"task {TASK} stopped",
                    "Changes": [{"Action": "DELETE", "ResourceRecordSet": a_record(IP)}],
                },
            },
        ),
    ]
    assert world.r53.holds() == []
    assert world.answers == []


def test_stopping_task_still_holding_its_address_deletes_the_record(world: World) -> None:
    """desiredStatus STOPPED while the task still runs: the record goes before the
    address is released, so it never points at an address someone else may get."""
    world.r53.records = [a_record(IP)]
    result = world.run(make_event(last="RUNNING", desired="STOPPED"))
    assert result["action"] == "deleted"
    assert world.r53.holds() == []


def test_stopped_task_keeps_a_record_a_newer_task_already_replaced(world: World) -> None:
    world.r53.records = [a_record(NEWER_IP)]
    world.ec2.interfaces = {NEWER_ENI: NEWER_IP}
    result = world.run(make_event(last="STOPPED", desired="STOPPED"))
    assert result == {
        "action": "kept",
        "reason": "address held by another interface",
        "ip": NEWER_IP,
        "eni": NEWER_ENI,
        "task": TASK,
    }
    assert world.ec2.calls == [
        {"Filters": [{"Name": "association.public-ip", "Values": [NEWER_IP]}]},
    ]
    assert world.r53.calls == [listed()]
    assert world.r53.holds() == [NEWER_IP]


def test_newer_task_replacing_the_record_meanwhile_wins_the_race(world: World) -> None:
    """Read the old address, then a newer task UPSERTs before the DELETE: Route 53 refuses
    the DELETE of a record that is no longer what was read, and the newer one stays."""
    world.r53.records = [a_record(IP)]
    world.ec2.interfaces = {}
    world.r53.meanwhile.append(lambda: world.r53.records.__setitem__(0, a_record(NEWER_IP)))
    result = world.run(make_event(last="STOPPED", desired="STOPPED"))
    assert result == {"action": "kept", "reason": "record changed meanwhile", "name": f"{NAME}."}
    assert world.r53.changes()[0]["ChangeBatch"]["Changes"] == [
        {"Action": "DELETE", "ResourceRecordSet": a_record(IP)}
    ]
    assert world.r53.holds() == [NEWER_IP]


def test_stopped_task_with_no_record_changes_nothing(world: World) -> None:
    world.r53.records = [a_record(NEWER_IP, name="www.example.com")]
    result = world.run(make_event(last="STOPPED", desired="STOPPED"))
    assert result == {"action": "absent", "name": NAME, "task": TASK}
    assert world.ec2.calls == []
    assert world.r53.calls == [listed()]
    assert len(world.r53.records) == 1


@pytest.mark.parametrize(
    "record",
    [
        {**a_record(IP), "ResourceRecords": [{"Value": IP}, {"Value": NEWER_IP}]},
        {"Name": f"{NAME}.", "Type": "A", "AliasTarget": {"DNSName": "x.cloudfront.net."}},
        {**a_record(IP), "SetIdentifier": "blue", "Weight": 1},
    ],
    ids=["two-values", "alias", "weighted"],
)
def test_stopped_task_leaves_records_this_function_does_not_write(
    world: World, record: dict[str, Any]
) -> None:
    world.r53.records = [record]
    world.ec2.interfaces = {}
    result = world.run(make_event(last="STOPPED", desired="STOPPED"))
    assert result == {"action": "kept", "reason": "not a record this function writes", "name": NAME}
    assert world.r53.calls == [listed()]
    assert world.r53.records == [record]


def test_refused_delete_for_another_reason_is_not_swallowed(world: World) -> None:
    world.r53.records = [a_record(IP)]
    world.ec2.interfaces = {}
    world.r53.refuse = "AccessDenied"
    with pytest.raises(ClientError, match="AccessDenied"):
        world.run(make_event(last="STOPPED", desired="STOPPED"))


# --- events of other tasks ---------------------------------------------------------------


@pytest.mark.parametrize(("last", "desired"), [("PENDING", "RUNNING"), ("PROVISIONING", "RUNNING")])
def test_task_starting_is_ignored(world: World, last: str, desired: str) -> None:
    result = world.run(make_event(last=last, desired=desired))
    assert result == {
        "action": "ignored",
        "reason": f"not running ({last}/{desired})",
        "task": TASK,
    }
    assert world.ec2.calls == []
    assert world.r53.calls == []


@pytest.mark.parametrize("desired", ["RUNNING", "STOPPED"])
def test_other_cluster_is_ignored(world: World, desired: str) -> None:
    other = "arn:aws:ecs:eu-west-1:123456789012:cluster/other"
    world.r53.records = [a_record(IP)]
    result = world.run(make_event(cluster=other, desired=desired))
    assert result == {"action": "ignored", "reason": "other cluster", "task": TASK}
    assert world.ec2.calls == []
    assert world.r53.calls == []


@pytest.mark.parametrize("desired", ["RUNNING", "STOPPED"])
def test_other_service_is_ignored(world: World, desired: str) -> None:
    world.r53.records = [a_record(IP)]
    result = world.run(make_event(group="service:someone-else", desired=desired))
    assert result == {"action": "ignored", "reason": "other service", "task": TASK}
    assert world.ec2.calls == []
    assert world.r53.calls == []


def test_empty_service_group_accepts_any_task_of_cluster(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVICE_GROUP", "")
    result = world.run(make_event(group="family:adhoc"))
    assert result["action"] == "upserted"
    assert len(world.r53.changes()) == 1


def test_other_event_type_is_ignored(world: World) -> None:
    event = make_event()
    event["detail-type"] = "ECS Container Instance State Change"
    assert world.run(event)["action"] == "ignored"
    assert world.ec2.calls == [] and world.r53.calls == []


# --- the stack: the record's custom resource -------------------------------------------------


def test_stack_deletion_deletes_the_record_and_answers_success(world: World) -> None:
    world.r53.records = [a_record(IP), a_record(IP, name="www.example.com")]
    result = world.run(stack_event("Delete"))
    assert result == {"action": "deleted", "name": f"{NAME}.", "why": "stack deleted"}
    assert world.r53.calls == [
        listed(),
        (
            "change",
            {
                "HostedZoneId": ZONE,
                "ChangeBatch": {
                    "Comment": "stack deleted",
                    "Changes": [{"Action": "DELETE", "ResourceRecordSet": a_record(IP)}],
                },
            },
        ),
    ]
    assert world.r53.records == [a_record(IP, name="www.example.com")]
    assert world.ec2.calls == []
    (request, timeout) = world.answers[0]
    assert request.full_url == RESPONSE_URL
    assert request.get_method() == "PUT"
    # The pre-signed URL is signed for an empty content type, not urllib's form default.
    assert request.header_items() == [("Content-type", "")]
    assert 0 < timeout <= 30
    assert world.answer() == {
        "Status": "SUCCESS",
        "Reason": "",
        "PhysicalResourceId": f"{ZONE}/{NAME}",
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/ghost/1",
        "RequestId": "req-1",
        "LogicalResourceId": "GhostDnsRecord",
    }


def test_stack_deletion_deletes_whatever_the_record_holds(world: World) -> None:
    """Even an address a running task holds: the stack, and the service, are going."""
    world.r53.records = [a_record(NEWER_IP)]
    world.ec2.interfaces = {NEWER_ENI: NEWER_IP}
    assert world.run(stack_event("Delete"))["action"] == "deleted"
    assert world.r53.holds() == []
    assert world.answer()["Status"] == "SUCCESS"


def test_stack_deletion_without_a_record_succeeds(world: World) -> None:
    result = world.run(stack_event("Delete"))
    assert result == {"action": "absent", "name": NAME}
    assert world.r53.calls == [listed()]
    assert world.answer()["Status"] == "SUCCESS"
    assert world.answer()["PhysicalResourceId"] == f"{ZONE}/{NAME}"


def test_stack_deletion_reads_again_when_the_record_changed_meanwhile(world: World) -> None:
    world.r53.records = [a_record(IP)]
    world.r53.meanwhile.append(lambda: world.r53.records.__setitem__(0, a_record(NEWER_IP)))
    result = world.run(stack_event("Delete"))
    assert result["action"] == "deleted"
    deleted = [c["ChangeBatch"]["Changes"][0]["ResourceRecordSet"] for c in world.r53.changes()]
    assert deleted == [a_record(IP), a_record(NEWER_IP)]
    assert world.r53.holds() == []
    assert world.answer()["Status"] == "SUCCESS"


def test_stack_deletion_when_the_record_went_meanwhile_succeeds(world: World) -> None:
    """Read, then deleted by a stopping task before our DELETE: gone is what we wanted."""
    world.r53.records = [a_record(IP)]
    world.r53.meanwhile.append(world.r53.records.clear)
    assert world.run(stack_event("Delete")) == {"action": "absent", "name": NAME}
    assert world.answer()["Status"] == "SUCCESS"


def test_stack_deletion_that_cannot_delete_answers_failed(world: World) -> None:
    world.r53.records = [a_record(IP)]
    world.r53.refuse = "AccessDenied"
    result = world.run(stack_event("Delete"))
    assert result["action"] == "failed"
    assert world.answer()["Status"] == "FAILED"
    assert world.answer()["Reason"] == "ClientError: An error occurred (AccessDenied)"
    assert world.answer()["PhysicalResourceId"] == f"{ZONE}/{NAME}"
    assert world.r53.holds() == [IP]


def test_stack_creation_changes_nothing_and_names_the_record(world: World) -> None:
    world.r53.records = [a_record(IP)]
    result = world.run(stack_event("Create"))
    assert result == {"action": "nothing to do", "request": "Create", "name": NAME}
    assert world.r53.calls == [] and world.ec2.calls == []
    assert world.answer()["Status"] == "SUCCESS"
    assert world.answer()["PhysicalResourceId"] == f"{ZONE}/{NAME}"


def test_renaming_the_record_fails_the_update_and_keeps_the_old_id(world: World) -> None:
    """After the update the role may change only the new name: CloudFormation's Delete of
    the old one would be refused and the old record left behind. So the Update fails (the
    stack rolls back, the old record stays managed) and says how to rename."""
    world.r53.records = [a_record(IP)]
    result = world.run(stack_event("Update", RecordName="origin2.example.com"))
    assert result["action"] == "failed"
    assert world.r53.calls == []
    answer = world.answer()
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("FAILED", f"{ZONE}/{NAME}")
    assert answer["Reason"] == (
        f"RuntimeError: public_dns cannot move from {ZONE}/{NAME} to {ZONE}/origin2.example.com "
        "in one deploy: the old record would be left pointing at an address the task "
        "releases; deploy without public_dns first (that deletes the record), then with the "
        "new name"
    )
    assert world.r53.holds() == [IP]


def test_an_update_that_keeps_the_record_changes_nothing(world: World) -> None:
    world.r53.records = [a_record(IP)]
    result = world.run(stack_event("Update", TTL="120"))
    assert result["action"] == "nothing to do"
    assert world.answer()["Status"] == "SUCCESS"
    assert world.r53.holds() == [IP]


# --- the code itself, and what the template gives it -----------------------------------------


def test_source_imports_only_the_standard_library() -> None:
    """Inline code gets no dependencies: boto3 comes with the runtime, loaded by name."""
    tree = ast.parse(updater_source())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {
        "__future__",
        "functools",
        "importlib",
        "json",
        "os",
        "typing",
        "urllib.request",
    }
    assert all(m in sys.stdlib_module_names for m in {i.split(".")[0] for i in imported})


def _ghost() -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(GHOST.read_text("utf-8"))["Resources"]
    return resources


def test_template_carries_this_source() -> None:
    code = _ghost()["GhostDnsUpdaterFunction"]["Properties"]["Code"]["ZipFile"]
    assert code == updater_source()


def test_rule_sends_running_and_stopping_tasks_of_the_service() -> None:
    rule = _ghost()["GhostTaskStateRule"]
    detail = rule["Properties"]["EventPattern"]["detail"]
    assert detail["group"] == ["service:ghost-blog-ghost"]
    assert detail["$or"] == [
        {"lastStatus": ["RUNNING"], "desiredStatus": ["RUNNING"]},
        {"desiredStatus": ["STOPPED"]},
    ]
    # Deleted before the record's custom resource on stack deletion.
    assert rule["DependsOn"] == ["GhostDnsRecord"]


def test_custom_resource_hands_the_function_its_record() -> None:
    record = _ghost()["GhostDnsRecord"]
    assert record["Type"] == "AWS::CloudFormation::CustomResource"
    assert record["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": ["GhostDnsUpdaterFunction", "Arn"]},
        "HostedZoneId": "Z0123456789ABCDEFGHIJ",
        "RecordName": "origin.blog.example.com",
        "ServiceTimeout": 300,
    }


def test_role_may_change_only_its_own_a_record() -> None:
    (policy,) = _ghost()["GhostDnsUpdaterRole"]["Properties"]["Policies"]
    statements = {tuple(s["Action"]): s for s in policy["PolicyDocument"]["Statement"]}
    zone = {
        "Fn::Sub": [
            "arn:${AWS::Partition}:route53:::hostedzone/${Zone}",
            {"Zone": "Z0123456789ABCDEFGHIJ"},
        ]
    }
    change = statements[("route53:ChangeResourceRecordSets",)]
    assert change["Resource"] == [zone]
    assert change["Condition"] == {
        "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsActions": ["DELETE", "UPSERT"],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["origin.blog.example.com"],
            "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
        }
    }
    assert statements[("route53:ListResourceRecordSets",)]["Resource"] == [zone]
    assert statements[("ec2:DescribeNetworkInterfaces",)]["Resource"] == ["*"]
    assert {a for actions in statements for a in actions} == {
        "route53:ChangeResourceRecordSets",
        "route53:ListResourceRecordSets",
        "ec2:DescribeNetworkInterfaces",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:SendMessage",
    }
