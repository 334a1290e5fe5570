"""Dynamic DNS for a Fargate task without a load balancer.

Placed inline in a template (Code.ZipFile, handler index.handler): standard library and
boto3 only. Environment: HOSTED_ZONE_ID, RECORD_NAME, TTL (default 60), SERVICE_GROUP
("service:NAME"; empty accepts any task of the cluster), CLUSTER_ARN.

- A task of the service RUNNING: UPSERT the A record RECORD_NAME to its public IP.
- A task stopping (desired STOPPED, up to STOPPED itself): DELETE the record unless its
  address belongs to another network interface (a newer task's). A stopped task's own
  interface is deleted before STOPPED, so "no interface holds it" counts as the task's.
  The DELETE names the exact record read, so Route 53 refuses it (InvalidChangeBatch) if
  the record changed meanwhile: then a newer task's record stays.
- CloudFormation custom resource (RequestType): Delete removes the record whatever it
  holds (the stack is going); Create does nothing; an Update that moves the record to
  another name or zone fails, so the stack rolls back: the role may change only the new
  name, so the old record could not be deleted and would be left pointing at an address
  the task releases. Always answers CloudFormation.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import urllib.request
from typing import Any

ENI_TYPES = ("eni", "ElasticNetworkInterface")


@functools.cache
def _client(name: str) -> Any:
    # boto3 ships with the Lambda runtime; loaded lazily so tests do not need it.
    return importlib.import_module("boto3").client(name)


def _code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _eni_id(detail: dict[str, Any]) -> str | None:
    for attachment in detail.get("attachments") or []:
        if attachment.get("type") not in ENI_TYPES:
            continue
        for item in attachment.get("details") or []:
            if item.get("name") == "networkInterfaceId" and item.get("value"):
                return str(item["value"])
    return None


def _result(action: str, **info: str) -> dict[str, str]:
    result = {"action": action, **info}
    print(" ".join(f"{key}={value}" for key, value in result.items()))
    return result


def _record(zone: str, name: str) -> dict[str, Any] | None:
    """The A record of ``name`` as Route 53 holds it, or None."""
    found = _client("route53").list_resource_record_sets(
        HostedZoneId=zone, StartRecordName=name, StartRecordType="A", MaxItems="1"
    )
    for record in found.get("ResourceRecordSets") or []:
        if record.get("Name", "").rstrip(".") == name and record.get("Type") == "A":
            return dict(record)
    return None


def _delete(zone: str, record: dict[str, Any], why: str) -> dict[str, str]:
    name = str(record["Name"])
    try:
        _client("route53").change_resource_record_sets(
            HostedZoneId=zone,
            ChangeBatch={
                "Comment": why[:256],
                "Changes": [{"Action": "DELETE", "ResourceRecordSet": record}],
            },
        )
    except Exception as error:
        if _code(error) != "InvalidChangeBatch":
            raise
        return _result("kept", reason="record changed meanwhile", name=name)
    return _result("deleted", name=name, why=why)


def _running(detail: dict[str, Any], task: str, zone: str, name: str) -> dict[str, str]:
    eni = _eni_id(detail)
    if eni is None:
        return _result("skipped", reason="no network interface", task=task)
    try:
        found = _client("ec2").describe_network_interfaces(NetworkInterfaceIds=[eni])
    except Exception as error:
        if _code(error) != "InvalidNetworkInterfaceID.NotFound":
            raise
        return _result("skipped", reason="network interface gone", task=task, eni=eni)
    ip = ((found.get("NetworkInterfaces") or [{}])[0].get("Association") or {}).get("PublicIp")
    if not ip:
        return _result("skipped", reason="no public IP", task=task, eni=eni)
    record = {
        "Name": name,
        "Type": "A",
        "TTL": int(os.environ.get("TTL") or "60"),
        "ResourceRecords": [{"Value": ip}],
    }
    _client("route53").change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Comment": f"task {task}"[:256],
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}],
        },
    )
    return _result("upserted", ip=str(ip), name=name, task=task)


def _stopping(detail: dict[str, Any], task: str, zone: str, name: str) -> dict[str, str]:
    record = _record(zone, name)
    if record is None:
        return _result("absent", name=name, task=task)
    ips = [str(r.get("Value")) for r in record.get("ResourceRecords") or []]
    if len(ips) != 1 or record.get("AliasTarget") or record.get("SetIdentifier"):
        return _result("kept", reason="not a record this function writes", name=name)
    found = _client("ec2").describe_network_interfaces(
        Filters=[{"Name": "association.public-ip", "Values": ips}]
    )
    eni = _eni_id(detail)
    for interface in found.get("NetworkInterfaces") or []:
        if interface.get("NetworkInterfaceId") != eni:
            holder = str(interface.get("NetworkInterfaceId"))
            return _result(
                "kept", reason="address held by another interface", ip=ips[0], eni=holder, task=task
            )
    return _delete(zone, record, f"task {task} stopped")


def _respond(event: dict[str, Any], status: str, reason: str, physical: str) -> None:
    """PUT the answer to CloudFormation's pre-signed URL (what cfn-response does):
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html"""
    body = {
        "Status": status,
        "Reason": reason[:1000],
        "PhysicalResourceId": physical,
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
    }
    request = urllib.request.Request(
        str(event["ResponseURL"]),
        data=json.dumps(body).encode(),
        method="PUT",
        # The URL is signed for no content type: send an empty one, not urllib's default.
        headers={"Content-Type": ""},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        response.read()


def _remove(zone: str, name: str) -> dict[str, str]:
    """The stack is going: the record goes whatever it holds (read again if it changed)."""
    for _attempt in range(3):
        record = _record(zone, name)
        if record is None:
            return _result("absent", name=name)
        result = _delete(zone, record, "stack deleted")
        if result["action"] == "deleted":
            return result
    raise RuntimeError(f"{name} changed at each of 3 attempts to delete it")


def _custom_resource(event: dict[str, Any]) -> dict[str, str]:
    props = event.get("ResourceProperties") or {}
    zone, name = str(props.get("HostedZoneId")), str(props.get("RecordName"))
    # Zone and name identify it: changing either makes CloudFormation delete the old one.
    physical = f"{zone}/{name}"
    status, reason = "SUCCESS", ""
    try:
        if event["RequestType"] == "Delete":
            physical = str(event.get("PhysicalResourceId") or physical)
            result = _remove(zone, name)
        elif event["RequestType"] == "Update" and event.get("PhysicalResourceId") != physical:
            old = str(event.get("PhysicalResourceId"))
            physical = old
            raise RuntimeError(
                f"public_dns cannot move from {old} to {zone}/{name} in one deploy: the old "
                "record would be left pointing at an address the task releases; deploy "
                "without public_dns first (that deletes the record), then with the new name"
            )
        else:
            result = _result("nothing to do", request=str(event["RequestType"]), name=name)
    except Exception as error:
        status, reason = "FAILED", f"{type(error).__name__}: {error}"
        result = _result("failed", reason=reason, name=name)
    _respond(event, status, reason, physical)
    return result


def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    if "RequestType" in event:
        return _custom_resource(event)
    detail: dict[str, Any] = event.get("detail") or {}
    task = str(detail.get("taskArn", "?"))
    group = os.environ.get("SERVICE_GROUP", "")
    if event.get("detail-type") != "ECS Task State Change":
        return _result("ignored", reason="not a task state change", task=task)
    if detail.get("clusterArn") != os.environ.get("CLUSTER_ARN", ""):
        return _result("ignored", reason="other cluster", task=task)
    if group and detail.get("group") != group:
        return _result("ignored", reason="other service", task=task)
    zone, name = os.environ["HOSTED_ZONE_ID"], os.environ["RECORD_NAME"]
    if detail.get("desiredStatus") == "STOPPED":
        return _stopping(detail, task, zone, name)
    if detail.get("lastStatus") == "RUNNING" and detail.get("desiredStatus") == "RUNNING":
        return _running(detail, task, zone, name)
    status = f"{detail.get('lastStatus')}/{detail.get('desiredStatus')}"
    return _result("ignored", reason=f"not running ({status})", task=task)
