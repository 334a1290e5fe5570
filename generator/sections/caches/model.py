"""An ElastiCache replication group."""

from typing import Literal

from pydantic import Field

from ...model.base import Strict
from ...model.types import CacheNodeType, EngineVersion, Name


class Cache(Strict):
    """An ElastiCache replication group (Redis or Valkey) with encryption in transit and at
    rest, in the private subnets."""

    engine: Literal["redis", "valkey"] = "redis"
    """The engine."""

    version: EngineVersion = "7.1"
    """The engine version."""

    node_type: CacheNodeType = "cache.t4g.micro"
    """The node type."""

    replicas: int = Field(default=0, ge=0, le=5)
    """Read replicas; with one or more, failover is automatic across zones."""

    snapshot_retention_days: int = Field(default=1, ge=0, le=35)
    """Days of daily snapshots."""

    allow_from: list[Name] = Field(default=[])
    """Instance groups, services and jobs that may connect."""
