"""ECS services on Fargate and Fargate Spot."""

from typing import Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from ...codes import Code
from ...model.base import Strict
from ...model.containers import TaskSpec
from ...model.types import DomainName, Name


class PublicDns(Strict):
    """Keep an A record pointed at the public IP of the service's task, for a service with
    no load balancer: an EventBridge rule on ECS task state changes runs a function that
    blueprint provides, which UPSERTs the record when a task is RUNNING, deletes it when
    that task stops (unless a newer task holds it), and deletes it with the stack."""

    name: DomainName
    """The record's name, inside one of the zones."""

    ttl_seconds: int = Field(default=60, ge=10, le=86400)
    """The record's TTL."""


class Scaling(Strict):
    """Application Auto Scaling of the task count between ``min`` and ``max``, one
    target-tracking policy per target given (the backlog with ``queue`` and
    ``messages_per_task``). Scaling then owns the count: the template
    never sets it, so a deploy keeps however many tasks are running."""

    min: int = Field(default=1, ge=0, le=1000)
    """The fewest tasks; the first deploy starts this many (1 for 0). At 0 tasks the cpu,
    memory and requests targets have no data: only a schedule raising min starts it again."""

    max: int = Field(ge=1, le=1000)
    """The most tasks."""

    cpu: int | None = Field(default=None, ge=1, le=100)
    """Target average CPU use of the tasks in percent (``70``); default: not a target."""

    memory: int | None = Field(default=None, ge=1, le=100)
    """Target average memory use of the tasks in percent; default: not a target."""

    requests_per_target: int | None = Field(default=None, ge=1, le=1_000_000)
    """Target requests per task per minute, counted by each load balancer route to the
    service (``ALBRequestCountPerTarget``); only for a service behind a load balancer.
    Default: not a target."""

    queue: Name | None = None
    """The queue (an entry of ``queues:``) whose backlog the tasks work off, with
    ``messages_per_task``; the service needs permission to consume it. Default: none."""

    messages_per_task: int | None = Field(default=None, ge=1, le=1_000_000)
    """Target backlog per task: the queue's visible messages divided by the running tasks.
    Pick how many messages one task works off in the delay you accept (60 s of delay at
    5 s a message: 12). With ``min: 0`` the service also starts from 0 tasks when a
    message waits. Default: not a target."""

    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600)
    """Seconds after a scale-in before the next one: slow, so a dip does not drop tasks."""

    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    """Seconds after a scale-out before the next one: quick, so load is met."""

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.min > self.max:
            raise PydanticCustomError(
                Code.SCALING_RANGE,
                "min {min} is above max {max}; min is the fewest tasks, max the most",
                {"min": self.min, "max": self.max},
            )
        if (self.queue is None) != (self.messages_per_task is None):
            given, missing = ("queue", "messages_per_task")[:: 1 if self.queue else -1]
            raise PydanticCustomError(
                Code.SCALING_BACKLOG_INCOMPLETE,
                "scaling on a queue's backlog needs both 'queue' and 'messages_per_task': "
                "'{given}' is given without '{missing}' "
                "(e.g. 'queue: jobs, messages_per_task: 10')",
                {"given": given, "missing": missing},
            )
        if not self.targets:
            raise PydanticCustomError(
                Code.SCALING_NO_TARGET,
                "scaling needs a target to track: give cpu, memory, requests_per_target or "
                "queue with messages_per_task "
                "(e.g. 'cpu: 70')",
            )
        return self

    @property
    def targets(self) -> dict[str, int]:
        """The targets given, by field name (one policy each), in a fixed order. A new kind
        of target is one more optional field here and one more policy in the renderer."""
        given = {
            "cpu": self.cpu,
            "memory": self.memory,
            "requests_per_target": self.requests_per_target,
            "messages_per_task": self.messages_per_task,
        }
        return {k: v for k, v in given.items() if v is not None}


class Service(TaskSpec):
    """An ECS service: a task definition, its roles, logs and security group."""

    desired_count: int = Field(default=1, ge=0, le=1000)
    """How many tasks to run; every deploy sets it. Not for a service whose count is
    managed: ``scaling`` or schedules own that count, and its template leaves the running
    count alone (the first deploy starts ``scaling.min`` tasks, or 1 for a scheduled
    service)."""

    health_check_grace_seconds: int = Field(default=60, ge=0, le=2147483647)
    """Seconds the load balancer's health checks are ignored after a task starts."""

    public_dns: PublicDns | None = None
    """Point a DNS name at the task's public IP (no load balancer)."""

    scaling: Scaling | None = None
    """Scale the task count on CPU, memory, requests or a queue's backlog; default:
    ``desired_count``."""

    allow_from: list[Name] = Field(default=[])
    """The services, jobs, instance groups and ``ec2_capacity`` entries that may connect to
    this service directly, by name, on its containers' ports: its tasks are then found at
    ``{ref: services.NAME.url}`` (a DNS name in the blueprint's private namespace) and its
    security group admits exactly these callers (and the load balancers routing to it).
    Without a load balancer route, nothing else reaches it: a private service. Default:
    none (no name, reached only through load balancers)."""

    @property
    def most_tasks(self) -> int:
        """The most tasks the service can run: ``scaling.max``, or ``desired_count``."""
        return self.scaling.max if self.scaling is not None else self.desired_count


def namespace_name(blueprint: str) -> str:
    """The private DNS namespace of a blueprint's services reached by name."""
    return f"{blueprint}.internal"


def address_port(svc: Service) -> int | None:
    """The port ``{ref: services.NAME.url}`` names: the first container's (in the order
    written) that has one."""
    return next((c.port for c in svc.containers.values() if c.port is not None), None)


def host_label(name: str) -> str:
    """A service's name as a DNS label: '_' is valid in an entry name and not in a host
    name (RFC 1123), which many HTTP clients refuse. (Names that differ only there are
    already refused: their logical IDs would be one.)"""
    return name.replace("_", "-")


def service_url(blueprint: str, name: str, svc: Service) -> str:
    """Where callers named in ``allow_from`` reach a service: its name in the namespace
    (an A record per running task) and its port."""
    return f"http://{host_label(name)}.{namespace_name(blueprint)}:{address_port(svc)}"
