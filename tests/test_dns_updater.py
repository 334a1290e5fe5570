"""The dynamic-DNS Lambda, driven with fake EC2/Route53 clients (no network, no boto3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.functions import dns_updater

SOURCE = Path(dns_updater.__file__)
CLUSTER = "arn:aws:ecs:eu-west-1:123456789012:cluster/linebot"
GROUP = "service:linebot-ghost-XYZ"
ENI = "eni-0123456789abcdef0"
IP = "203.0.113.7"


class FakeEc2:
    def __init__(self, public_ip: str | None = IP) -> None:
        self.public_ip = public_ip
        self.calls: list[dict[str, Any]] = []

    def describe_network_interfaces(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        interface: dict[str, Any] = {"NetworkInterfaceId": ENI}
        if self.public_ip is not None:
            interface["Association"] = {"PublicIp": self.public_ip}
        return {"NetworkInterfaces": [interface]}


class FakeRoute53:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def change_resource_record_sets(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}}


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
                "status": "ATTACHED",
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


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOSTED_ZONE_ID", "Z0123456789ABC")
    monkeypatch.setenv("RECORD_NAME", "origin.example.com")
    monkeypatch.delenv("TTL", raising=False)
    monkeypatch.setenv("SERVICE_GROUP", GROUP)
    monkeypatch.setenv("CLUSTER_ARN", CLUSTER)


def run(event: dict[str, Any], ec2: FakeEc2, r53: FakeRoute53) -> dict[str, str]:
    return dns_updater.handler(event, None, ec2=ec2, route53=r53)


def test_running_task_upserts_a_record() -> None:
    ec2, r53 = FakeEc2(), FakeRoute53()
    result = run(make_event(), ec2, r53)
    assert result["action"] == "upserted"
    assert result["ip"] == IP
    assert ec2.calls == [{"NetworkInterfaceIds": [ENI]}]
    assert len(r53.calls) == 1
    call = r53.calls[0]
    assert call["HostedZoneId"] == "Z0123456789ABC"
    (change,) = call["ChangeBatch"]["Changes"]
    assert change["Action"] == "UPSERT"
    assert change["ResourceRecordSet"] == {
        "Name": "origin.example.com",
        "Type": "A",
        "TTL": 60,
        "ResourceRecords": [{"Value": IP}],
    }


def test_ttl_comes_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTL", "300")
    r53 = FakeRoute53()
    run(make_event(), FakeEc2(), r53)
    assert r53.calls[0]["ChangeBatch"]["Changes"][0]["ResourceRecordSet"]["TTL"] == 300


@pytest.mark.parametrize(
    ("last", "desired"),
    [
        ("PENDING", "RUNNING"),
        ("PROVISIONING", "RUNNING"),
        ("RUNNING", "STOPPED"),
        ("STOPPED", "STOPPED"),
    ],
)
def test_task_not_running_is_ignored(last: str, desired: str) -> None:
    ec2, r53 = FakeEc2(), FakeRoute53()
    result = run(make_event(last=last, desired=desired), ec2, r53)
    assert result["action"] == "ignored"
    assert ec2.calls == []
    assert r53.calls == []


def test_no_public_ip_is_skipped() -> None:
    ec2, r53 = FakeEc2(public_ip=None), FakeRoute53()
    result = run(make_event(), ec2, r53)
    assert result == {
        "action": "skipped",
        "reason": "no public IP",
        "task": make_event()["detail"]["taskArn"],
        "eni": ENI,
    }
    assert len(ec2.calls) == 1
    assert r53.calls == []


def test_no_eni_attachment_is_skipped() -> None:
    ec2, r53 = FakeEc2(), FakeRoute53()
    result = run(make_event(eni=False), ec2, r53)
    assert result["action"] == "skipped"
    assert ec2.calls == []
    assert r53.calls == []


def test_other_cluster_is_ignored() -> None:
    ec2, r53 = FakeEc2(), FakeRoute53()
    other = "arn:aws:ecs:eu-west-1:123456789012:cluster/other"
    result = run(make_event(cluster=other), ec2, r53)
    assert result["action"] == "ignored"
    assert result["reason"] == "other cluster"
    assert ec2.calls == []
    assert r53.calls == []


def test_other_service_is_ignored() -> None:
    ec2, r53 = FakeEc2(), FakeRoute53()
    result = run(make_event(group="service:someone-else"), ec2, r53)
    assert result["action"] == "ignored"
    assert result["reason"] == "other service"
    assert ec2.calls == []
    assert r53.calls == []


def test_empty_service_group_accepts_any_task_of_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_GROUP", "")
    r53 = FakeRoute53()
    result = run(make_event(group="family:adhoc"), FakeEc2(), r53)
    assert result["action"] == "upserted"
    assert len(r53.calls) == 1


def test_other_event_type_is_ignored() -> None:
    ec2, r53 = FakeEc2(), FakeRoute53()
    event = make_event()
    event["detail-type"] = "ECS Container Instance State Change"
    assert run(event, ec2, r53)["action"] == "ignored"
    assert ec2.calls == [] and r53.calls == []


def test_source_fits_inline_zipfile_limit() -> None:
    assert len(SOURCE.read_text(encoding="utf-8")) < 4000


def test_runs_from_source_text_alone() -> None:
    """Lambda runs the inline text as index.py: no package, nothing from ``generator``."""
    namespace: dict[str, Any] = {"__name__": "index"}
    exec(compile(SOURCE.read_text(encoding="utf-8"), "index.py", "exec"), namespace)
    assert namespace["handler"] is not dns_updater.handler
    ec2, r53 = FakeEc2(), FakeRoute53()
    result = namespace["handler"](make_event(), None, ec2=ec2, route53=r53)
    assert result["action"] == "upserted"
    assert len(r53.calls) == 1
