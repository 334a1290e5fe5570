"""The root model: one blueprint, every section."""

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from ..codes import Code
from ..errors import shown
from ..sections.buckets.model import Bucket
from ..sections.caches.model import Cache
from ..sections.certificates.model import AnyCertificate
from ..sections.databases.model import Database
from ..sections.distributions.model import Distribution
from ..sections.ec2_capacity.model import Ec2Capacity
from ..sections.file_systems.model import FileSystem
from ..sections.functions.model import Function
from ..sections.instances.model import InstanceGroup
from ..sections.jobs.model import Job
from ..sections.load_balancers.model import LoadBalancer
from ..sections.network.model import Network
from ..sections.queues.model import Queue
from ..sections.schedules.model import Schedule
from ..sections.services.model import Service
from ..sections.tables.model import Table
from ..sections.websocket_apis.model import WebSocketApi
from ..sections.zones.model import Zone
from .base import Strict
from .overrides import OverridePath, OverrideValue
from .types import LogicalId, Name, Region, StackName, refuse

# Tags as CloudFormation takes them: a key of 1 to 128 Unicode letters, digits, white space
# and _ . : / = + - @, not starting with 'aws:'; a value of at most 256 characters
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
# aws-properties-resource-tags.html).
_TAG_KEY = re.compile(r"[^\W_]|[\s_.:/=+\-@]")


def _tag_key(value: str) -> str:
    if value.lower().startswith("aws:"):
        raise refuse(
            Code.TAG_INVALID,
            f"tag key {shown(value)} starts with 'aws:', which is reserved for AWS",
        )
    bad = sorted({ch for ch in value if not _TAG_KEY.fullmatch(ch)})
    if bad:
        raise refuse(
            Code.TAG_INVALID,
            "a tag key may hold only letters, digits, spaces and _ . : / = + - @; found "
            + ", ".join(shown(ch) for ch in bad),
        )
    return _tag_length(value, "key", 128)


def _tag_length(value: str, kind: str, limit: int) -> str:
    if len(value) > limit:
        raise refuse(
            Code.TAG_INVALID, f"a tag {kind} is at most {limit} characters; this is {len(value)}"
        )
    return value


TagKey = Annotated[str, Field(min_length=1), AfterValidator(_tag_key)]
TagValue = Annotated[str, AfterValidator(lambda v: _tag_length(v, "value", 256))]


class Blueprint(Strict):
    """A whole system on AWS, rendered as CloudFormation."""

    name: StackName
    """Prefix of the stack names and of the names of created resources."""

    region: Region
    """The region the stacks deploy to."""

    tags: dict[TagKey, TagValue] = Field(default={}, max_length=40)
    """Tags applied to every taggable resource."""

    network: Network = Network.model_construct()
    """The VPC and its subnets."""

    zones: dict[Name, Zone] = Field(default={})
    """Route53 hosted zones, created or existing."""

    certificates: dict[Name, AnyCertificate] = Field(default={})
    """ACM certificates, validated through DNS in the zones; or existing ones by ARN."""

    load_balancers: dict[Name, LoadBalancer] = Field(default={})
    """Application load balancers."""

    services: dict[Name, Service] = Field(default={})
    """ECS services on Fargate."""

    ec2_capacity: dict[Name, Ec2Capacity] = Field(default={})
    """EC2 container instances for services that run on EC2 rather than Fargate."""

    instances: dict[Name, InstanceGroup] = Field(default={})
    """Plain EC2 instances."""

    functions: dict[Name, Function] = Field(default={})
    """Lambda functions."""

    databases: dict[Name, Database] = Field(default={})
    """RDS databases."""

    caches: dict[Name, Cache] = Field(default={})
    """ElastiCache replication groups."""

    buckets: dict[Name, Bucket] = Field(default={})
    """S3 buckets."""

    tables: dict[Name, Table] = Field(default={})
    """DynamoDB tables."""

    queues: dict[Name, Queue] = Field(default={})
    """SQS queues, each with its dead-letter queue."""

    file_systems: dict[Name, FileSystem] = Field(default={})
    """EFS file systems."""

    websocket_apis: dict[Name, WebSocketApi] = Field(default={})
    """API Gateway WebSocket APIs."""

    distributions: dict[Name, Distribution] = Field(default={})
    """CloudFront distributions."""

    schedules: dict[Name, Schedule] = Field(default={})
    """Timed changes of services' desired counts."""

    jobs: dict[Name, Job] = Field(default={})
    """ECS tasks that run to completion: on a schedule, or after each deploy."""

    logical_ids: dict[LogicalId, LogicalId] = Field(default={})
    """Keep a resource's old logical ID after renaming its entry: ``{NewId: OldId}``.
    CloudFormation then updates the resource instead of replacing it; ``blueprint diff``
    suggests the line when it sees a likely rename."""

    overrides: dict[LogicalId, dict[OverridePath, OverrideValue]] = Field(default={})
    """The last resort, for a property blueprint has no key for: ``{LogicalId:
    {Properties.NAME.NAME: value}}`` writes the value into that resource of the rendered
    templates (null removes it; a mapping at ``Properties.Tags`` adds or changes those
    tags only). Checked against the resource type's schema, then linted like the rest."""
