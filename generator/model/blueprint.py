"""The root model: one blueprint, every section."""

from __future__ import annotations

from pydantic import Field

from .base import Strict
from .compute import Service
from .dns import Certificate, Zone
from .load_balancer import LoadBalancer
from .network import Network
from .schedules import Schedule
from .types import Name, Region, StackName


class Blueprint(Strict):
    """A whole system on AWS, rendered as CloudFormation."""

    name: StackName
    """Prefix of the stack names and of the names of created resources."""

    region: Region
    """The region the stacks deploy to."""

    tags: dict[str, str] = Field(default_factory=dict, max_length=40)
    """Tags applied to every taggable resource."""

    network: Network = Network()
    """The VPC and its subnets."""

    zones: dict[Name, Zone] = Field(default_factory=dict)
    """Route53 hosted zones, created or existing."""

    certificates: dict[Name, Certificate] = Field(default_factory=dict)
    """ACM certificates, validated through DNS in the zones."""

    load_balancers: dict[Name, LoadBalancer] = Field(default_factory=dict)
    """Application load balancers."""

    services: dict[Name, Service] = Field(default_factory=dict)
    """ECS services on Fargate."""

    schedules: dict[Name, Schedule] = Field(default_factory=dict)
    """Timed changes of services' desired counts."""
