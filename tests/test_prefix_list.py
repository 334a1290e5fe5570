"""The prefix-list lookup behind CloudFront origins, driven with a fake EC2 client and a
fake PUT to CloudFormation's URL (no network, no boto3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.functions import prefix_list

NAME = "com.amazonaws.global.cloudfront.origin-facing"


class FakeEc2:
    def __init__(self, lists: list[dict[str, Any]]) -> None:
        self.lists = lists
        self.calls: list[dict[str, Any]] = []

    def describe_managed_prefix_lists(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"PrefixLists": self.lists}


class Puts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, url: str, body: bytes) -> None:
        self.sent.append((url, json.loads(body)))


def event(kind: str, physical: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "RequestType": kind,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/abc",
        "StackId": "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/ghost-blog/1",
        "RequestId": "r-1",
        "LogicalResourceId": "CloudFrontPrefixList",
        "ResourceProperties": {"ServiceToken": "arn:fn", "PrefixListName": NAME},
    }
    if physical is not None:
        out["PhysicalResourceId"] = physical
    return out


CLOUDFRONT = {"PrefixListId": "pl-58a04531", "PrefixListName": NAME, "MaxEntries": 55}


@pytest.mark.parametrize("kind", ["Create", "Update"])
def test_create_and_update_answer_with_the_regions_list(kind: str) -> None:
    ec2, put = FakeEc2([CLOUDFRONT]), Puts()
    prefix_list.handler(event(kind, None if kind == "Create" else "pl-old"), None, ec2, put)
    assert ec2.calls == [{"Filters": [{"Name": "prefix-list-name", "Values": [NAME]}]}]
    ((url, body),) = put.sent
    assert url == "https://cloudformation-custom-resource-response.example/abc"
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "pl-58a04531"
    assert body["Data"] == {"PrefixListId": "pl-58a04531", "MaxEntries": 55}
    assert (body["StackId"], body["RequestId"], body["LogicalResourceId"]) == (
        event(kind)["StackId"],
        "r-1",
        "CloudFrontPrefixList",
    )


def test_delete_looks_nothing_up_and_keeps_the_id() -> None:
    ec2, put = FakeEc2([CLOUDFRONT]), Puts()
    prefix_list.handler(event("Delete", "pl-58a04531"), None, ec2, put)
    assert ec2.calls == []
    ((_, body),) = put.sent
    assert (body["Status"], body["PhysicalResourceId"], body["Data"]) == (
        "SUCCESS",
        "pl-58a04531",
        {},
    )


@pytest.mark.parametrize("lists", [[], [CLOUDFRONT, {**CLOUDFRONT, "PrefixListId": "pl-2"}]])
def test_no_list_or_two_fail_the_stack_with_a_reason(lists: list[dict[str, Any]]) -> None:
    put = Puts()
    prefix_list.handler(event("Create"), None, FakeEc2(lists), put)
    ((_, body),) = put.sent
    assert body["Status"] == "FAILED"
    assert body["Reason"] == f"LookupError: {len(lists)} prefix lists are named {NAME}, not one"
    assert body["Data"] == {}
    assert body["PhysicalResourceId"] == "CloudFrontPrefixList"


def test_an_api_error_is_answered_too() -> None:
    class Denied:
        def describe_managed_prefix_lists(self, **kwargs: Any) -> dict[str, Any]:
            raise PermissionError("UnauthorizedOperation")

    put = Puts()
    prefix_list.handler(event("Create"), None, Denied(), put)
    ((_, body),) = put.sent
    assert (body["Status"], body["Reason"]) == ("FAILED", "PermissionError: UnauthorizedOperation")


def test_the_code_imports_only_the_standard_library() -> None:
    # boto3 comes from the Lambda runtime, loaded lazily; nothing else is installed.
    with open(prefix_list.__file__, encoding="utf-8") as f:
        lines = f.read().splitlines()
    imports = {line.split()[1] for line in lines if line.startswith(("import ", "from "))}
    assert imports == {"__future__", "importlib", "json", "urllib.request", "typing"}
