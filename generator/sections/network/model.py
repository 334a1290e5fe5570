"""The network section: one VPC over N availability zones."""

from typing import Literal, Self

from pydantic import Field, model_validator

from ...model.aws_ids import SubnetId, VpcId
from ...model.base import Strict
from ...model.types import Cidr, existing_alone


class ExistingNetwork(Strict):
    """A VPC that exists already, with its subnets, by ID: blueprint creates nothing of
    the network (no VPC, subnet, route table, gateway, endpoint or flow log) and places
    what it makes in the subnets given. How they reach the internet or AWS APIs (a NAT
    gateway, endpoints) is the existing network's business."""

    vpc_id: VpcId
    """The VPC's ID, e.g. ``vpc-0123456789abcdef0``."""

    public_subnets: list[SubnetId] = Field(default=[])
    """Subnets with a route to an internet gateway, for internet-facing load balancers and
    whatever is placed in ``public`` subnets; each in another availability zone."""

    private_subnets: list[SubnetId] = Field(default=[])
    """Subnets for tasks, instances, databases, caches, file systems and internal load
    balancers; each in another availability zone (a load balancer and an RDS subnet
    group need two)."""


class Network(Strict):
    """The VPC, made only when something sits in it (services and jobs on Fargate, EC2
    capacity, instances, load balancers, databases, caches, file systems). Subnets are
    carved from ``cidr`` unless given, one public and one private per availability zone;
    zones are picked with ``Fn::GetAZs``, never by name."""

    cidr: Cidr = "10.0.0.0/16"
    """The VPC's IPv4 block."""

    azs: int = Field(default=2, ge=1, le=6)
    """How many availability zones to spread over (a load balancer needs at least 2)."""

    subnet_prefix: int | None = Field(default=None, ge=16, le=28)
    """Prefix length of each carved subnet; default: the VPC's prefix + 4 (a /16 gives /20s).
    Public subnet i takes slot i and private subnet i slot 8+i, so adding a zone never
    moves an existing subnet."""

    public_subnets: list[Cidr] | None = None
    """Explicit public subnet blocks, one per zone, instead of carving."""

    private_subnets: list[Cidr] | None = None
    """Explicit private subnet blocks, one per zone, instead of carving."""

    nat: Literal["auto", "none", "single", "per_az"] = "auto"
    """Outbound internet for private subnets: ``auto`` (one NAT gateway when something in
    private subnets starts connections out: Fargate tasks, EC2 capacity, instances; none
    when only databases, caches, file systems or internal load balancers sit there), none,
    one NAT gateway, or one per zone."""

    flow_logs: bool = True
    """Record the VPC's accepted and rejected traffic in the stack's access-log bucket."""

    existing: ExistingNetwork | None = None
    """Use this existing VPC and its subnets instead of creating a network; the other keys
    describe a network blueprint creates, and may not be written beside it."""

    @model_validator(mode="after")
    def _existing_alone(self) -> Self:
        if self.existing is not None:
            existing_alone(set(self.model_fields_set), {"existing"}, "uses a network")
        return self
