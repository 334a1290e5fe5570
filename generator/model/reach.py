"""Who may connect to whom beyond load balancers: ``ssh_from`` of hosts and ``allow_from``
of the data sections, as reach rules between the security groups of named entries."""

from __future__ import annotations

from dataclasses import dataclass

from ..codes import Code
from ..errors import Path
from .checker import Checker, rule
from .ports import ENGINE_PORTS, NFS_PORT, SSH_PORT
from .types import is_cidr


@dataclass(frozen=True)
class Reach:
    """Members of the ``source`` group may connect to the ``target`` group on ports
    ``low``-``high``. Groups are ``(section, name)``: a service on EC2 capacity is
    reached through its capacity's group, since its tasks share the hosts' network."""

    source: tuple[str, str]
    target: tuple[str, str]
    low: int
    high: int
    origin: Path


def group_of(c: Checker, name: str) -> tuple[str, str] | None:
    """The security group a named entry's traffic comes from."""
    if name in c.bp.services:
        ec2 = c.bp.services[name].ec2_capacity
        return ("ec2_capacity", ec2) if ec2 else ("services", name)
    if name in c.bp.instances:
        return ("instances", name)
    if name in c.bp.ec2_capacity:
        return ("ec2_capacity", name)
    return None


def shares_hosts(c: Checker, path: Path, name: str) -> bool:
    """Refuse a service on EC2 capacity as a source of reach: its tasks run in bridge mode
    and share the hosts' security group, so a rule for it would admit every service on
    that capacity, and the hosts themselves. Naming the capacity says exactly that."""
    svc = c.bp.services.get(name)
    capacity = svc.ec2_capacity if svc is not None else None
    if capacity is None:
        return False
    c.error(
        path,
        f"service '{name}' runs on ec2_capacity '{capacity}', whose tasks share the hosts' "
        f"security group (bridge networking): a rule for '{name}' would admit every service "
        f"on '{capacity}'. Name '{capacity}' to admit them all, or run '{name}' on Fargate "
        "to give it a security group of its own",
        Code.SOURCE_SHARES_HOSTS,
    )
    return True


def sources(c: Checker) -> list[str]:
    return sorted({*c.bp.services, *c.bp.instances, *c.bp.ec2_capacity})


def ssh_from(c: Checker, section: str, name: str, entries: list[str], internet_ok: bool) -> None:
    """``ssh_from`` of an instance group or an EC2 capacity entry."""
    for i, source in enumerate(entries):
        path: Path = (section, name, "ssh_from", i)
        if is_cidr(source):
            if source == "0.0.0.0/0" and not internet_ok:
                c.error(
                    path,
                    "SSH from the whole internet is refused: name the CIDR blocks you "
                    "connect from, use Session Manager, or set 'allow_ssh_from_internet: "
                    "true' if you really mean it",
                    Code.SSH_FROM_INTERNET,
                )
            elif source == "0.0.0.0/0":
                c.warn(
                    path,
                    "SSH is open to the whole internet ('allow_ssh_from_internet: "
                    "true'); prefer Session Manager or named CIDR blocks",
                    Code.SSH_FROM_INTERNET,
                )
            continue
        if shares_hosts(c, path, source):
            continue
        group = group_of(c, source)
        if group is None:
            known = [s for s in sources(c) if s != name]
            c.ref(
                path,
                "service, instance group or ec2_capacity entry",
                source,
                known,
                Code.SOURCE_UNKNOWN,
            )
            continue
        c.reach.append(Reach(group, (section, name), SSH_PORT, SSH_PORT, path))


def _mounters(c: Checker) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sname, svc in c.bp.services.items():
        for container in svc.containers.values():
            for mount in container.mounts:
                out.setdefault(mount.file_system, set()).add(sname)
    return out


@rule(Code.SOURCE_UNKNOWN, Code.SOURCE_SHARES_HOSTS)
def allow_from(c: Checker) -> None:
    """``allow_from`` of the data sections, and the services that mount a file system."""
    targets: list[tuple[str, str, list[str], int]] = []
    for name, db in c.bp.databases.items():
        targets.append(("databases", name, db.allow_from, ENGINE_PORTS[db.engine]))
    for name, cache in c.bp.caches.items():
        targets.append(("caches", name, cache.allow_from, ENGINE_PORTS[cache.engine]))
    mounters = _mounters(c)
    for name, fs in c.bp.file_systems.items():
        targets.append(("file_systems", name, fs.allow_from, NFS_PORT))
        for sname in sorted(mounters.get(name, set()) - set(fs.allow_from)):
            group = group_of(c, sname)
            if group is not None:
                # the rule of a service on EC2 capacity admits the hosts, for every service
                # on them: it belongs to the capacity entry, not to one of the services
                origin: Path = ("services", sname) if group[0] == "services" else group
                c.reach.append(Reach(group, ("file_systems", name), NFS_PORT, NFS_PORT, origin))
    for section, name, allowed, port in targets:
        for i, source in enumerate(allowed):
            path: Path = (section, name, "allow_from", i)
            if shares_hosts(c, path, source):
                continue
            group = group_of(c, source)
            if group is None:
                kind = "service, instance group or ec2_capacity entry"
                c.ref(path, kind, source, sources(c), Code.SOURCE_UNKNOWN)
                continue
            c.reach.append(Reach(group, (section, name), port, port, path))


RULES = (allow_from,)
