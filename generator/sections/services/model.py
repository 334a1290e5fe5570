"""ECS services on Fargate and Fargate Spot."""

from __future__ import annotations

from pydantic import Field

from ...model.base import Strict
from ...model.containers import TaskSpec
from ...model.types import DomainName


class PublicDns(Strict):
    """Keep an A record pointed at the public IP of the service's task, for a service with
    no load balancer: an EventBridge rule on ECS task state changes runs a function that
    blueprint provides, which UPSERTs the record when a task is RUNNING, deletes it when
    that task stops (unless a newer task holds it), and deletes it with the stack."""

    name: DomainName
    """The record's name, inside one of the zones."""

    ttl_seconds: int = Field(default=60, ge=10, le=86400)
    """The record's TTL."""


class Service(TaskSpec):
    """An ECS service: a task definition, its roles, logs and security group."""

    desired_count: int = Field(default=1, ge=0, le=1000)
    """How many tasks to run."""

    health_check_grace_seconds: int = Field(default=60, ge=0, le=2147483647)
    """Seconds the load balancer's health checks are ignored after a task starts."""

    public_dns: PublicDns | None = None
    """Point a DNS name at the task's public IP (no load balancer)."""
