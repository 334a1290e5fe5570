"""Named types for infrastructure that exists outside the blueprint, given by ID or ARN:
each checked for its shape only (validation makes no AWS call, so whether the VPC, the
listener or the certificate exists is the deploy's to find out).

Shapes: VPC, subnet and security group IDs are the prefix and 8 or 17 lower-case hex
digits (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html); ARNs are
``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

from ..codes import Code
from ..errors import shown
from .types import compiled, refuse

_PARTITION = r"aws(?:-[a-z]+)*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
_ACCOUNT = r"\d{12}"


def _resource_id(prefix: str, what: str) -> Any:
    regex = rf"{prefix}-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}})"

    def check(value: str) -> str:
        if not compiled(regex).fullmatch(value):
            raise refuse(
                Code.AWS_ID_INVALID,
                f"{shown(value)} is not {what} ID: '{prefix}-' and 8 or 17 lower-case hex "
                f"digits, like '{prefix}-0123456789abcdef0'",
            )
        return value

    return AfterValidator(check)


VpcId = Annotated[str, _resource_id("vpc", "a VPC")]
SubnetId = Annotated[str, _resource_id("subnet", "a subnet")]
SecurityGroupId = Annotated[str, _resource_id("sg", "a security group")]


def _arn(service: str, resource: str, what: str, example: str) -> Any:
    regex = rf"arn:{_PARTITION}:{service}:{_REGION}:{_ACCOUNT}:{resource}"

    def check(value: str) -> str:
        if not compiled(regex).fullmatch(value):
            raise refuse(
                Code.AWS_ID_INVALID,
                f"{shown(value)} is not the ARN of {what}, like '{example}'",
            )
        return value

    return AfterValidator(check)


_HEX = "[0-9a-f]"
CertificateArn = Annotated[
    str,
    _arn(
        "acm",
        rf"certificate/{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}",
        "an ACM certificate",
        "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-90ab-cdef-1234-567890abcdef",
    ),
]
ListenerArn = Annotated[
    str,
    _arn(
        "elasticloadbalancing",
        rf"listener/app/[A-Za-z0-9-]{{1,32}}/{_HEX}{{16}}/{_HEX}{{16}}",
        "an application load balancer's listener",
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/"
        "0123456789abcdef/0123456789abcdef",
    ),
]


def arn_region(arn: str) -> str:
    """The region an ARN of a regional resource names."""
    return arn.split(":")[3]


def arn_account(arn: str) -> str:
    """The AWS account an ARN names."""
    return arn.split(":")[4]


def load_balancer_full_name(listener_arn: str) -> str:
    """``app/NAME/ID``, what CloudWatch and request-count scaling call the load balancer
    a listener belongs to (https://docs.aws.amazon.com/elasticloadbalancing/latest/
    application/load-balancer-cloudwatch-metrics.html)."""
    return "/".join(listener_arn.split(":", 5)[5].split("/")[1:4])


def _name_or_arn(service: str, resource: str, name: str, what: str, rule: str) -> Any:
    arn = rf"arn:{_PARTITION}:{service}:{_REGION}:{_ACCOUNT}:{resource}(?:{name})"
    plain = f"(?:{name})"

    def check(value: str) -> str:
        if not (compiled(plain).fullmatch(value) or compiled(arn).fullmatch(value)):
            raise refuse(
                Code.AWS_ID_INVALID,
                f"{shown(value)} is neither {what} name ({rule}) nor its ARN",
            )
        return value

    return AfterValidator(check)


# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
TableNameOrArn = Annotated[
    str,
    _name_or_arn(
        "dynamodb",
        "table/",
        r"[A-Za-z0-9_.-]{3,255}",
        "a DynamoDB table",
        "3-255 of A-Z a-z 0-9 _ . -",
    ),
]
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
QueueNameOrArn = Annotated[
    str,
    _name_or_arn(
        "sqs",
        "",
        r"[A-Za-z0-9_-]{1,75}(?:\.fifo)?|[A-Za-z0-9_-]{76,80}",
        "an SQS queue",
        "1-80 of A-Z a-z 0-9 _ -, '.fifo' at the end of a FIFO queue's",
    ),
]


def is_arn(value: str) -> bool:
    return value.startswith("arn:")
