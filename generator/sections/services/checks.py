"""Services' rules: the rules of every ECS task (:mod:`generator.model.task_checks`), a
shared file system written by one task, and a public DNS name with a public IP to point
at."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model import task_checks
from ...model.checker import Checker, rule
from ...model.permissions import QueuePermission
from ..zones.checks import zone_for
from . import callers
from .model import Service


@rule(*task_checks.FARGATE_CODES)
def fargate_tasks(c: Checker) -> None:
    """A Fargate task has a size Fargate offers and a way to reach the internet."""
    for name, svc in c.bp.services.items():
        task_checks.fargate(c, ("services", name), svc)


@rule(*task_checks.CAPACITY_CODES)
def capacity(c: Checker) -> None:
    for name, svc in c.bp.services.items():
        task_checks.capacity(c, ("services", name), svc, "service")


@rule(*task_checks.CONTAINER_CODES, Code.FILE_SYSTEM_MANY_WRITERS)
def containers(c: Checker) -> None:
    for name, svc in c.bp.services.items():
        base: Path = ("services", name)
        task_checks.containers(c, base, svc)
        mounts = any(ct.mounts for ct in svc.containers.values())
        if mounts and svc.most_tasks > 1:
            c.warn(
                (*base, "scaling", "max") if svc.scaling else (*base, "desired_count"),
                f"{svc.most_tasks} tasks share an EFS file system, and EFS does not lock "
                "writes between them; most applications need desired_count: 1",
                Code.FILE_SYSTEM_MANY_WRITERS,
            )


@rule(Code.PUBLIC_DNS_WITHOUT_IP, Code.PUBLIC_DNS_MANY_TASKS, Code.DOMAIN_OUTSIDE_ZONE)
def public_dns(c: Checker) -> None:
    for name, svc in c.bp.services.items():
        if svc.public_dns is None:
            continue
        path: Path = ("services", name, "public_dns")
        if not svc.public_ip:
            c.error(
                path,
                "'public_dns' points a name at the task's public IP: it needs 'public_ip: true'",
                Code.PUBLIC_DNS_WITHOUT_IP,
                at_key=True,
            )
        if svc.most_tasks > 1:
            c.warn(
                (*path, "name"),
                f"one DNS record follows {svc.most_tasks} tasks: it names whichever started last",
                Code.PUBLIC_DNS_MANY_TASKS,
            )
        zone_for(c, (*path, "name"), svc.public_dns.name)


@rule(*task_checks.TASK_DEFINITION_CODES)
def task_definitions(c: Checker) -> None:
    """What ECS refuses when it registers or places the task."""
    for name, svc in c.bp.services.items():
        task_checks.task_definition(c, ("services", name), svc)


#: Targets measured on running tasks: none has data at 0 tasks, and target tracking does not
#: act without data (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html).
_MEASURED_ON_TASKS = frozenset({"cpu", "memory", "requests_per_target"})


@rule(Code.COUNT_MANAGED, Code.SCALING_REQUESTS_WITHOUT_LOAD_BALANCER, Code.SCALING_FROM_ZERO)
def running_count(c: Checker) -> None:
    """One owner per running count: ``desired_count``, ``scaling`` or the schedules. A
    managed count is not in the template, and CloudFormation then starts a new service
    with 1 task (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount)."""
    routed = {r.service for lb in c.bp.load_balancers.values() for r in lb.routes if r.service}
    for name, svc in c.bp.services.items():
        path: Path = ("services", name, "desired_count")
        schedules = sorted(k for k, s in c.bp.schedules.items() if s.service == name)
        if svc.scaling is not None and "desired_count" in svc.model_fields_set:
            c.error(
                path,
                f"'scaling' owns the count of this service (min {svc.scaling.min} to max "
                f"{svc.scaling.max}), and deploys never reset it: drop 'desired_count'",
                Code.COUNT_MANAGED,
            )
        elif svc.scaling is None and schedules and svc.desired_count != 1:
            which = ", ".join(f"'{k}'" for k in schedules)
            which = f"schedule {which} sets" if len(schedules) == 1 else f"schedules {which} set"
            c.error(
                path,
                f"{which} the count of this service, and deploys never reset it; the first "
                "deploy starts 1 task (CloudFormation starts a new service with 1): drop "
                "'desired_count' (or give 1)",
                Code.COUNT_MANAGED,
            )
        _check_from_zero(c, name, svc)
        if svc.scaling and svc.scaling.requests_per_target and name not in routed:
            c.error(
                ("services", name, "scaling", "requests_per_target"),
                "requests per target are counted by a load balancer's target group, and no "
                f"route sends traffic to '{name}'; scale on cpu or memory",
                Code.SCALING_REQUESTS_WITHOUT_LOAD_BALANCER,
            )


def _check_from_zero(c: Checker, name: str, svc: Service) -> None:
    if svc.scaling is None or svc.scaling.min > 0:
        return
    if not set(svc.scaling.targets) <= _MEASURED_ON_TASKS or any(
        s.enabled and (s.min or 0) > 0 for s in c.bp.schedules.values() if s.service == name
    ):
        return  # another target, or a schedule, starts it again
    what = " or ".join(svc.scaling.targets).replace("_", " ")
    c.warn(
        ("services", name, "scaling", "min"),
        f"at 0 tasks there is no {what} to measure, and target tracking does not act "
        "without data: nothing would start the service again; give min 1, or a schedule "
        "that raises min",
        Code.SCALING_FROM_ZERO,
    )


@rule(Code.QUEUE_UNKNOWN, Code.SCALING_QUEUE_NOT_CONSUMED)
def backlog(c: Checker) -> None:
    """A service scaled on a queue's backlog names a queue it may consume. Permissions stay
    explicit, so none is added: a service that cannot consume the queue never works the
    backlog off, and target tracking would hold it at max for as long as messages wait."""
    for name, svc in c.bp.services.items():
        queue = svc.scaling.queue if svc.scaling is not None else None
        path: Path = ("services", name, "scaling", "queue")
        if queue is None or not c.ref(path, "queue", queue, c.bp.queues, Code.QUEUE_UNKNOWN):
            continue
        consumes = any(
            isinstance(p, QueuePermission) and p.queue == queue and p.access != "send"
            for p in svc.permissions
        )
        if not consumes:
            c.error(
                path,
                f"'{name}' scales on the backlog of queue '{queue}' but cannot consume it: "
                f"give it the permission '{{queue: {queue}, access: consume}}'",
                Code.SCALING_QUEUE_NOT_CONSUMED,
            )


RULES = (
    fargate_tasks,
    capacity,
    containers,
    task_definitions,
    public_dns,
    running_count,
    backlog,
    *callers.RULES,
)
