"""What every section that holds state shares: deletion and replacement policies, the private
subnets its resources sit in, and the TLS-only resource policy."""

from __future__ import annotations

from typing import Any

from troposphere import Ref

from .context import Context

#: DeletionPolicy/UpdateReplacePolicy by whether the type can snapshot.
SNAPSHOT = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}


RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def protect(resource: Any, policies: dict[str, str]) -> Any:
    for key, value in policies.items():
        setattr(resource, key, value)
    return resource


def private_subnets(ctx: Context) -> list[Ref]:
    return [Ref(s) for s in ctx.network.subnets["private"]]


def tls_only_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
