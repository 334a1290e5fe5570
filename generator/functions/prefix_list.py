"""blueprint's prefix-list lookup: a CloudFormation custom resource, placed inline in the
template, that finds an AWS-managed prefix list's ID by its name.

CloudFront's origin-facing list (``com.amazonaws.global.cloudfront.origin-facing``) has a
different ID in each region, and no CloudFormation resource or pseudo parameter names it;
looked up at deploy time, the ID is always the region's own, with no table to keep
current. The standard library and boto3 (in the Lambda runtime) only; the answer goes to
CloudFormation's pre-signed URL with urllib (the cfn-response protocol:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
"""

from __future__ import annotations

import importlib
import json
import urllib.request
from typing import Any


def _ec2() -> Any:
    # boto3 ships with the Lambda runtime; loaded lazily so tests do not need it.
    return importlib.import_module("boto3").client("ec2")


def lookup(ec2: Any, name: str) -> dict[str, Any]:
    """The one prefix list named ``name``: its ID and the entries it may hold (each counts
    as a rule in a security group that names it)."""
    found = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [name]}]
    )["PrefixLists"]
    if len(found) != 1:
        raise LookupError(f"{len(found)} prefix lists are named {name}, not one")
    return {"PrefixListId": found[0]["PrefixListId"], "MaxEntries": found[0]["MaxEntries"]}


def response(
    event: dict[str, Any], status: str, physical: str, data: dict[str, Any], reason: str
) -> bytes:
    """The body CloudFormation expects at the pre-signed URL."""
    body = {
        "Status": status,
        "Reason": reason or "see the function's log",
        "PhysicalResourceId": physical,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }
    return json.dumps(body).encode()


def send(url: str, body: bytes) -> None:
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=20) as answer:
        answer.read()


def handler(
    event: dict[str, Any], context: Any, ec2: Any = None, put: Any = send
) -> dict[str, Any]:
    """Create and Update look the list up; Delete has nothing to remove. Every request is
    answered, a failure too, so a stack never waits for a reply that will not come."""
    status, data, reason = "SUCCESS", {}, ""
    physical = event.get("PhysicalResourceId") or event["LogicalResourceId"]
    try:
        if event["RequestType"] != "Delete":
            name = event["ResourceProperties"]["PrefixListName"]
            data = lookup(ec2 or _ec2(), name)
            physical = data["PrefixListId"]
    except Exception as error:
        status, data, reason = "FAILED", {}, f"{type(error).__name__}: {error}"
    put(event["ResponseURL"], response(event, status, physical, data, reason))
    return {"Status": status, "PhysicalResourceId": physical, "Data": data, "Reason": reason}
