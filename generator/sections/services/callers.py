"""Services reached by name: who a service's ``allow_from`` admits, and who may read its
address (``{ref: services.NAME.url}``).

A service with ``allow_from`` gets a DNS name in the blueprint's private namespace (Cloud
Map, an A record per running task; README.md, *Services reached by name*, says why not
Service Connect) and a security group that admits exactly the callers named, on its
containers' ports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from ...codes import Code
from ...errors import Path, shown
from ...model import reach
from ...model.checker import Checker, rule
from ...model.permissions import Reference
from .model import Service

#: The sections whose entries ``allow_from`` can admit, and so can read a service's address.
_CALLERS = ("services", "jobs", "instances", "ec2_capacity")


@rule(
    Code.SOURCE_UNKNOWN,
    Code.SOURCE_SHARES_HOSTS,
    Code.SOURCE_AMBIGUOUS,
    Code.ALLOW_FROM_SELF,
    Code.ALLOW_FROM_WITHOUT_PORT,
    Code.ALLOW_FROM_SHARED_HOSTS,
)
def allow_from(c: Checker) -> None:
    """Each caller named may connect to the service on every container port, and nothing
    else is added: the service's security group has no CIDR rule."""
    for name, svc in c.bp.services.items():
        if not svc.allow_from:
            continue
        path: Path = ("services", name, "allow_from")
        ports = sorted({ct.port for ct in svc.containers.values() if ct.port is not None})
        if svc.ec2_capacity is not None:
            # Tasks in bridge mode share the hosts' security group and get dynamic host
            # ports, and Cloud Map A records need awsvpc (SRV records otherwise):
            # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceRegistry.html
            c.error(
                path,
                f"'{name}' runs on ec2_capacity '{svc.ec2_capacity}', whose tasks share the "
                "hosts' security group on dynamic ports: a rule admitting callers to it would "
                "admit them to every task on those hosts. Run it on Fargate to reach it by name",
                Code.ALLOW_FROM_SHARED_HOSTS,
                at_key=True,
            )
            continue
        if not ports:
            c.error(
                path,
                f"callers reach '{name}' on its containers' ports, and no container has a "
                "'port:'; give the container that serves them one",
                Code.ALLOW_FROM_WITHOUT_PORT,
                at_key=True,
            )
            continue
        for i, source in enumerate(svc.allow_from):
            _caller(c, name, (*path, i), source, ports)


def _caller(c: Checker, name: str, path: Path, source: str, ports: list[int]) -> None:
    if source == name:
        c.error(
            path,
            f"'{name}' names itself: its tasks are not admitted to each other, and a "
            "service needs no rule to call itself inside one task; remove it",
            Code.ALLOW_FROM_SELF,
        )
        return
    if reach.ambiguous(c, path, source) or reach.shares_hosts(c, path, source):
        return
    group = reach.group_of(c, source)
    if group is None:
        known = [s for s in reach.sources(c) if s != name]
        c.ref(path, reach.KIND, source, known, Code.SOURCE_UNKNOWN)
        return
    for port in ports:
        c.reach.append(reach.Reach(group, ("services", name), port, port, path))


def references(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Every ``{ref: ...}`` held in a validated value, at the path of its ``ref`` key."""
    if isinstance(value, Reference):
        yield (*path, "ref"), value.ref
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from references(getattr(value, field), (*path, field))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from references(item, (*path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from references(item, (*path, index))


def _admitted(c: Checker, callee: Service, section: str, name: str) -> bool:
    """Does the callee's ``allow_from`` admit this entry (a task on EC2 capacity through
    its capacity)?"""
    if name in callee.allow_from:
        return True
    if section in ("services", "jobs"):
        capacity = getattr(c.bp, section)[name].ec2_capacity
        return capacity is not None and capacity in callee.allow_from
    return False


@rule(Code.SERVICE_NO_ADDRESS, Code.SERVICE_CALLER_NOT_ALLOWED)
def addresses(c: Checker) -> None:
    """A service's address is given to the callers it admits: one without ``allow_from``
    has none (load balancers reach it), and an entry its ``allow_from`` does not name
    would be refused by its security group."""
    for path, ref in references(c.bp, ()):
        parts = ref.split(".")
        callee = c.bp.services.get(parts[1]) if parts[0] == "services" else None
        if callee is None:
            continue  # an unknown service is the reference checks' to report
        callee_name = parts[1]
        if not callee.allow_from:
            c.error(
                path,
                f"service '{callee_name}' has no address of its own: give it 'allow_from' "
                "naming the services and jobs that call it (they then reach it by name), or "
                "reach it through its load balancer",
                Code.SERVICE_NO_ADDRESS,
            )
            continue
        caller_section, caller = str(path[0]), str(path[1])
        if caller_section == "functions":
            c.error(
                path,
                f"a function cannot be named in allow_from (which admits a {reach.KIND}): "
                f"connections from '{caller}' to service '{callee_name}' would be refused; "
                "reach it through a load balancer",
                Code.SERVICE_CALLER_NOT_ALLOWED,
            )
        elif caller_section in _CALLERS and not _admitted(c, callee, caller_section, caller):
            c.error(
                path,
                f"services.{callee_name}.allow_from names "
                f"{', '.join(shown(n) for n in callee.allow_from)}, not '{caller}': its "
                f"connections to '{callee_name}' would be refused; add '{caller}' there",
                Code.SERVICE_CALLER_NOT_ALLOWED,
            )


RULES = (allow_from, addresses)
