"""IAM roles with statements that name their actions and the resources they act on.

Every ARN is built with ``AWS::Partition``, ``AWS::Region`` and ``AWS::AccountId`` so
the templates work in any partition and account.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from troposphere import Ref, Sub, encode_to_dict, iam

from ..errors import Path
from .context import Context

#: Actions that cannot be scoped to a resource (the Service Authorization Reference lists no
#: resource type for them); the only ones allowed ``Resource: "*"``.
#: ec2:DescribeManagedPrefixLists takes no resource-level permissions (Service Authorization
#: Reference, Amazon EC2: https://docs.aws.amazon.com/service-authorization/latest/reference/
#: list_amazonec2.html), so the prefix-list lookup is granted it on ``*``.
UNSCOPABLE_ACTIONS = frozenset(
    {
        "ecr:GetAuthorizationToken",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeManagedPrefixLists",
        "ecs:DiscoverPollEndpoint",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    }
)


#: Services documented to send ``aws:SourceAccount`` when they assume a role, so their trust
#: policies can refuse a confused deputy. Others (EC2 instance profiles among them) do not
#: send it, and the condition would lock them out of their own role. Sources:
#: ECS https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html,
#: Scheduler https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html,
#: RDS https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html
#: (Protecting against the confused deputy problem), EventBridge (aws:SourceAccount is the
#: rule's account, aws:SourceArn the rule's ARN)
#: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html.
#: API Gateway documents no such key for its CloudWatch logging role, so that role has none.
SOURCE_ACCOUNT_PRINCIPALS = frozenset(
    {
        "ecs-tasks.amazonaws.com",
        "events.amazonaws.com",
        "monitoring.rds.amazonaws.com",
        "scheduler.amazonaws.com",
    }
)


def statement(actions: Sequence[str], resources: Sequence[Any]) -> dict[str, Any]:
    """An Allow statement; ``*`` is accepted only for :data:`UNSCOPABLE_ACTIONS`."""
    if any(r == "*" for r in resources) and not set(actions) <= UNSCOPABLE_ACTIONS:
        raise ValueError(f"refusing Resource '*' for {sorted(actions)}")
    return {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}


def arn(service: str, resource: str, *, region: bool = True, account: bool = True) -> Sub:
    """``arn:${AWS::Partition}:service:${AWS::Region}:${AWS::AccountId}:resource``."""
    reg = "${AWS::Region}" if region else ""
    acct = "${AWS::AccountId}" if account else ""
    return Sub(f"arn:${{AWS::Partition}}:{service}:{reg}:{acct}:{resource}")


def ssm_parameter_arn(name: str) -> Sub:
    return arn("ssm", "parameter/" + name.lstrip("/"))


def secret_arn(name: str) -> Any:
    """A secret's ARN for a policy: a full ARN as given, or, for a name, the name with
    ``-??????`` for the six random characters Secrets Manager appends."""
    if name.startswith("arn:"):
        return name
    return arn("secretsmanager", f"secret:{name}-??????")


def _trust(principal: str, source_arn: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    if principal in SOURCE_ACCOUNT_PRINCIPALS:
        condition["StringEquals"] = {"aws:SourceAccount": Ref("AWS::AccountId")}
    if source_arn is not None:
        if principal not in SOURCE_ACCOUNT_PRINCIPALS:
            raise ValueError(f"{principal} is not documented to send aws:SourceArn")
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    if condition:
        statement["Condition"] = condition
    return statement


def role(
    ctx: Context,
    logical_id: str,
    principal: str,
    statements: Sequence[dict[str, Any]],
    origin: Path,
    managed: Sequence[str] = (),
    source_arn: Any = None,
) -> iam.Role:
    """A role assumable only by ``principal`` acting for this account (and, given
    ``source_arn``, for a source whose ARN matches it: only where the service documents
    sending ``aws:SourceArn``), with one inline policy holding ``statements`` (none: no
    policy), and the AWS managed policies named in ``managed`` (paths under
    ``arn:aws:iam::aws:policy/``; service roles only, never a ``*FullAccess`` one)."""
    trust = {"Version": "2012-10-17", "Statement": [_trust(principal, source_arn)]}
    policies = []
    # Statements come from unordered blueprint lists: sort them so order never shows.
    statements = sorted(statements, key=lambda s: json.dumps(encode_to_dict(s), sort_keys=True))
    if statements:
        policies.append(
            iam.Policy(
                PolicyName=logical_id,
                PolicyDocument={"Version": "2012-10-17", "Statement": list(statements)},
            )
        )
    resource = iam.Role(logical_id, AssumeRolePolicyDocument=trust, Policies=policies)
    if managed:
        resource.ManagedPolicyArns = [
            Sub(f"arn:${{AWS::Partition}}:iam::aws:policy/{path}") for path in sorted(managed)
        ]
    return ctx.add(resource, origin)
