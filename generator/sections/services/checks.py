"""Services' rules: the rules of every ECS task (:mod:`generator.model.task_checks`), a
shared file system written by one task, and a public DNS name with a public IP to point
at."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model import task_checks
from ...model.checker import Checker, rule
from ..zones.checks import zone_for


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
        if mounts and svc.desired_count > 1:
            c.warn(
                (*base, "desired_count"),
                f"{svc.desired_count} tasks share an EFS file system, and EFS does not lock "
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
        if svc.desired_count > 1:
            c.warn(
                (*path, "name"),
                f"one DNS record follows {svc.desired_count} tasks: it names whichever "
                "started last",
                Code.PUBLIC_DNS_MANY_TASKS,
            )
        zone_for(c, (*path, "name"), svc.public_dns.name)


@rule(*task_checks.TASK_DEFINITION_CODES)
def task_definitions(c: Checker) -> None:
    """What ECS refuses when it registers or places the task."""
    for name, svc in c.bp.services.items():
        task_checks.task_definition(c, ("services", name), svc)


RULES = (fargate_tasks, capacity, containers, task_definitions, public_dns)
