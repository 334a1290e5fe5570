"""What a piece of compute may do, stated by name; rendered as IAM scoped to those ARNs.

Services, instances and functions all take the same ``permissions`` list.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..errors import shown
from .aws_ids import QueueNameOrArn, TableNameOrArn
from .base import Strict
from .bucket_names import BucketName
from .text import PlainText
from .types import Name, ParameterPattern, SecretName

Access = Literal["read", "write", "read_write"]


def by_key(**tags: str) -> Any:
    """A discriminator that picks the union member by which of its keys is present.

    Tags are model names, never key names: pydantic puts the tag in an error's location,
    and a tag that is also a key would be mistaken for part of the blueprint path."""

    def pick(value: Any) -> str | None:
        if isinstance(value, dict):
            for key, tag in tags.items():
                if key in value:
                    return tag
        return None

    return pick


class BucketPermission(Strict):
    """Access to a bucket of this blueprint (``buckets:``), by its entry name."""

    bucket: Name
    """The bucket's entry name."""

    access: Access = "read"
    """read: get and list; write: put and delete; read_write: both."""


class ExternalBucketPermission(Strict):
    """Access to an S3 bucket that exists outside this blueprint, by its name."""

    s3_bucket: BucketName
    """The bucket's name."""

    access: Access = "read"
    """read: get and list; write: put and delete; read_write: both."""


class TablePermission(Strict):
    """Access to a DynamoDB table of this blueprint (``tables:``)."""

    table: Name
    """The table's entry name."""

    access: Access = "read"
    """read: get, query, scan; write: put, update, delete; read_write: both."""


class ExternalTablePermission(Strict):
    """Access to a DynamoDB table that exists outside this blueprint, by its name (in the
    stack's account and region) or its ARN; scoped to that table and its indexes."""

    dynamodb_table: TableNameOrArn
    """The table's name or ARN."""

    access: Access = "read"
    """read: get, query, scan; write: put, update, delete; read_write: both."""


class ExternalQueuePermission(Strict):
    """Access to an SQS queue that exists outside this blueprint, by its name (in the
    stack's account and region) or its ARN; scoped to that queue."""

    sqs_queue: QueueNameOrArn
    """The queue's name or ARN."""

    access: Literal["send", "consume", "send_consume"]
    """send: send messages; consume: receive, delete and extend their visibility;
    send_consume: both. Either reads the queue's URL and attributes."""


class QueuePermission(Strict):
    """Access to an SQS queue of this blueprint (``queues:``), scoped to that queue's ARN."""

    queue: Name
    """The queue's entry name."""

    access: Literal["send", "consume", "send_consume"]
    """send: send messages; consume: receive, delete and extend their visibility;
    send_consume: both. Either reads the queue's URL and attributes."""


class WebSocketPermission(Strict):
    """Send messages to the clients connected to a WebSocket API of this blueprint."""

    websocket_api: Name
    """The API's entry name; grants ``execute-api:ManageConnections`` on its connections."""


class DatabasePermission(Strict):
    """Read the master credentials RDS keeps in Secrets Manager for a database of this
    blueprint (the secret's ARN is ``{ref: databases.NAME.secret_arn}``)."""

    database: Name
    """The database's entry name."""


class ParameterPermission(Strict):
    """Read access to SSM parameters from the application's code."""

    ssm_parameters: list[ParameterPattern] = Field(min_length=1)
    """Parameter names; a name ending in ``/*`` grants the whole path below it."""


class SecretPermission(Strict):
    """Read access to Secrets Manager secrets from the application's code."""

    secrets: list[SecretName] = Field(min_length=1)
    """Secret names."""


Permission = Annotated[
    Annotated[BucketPermission, Tag("BucketPermission")]
    | Annotated[ExternalBucketPermission, Tag("ExternalBucketPermission")]
    | Annotated[TablePermission, Tag("TablePermission")]
    | Annotated[ExternalTablePermission, Tag("ExternalTablePermission")]
    | Annotated[QueuePermission, Tag("QueuePermission")]
    | Annotated[ExternalQueuePermission, Tag("ExternalQueuePermission")]
    | Annotated[WebSocketPermission, Tag("WebSocketPermission")]
    | Annotated[DatabasePermission, Tag("DatabasePermission")]
    | Annotated[ParameterPermission, Tag("ParameterPermission")]
    | Annotated[SecretPermission, Tag("SecretPermission")],
    Discriminator(
        by_key(
            bucket="BucketPermission",
            s3_bucket="ExternalBucketPermission",
            table="TablePermission",
            dynamodb_table="ExternalTablePermission",
            queue="QueuePermission",
            sqs_queue="ExternalQueuePermission",
            websocket_api="WebSocketPermission",
            database="DatabasePermission",
            ssm_parameters="ParameterPermission",
            secrets="SecretPermission",
        ),
        custom_error_type=Code.PERMISSION_SHAPE.value,
        custom_error_message="a permission is a mapping with one of 'bucket', 's3_bucket', "
        "'table', 'dynamodb_table', 'queue', 'sqs_queue', 'websocket_api', 'database', "
        "'ssm_parameters' or 'secrets'",
    ),
]


#: The form of ``SECTION.NAME.ATTRIBUTE`` (entry names: generator.model.types.Name).
REFERENCE_FORM = re.compile(r"[a-z_]+\.[a-z0-9_-]+\.[a-z_]+")


def _ref(value: str) -> str:
    if not REFERENCE_FORM.fullmatch(value):
        raise PydanticCustomError(
            Code.REFERENCE_INVALID,
            "{value} is not a reference: write SECTION.NAME.ATTRIBUTE, e.g. "
            "caches.sessions.address",
            {"value": shown(value)},
        )
    return value


def _ref_schema(schema: dict[str, Any]) -> None:
    """The schema's ``ref`` names only what a reference may name (editors check it as it
    is typed), from the one table of referenceable attributes."""
    from .references import reference_pattern  # references.py imports this module

    schema["pattern"] = reference_pattern()


class Reference(Strict):
    """A value another entry of the blueprint produces, resolved by the template:
    ``{ref: caches.sessions.address}``."""

    ref: Annotated[str, AfterValidator(_ref), Field(json_schema_extra=_ref_schema)]
    """``SECTION.NAME.ATTRIBUTE``, e.g. ``databases.main.address``; each also a stack
    output, named by the three in PascalCase (``DatabasesMainAddress``)."""


def _env_value(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        raise PydanticCustomError(
            Code.ENV_VALUE_INVALID,
            "environment values are text: quote it ('{shown}'), or use a ref mapping for "
            "another entry's value",
            {"shown": shown},
        )
    return value


EnvValue = Annotated[
    Annotated[PlainText, Tag("PlainText")] | Annotated[Reference, Tag("Reference")],
    Discriminator(lambda v: "Reference" if isinstance(v, dict) else "PlainText"),
    BeforeValidator(_env_value),
]
"""A plain text value, or a reference to another entry's attribute."""
