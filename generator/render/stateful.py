"""What every section that holds state shares: deletion and replacement policies, the private
subnets its resources sit in, and the TLS-only resource policy."""

from __future__ import annotations

from typing import Any

from .context import Context

#: DeletionPolicy/UpdateReplacePolicy by whether the type can snapshot. There is no
#: "snapshot except on create": a database whose first create rolls back leaves its final
#: snapshot (no instance, no name taken; docs/security.md says so).
SNAPSHOT = {"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"}


#: Kept when the stack is deleted or the resource replaced, but deleted when the stack
#: operation that created it rolls back: a failed first deploy leaves nothing behind that a
#: retry would duplicate (a second hosted zone with other name servers). CloudFormation
#: takes RetainExceptOnCreate for DeletionPolicy only; UpdateReplacePolicy stays Retain
#: (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html,
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatereplacepolicy.html).
RETAIN = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}


def protect(resource: Any, policies: dict[str, str]) -> Any:
    for key, value in policies.items():
        setattr(resource, key, value)
    return resource


def private_subnets(ctx: Context) -> list[Any]:
    return list(ctx.network.subnet_ids["private"])


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
