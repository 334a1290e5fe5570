"""Dynamic DNS for a Fargate task without a load balancer.

Placed inline in a template (Code.ZipFile, handler index.handler): standard library and
boto3 only. On an EventBridge "ECS Task State Change" event for a RUNNING task of the
configured service, UPSERTs the A record RECORD_NAME to the task's public IP.

Environment: HOSTED_ZONE_ID, RECORD_NAME, TTL (default 60), SERVICE_GROUP (e.g.
"service:NAME"; empty accepts any task of the cluster), CLUSTER_ARN.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

ENI_TYPES = ("eni", "ElasticNetworkInterface")


def _client(name: str) -> Any:
    # boto3 ships with the Lambda runtime; loaded lazily so tests do not need it.
    return importlib.import_module("boto3").client(name)


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


def handler(
    event: dict[str, Any], context: Any, ec2: Any = None, route53: Any = None
) -> dict[str, str]:
    detail: dict[str, Any] = event.get("detail") or {}
    task = str(detail.get("taskArn", "?"))
    cluster = os.environ.get("CLUSTER_ARN", "")
    group = os.environ.get("SERVICE_GROUP", "")
    if event.get("detail-type") != "ECS Task State Change":
        return _result("ignored", reason="not a task state change", task=task)
    if detail.get("lastStatus") != "RUNNING" or detail.get("desiredStatus") != "RUNNING":
        status = f"{detail.get('lastStatus')}/{detail.get('desiredStatus')}"
        return _result("ignored", reason=f"not running ({status})", task=task)
    if detail.get("clusterArn") != cluster:
        return _result("ignored", reason="other cluster", task=task)
    if group and detail.get("group") != group:
        return _result("ignored", reason="other service", task=task)

    eni = _eni_id(detail)
    if eni is None:
        return _result("skipped", reason="no network interface", task=task)
    ec2 = ec2 if ec2 is not None else _client("ec2")
    interfaces = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
    found = interfaces.get("NetworkInterfaces") or [{}]
    ip = (found[0].get("Association") or {}).get("PublicIp")
    if not ip:
        return _result("skipped", reason="no public IP", task=task, eni=eni)

    name = os.environ["RECORD_NAME"]
    record = {
        "Name": name,
        "Type": "A",
        "TTL": int(os.environ.get("TTL") or "60"),
        "ResourceRecords": [{"Value": ip}],
    }
    route53 = route53 if route53 is not None else _client("route53")
    route53.change_resource_record_sets(
        HostedZoneId=os.environ["HOSTED_ZONE_ID"],
        ChangeBatch={
            "Comment": f"task {task}"[:256],
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}],
        },
    )
    return _result("upserted", ip=str(ip), name=name, task=task)
