"""Services reached by name: who a service's ``allow_from`` admits, and who may read its
address (``{ref: services.NAME.url}``).

A service with ``allow_from`` gets a DNS name in the blueprint's private namespace (Cloud
Map, an A record per running task; README.md, *Services reached by name*, says why not
Service Connect) and a security group that admits exactly the callers named, on its
containers' ports. Who may read the address is checked with every reference
(:func:`generator.model.references.check_reference`), wherever it is written."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model import reach
from ...model.checker import Checker, rule


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


RULES = (allow_from,)
