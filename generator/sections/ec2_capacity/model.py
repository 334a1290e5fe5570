"""EC2 capacity for ECS services."""

from typing import Literal

from pydantic import Field

from ...model.base import Strict
from ...model.types import InstanceType, Source


class Ec2Capacity(Strict):
    """EC2 container instances for ECS: a launch template with the ECS-optimized Amazon
    Linux 2023 AMI, an Auto Scaling group and a capacity provider with managed scaling.
    Tasks on it use bridge networking with dynamic host ports."""

    instance_type: InstanceType = "t3.small"
    """The container instances' type."""

    min_size: int = Field(default=1, ge=0, le=100)
    """Fewest instances."""

    max_size: int = Field(default=2, ge=1, le=100)
    """Most instances."""

    subnets: Literal["public", "private"] = "private"
    """Where the instances run."""

    target_capacity_percent: int = Field(default=100, ge=1, le=100)
    """Managed scaling's target utilization."""

    root_volume_gb: int = Field(default=30, ge=30, le=16384)
    """Encrypted gp3 root volume size."""

    ssh_from: list[Source] = Field(default=[])
    """Who may SSH in: instance group names or CIDR blocks. Session Manager works
    without it."""

    allow_ssh_from_internet: bool = False
    """Permit ``0.0.0.0/0`` in ``ssh_from``. Dangerous: it builds with a warning."""
