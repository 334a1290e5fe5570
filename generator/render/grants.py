"""Named permissions -> IAM statements scoped to the resources they name.

Services, instances and functions share this one translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from troposphere import GetAtt, Ref, Sub

from ..model.aws_ids import is_arn
from ..model.permissions import (
    BucketPermission,
    DatabasePermission,
    ExternalBucketPermission,
    ExternalQueuePermission,
    ExternalTablePermission,
    ParameterPermission,
    Permission,
    QueuePermission,
    SecretPermission,
    TablePermission,
    WebSocketPermission,
)
from . import iam
from .context import Context

_BUCKET_ACTIONS = {
    "read": (["s3:ListBucket"], ["s3:GetObject"]),
    "write": ([], ["s3:DeleteObject", "s3:PutObject"]),
    "read_write": (["s3:ListBucket"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]),
}
_TABLE_ACTIONS = {
    "read": ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
    "write": [
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ],
}

#: What each access to a queue allows, on that queue's ARN alone
#: (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
_QUEUE_ACTIONS = {
    "send": ["sqs:SendMessage"],
    "consume": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"],
}
_QUEUE_READ = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]


def queue_actions(access: str) -> list[str]:
    """The actions of one access to a queue, sorted; ``send_consume`` is both."""
    parts = ("send", "consume") if access == "send_consume" else (access,)
    return sorted({*_QUEUE_READ, *(a for p in parts for a in _QUEUE_ACTIONS[p])})


_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9._/-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})?$"
)


def ecr_pull(images: Iterable[str]) -> list[dict[str, Any]]:
    """Pulling the ECR images among ``images``, each repository by its ARN (none: no
    statement); images from other registries need nothing."""
    repos = sorted({(m["account"], m["region"], m["repo"]) for i in images if (m := _ECR.match(i))})
    if not repos:
        return []
    return [
        iam.statement(["ecr:GetAuthorizationToken"], ["*"]),
        iam.statement(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            [
                Sub(f"arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{repo}")
                for account, region, repo in repos
            ],
        ),
    ]


def efs_mount(file_system_arn: Any, access_point_arn: Any, write: bool) -> dict[str, Any]:
    """Mounting an EFS file system with IAM authorization: ClientMount, and ClientWrite when
    ``write``. Through an access point (``access_point_arn`` not None) only through that
    one, by the condition key EFS documents for it
    (https://docs.aws.amazon.com/efs/latest/ug/access-points-iam-policy.html)."""
    actions = ["elasticfilesystem:ClientMount"]
    if write:
        actions.append("elasticfilesystem:ClientWrite")
    out = iam.statement(actions, [file_system_arn])
    if access_point_arn is not None:
        out["Condition"] = {"StringEquals": {"elasticfilesystem:AccessPointArn": access_point_arn}}
    return out


def _bucket(access: str, bucket_arn: Any, objects_arn: Any) -> list[dict[str, Any]]:
    bucket_actions, object_actions = _BUCKET_ACTIONS[access]
    out = [iam.statement(object_actions, [objects_arn])]
    if bucket_actions:
        out.append(iam.statement(bucket_actions, [bucket_arn]))
    return out


def statements(ctx: Context, permission: Permission) -> list[dict[str, Any]]:
    """The statements one permission grants."""
    if isinstance(permission, ExternalBucketPermission):
        arn = f"arn:${{AWS::Partition}}:s3:::{permission.s3_bucket}"
        return _bucket(permission.access, Sub(arn), Sub(arn + "/*"))
    if isinstance(permission, BucketPermission):
        bucket = ctx.buckets[permission.bucket]
        arn = GetAtt(bucket, "Arn")
        return _bucket(permission.access, arn, Sub("${Arn}/*", Arn=arn))
    if isinstance(permission, TablePermission | ExternalTablePermission):
        table = _table_arn(ctx, permission)
        actions = [
            a
            for part in ("read", "write")
            if part in permission.access
            for a in _TABLE_ACTIONS[part]
        ]
        return [iam.statement(actions, [table, Sub("${Arn}/index/*", Arn=table)])]
    if isinstance(permission, QueuePermission):
        queue = GetAtt(ctx.queues[permission.queue], "Arn")
        return [iam.statement(queue_actions(permission.access), [queue])]
    if isinstance(permission, ExternalQueuePermission):
        queue = _outside_arn(permission.sqs_queue, "sqs", "")
        return [iam.statement(queue_actions(permission.access), [queue])]
    if isinstance(permission, WebSocketPermission):
        api = ctx.apis[permission.websocket_api]
        arn = Sub(
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
            "${Api}/${Stage}/POST/@connections/*",
            Api=Ref(api.api),
            Stage=api.stage_name,
        )
        return [iam.statement(["execute-api:ManageConnections"], [arn])]
    if isinstance(permission, ParameterPermission):
        actions = ["ssm:GetParameter", "ssm:GetParameters"]
        if any(n.endswith("/*") for n in permission.ssm_parameters):
            actions.append("ssm:GetParametersByPath")
        names = sorted(permission.ssm_parameters)
        arns = [iam.ssm_parameter_arn(n) for n in names]
        # GetParametersByPath is authorized on the path itself, not on what lies below it.
        arns += [iam.ssm_parameter_arn(n[:-2]) for n in names if n.endswith("/*") and n != "/*"]
        return [iam.statement(actions, arns)]
    if isinstance(permission, DatabasePermission):
        secret = ctx.value(f"databases.{permission.database}.secret_arn")
        return [iam.statement(["secretsmanager:GetSecretValue"], [secret])]
    assert isinstance(permission, SecretPermission)
    return [
        iam.statement(
            ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            [iam.secret_arn(n) for n in sorted(permission.secrets)],
        )
    ]


def _table_arn(ctx: Context, permission: TablePermission | ExternalTablePermission) -> Any:
    if isinstance(permission, TablePermission):
        return GetAtt(ctx.tables[permission.table], "Arn")
    return _outside_arn(permission.dynamodb_table, "dynamodb", "table/")


def _outside_arn(name_or_arn: str, service: str, resource: str) -> Any:
    """The ARN given, or the one of a resource of that name in the stack's account and
    region (built with the pseudo parameters, so the template holds no account)."""
    if is_arn(name_or_arn):
        return name_or_arn
    return Sub(
        f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:"
        f"{resource}{name_or_arn}"
    )


def all_statements(ctx: Context, permissions: Sequence[Permission]) -> list[dict[str, Any]]:
    return [s for p in permissions for s in statements(ctx, p)]
