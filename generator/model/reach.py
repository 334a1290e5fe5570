"""Who may connect to whom beyond load balancers: ``ssh_from`` of hosts and ``allow_from``
of the data sections, as reach rules between the security groups of named entries."""

from __future__ import annotations

from dataclasses import dataclass

from ..codes import Code
from ..errors import Path
from .checker import Checker, rule
from .containers import TaskSpec
from .ports import ENGINE_PORTS, NFS_PORT, SSH_PORT
from .types import is_cidr


@dataclass(frozen=True)
class Reach:
    """Members of the ``source`` group may connect to the ``target`` group on ports
    ``low``-``high``. Groups are ``(section, name)``: a service or job on EC2 capacity
    is reached through its capacity's group, since its tasks share the hosts' network."""

    source: tuple[str, str]
    target: tuple[str, str]
    low: int
    high: int
    origin: Path


#: What ``allow_from`` and ``ssh_from`` may name, for messages.
KIND = "service, job, instance group or ec2_capacity entry"


def _task(c: Checker, name: str) -> tuple[str, TaskSpec] | None:
    """The service or job ``name`` (a service first: see :func:`ambiguous`)."""
    if name in c.bp.services:
        return ("service", c.bp.services[name])
    if name in c.bp.jobs:
        return ("job", c.bp.jobs[name])
    return None


def group_of(c: Checker, name: str) -> tuple[str, str] | None:
    """The security group a named entry's traffic comes from. A job on Fargate has a group
    of its own, as a service has (generator/sections/jobs/render.py)."""
    task = _task(c, name)
    if task is not None:
        ec2 = task[1].ec2_capacity
        section = "services" if task[0] == "service" else "jobs"
        return ("ec2_capacity", ec2) if ec2 else (section, name)
    if name in c.bp.instances:
        return ("instances", name)
    if name in c.bp.ec2_capacity:
        return ("ec2_capacity", name)
    return None


def shares_hosts(c: Checker, path: Path, name: str) -> bool:
    """Refuse a service or job on EC2 capacity as a source of reach: its tasks run in
    bridge mode and share the hosts' security group, so a rule for it would admit every
    task on that capacity, and the hosts themselves. Naming the capacity says exactly that."""
    task = _task(c, name)
    capacity = task[1].ec2_capacity if task is not None else None
    if task is None or capacity is None:
        return False
    what = task[0]
    c.error(
        path,
        f"{what} '{name}' runs on ec2_capacity '{capacity}', whose tasks share the hosts' "
        f"security group (bridge networking): a rule for '{name}' would admit every service "
        f"and job on '{capacity}'. Name '{capacity}' to admit them all, or run '{name}' on "
        "Fargate to give it a security group of its own",
        Code.SOURCE_SHARES_HOSTS,
    )
    return True


#: The sections whose entries ``allow_from`` names without their section, each as a
#: message names one of its entries.
_SOURCE_KINDS = (
    ("services", "a service"),
    ("jobs", "a job"),
    ("instances", "an instance group"),
    ("ec2_capacity", "an ec2_capacity entry"),
)


def ambiguous(c: Checker, path: Path, name: str) -> bool:
    """Refuse a name that stands for entries of two sections (a service and a job, a job
    and an instance group...): a rule could admit either. (Services, instance groups and
    EC2 capacity may not share names at all: :mod:`generator.model.whole`.)"""
    kinds = [kind for section, kind in _SOURCE_KINDS if name in getattr(c.bp, section)]
    if len(kinds) < 2:
        return False
    c.error(
        path,
        f"'{name}' is both {kinds[0]} and {kinds[1]}, each with a security group of its own: "
        "rename one of them to say which may connect",
        Code.SOURCE_AMBIGUOUS,
    )
    return True


def sources(c: Checker) -> list[str]:
    return sorted({*c.bp.services, *c.bp.jobs, *c.bp.instances, *c.bp.ec2_capacity})


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
        if ambiguous(c, path, source) or shares_hosts(c, path, source):
            continue
        group = group_of(c, source)
        if group is None:
            known = [s for s in sources(c) if s != name]
            c.ref(path, KIND, source, known, Code.SOURCE_UNKNOWN)
            continue
        c.reach.append(Reach(group, (section, name), SSH_PORT, SSH_PORT, path))


def _mounters(c: Checker) -> dict[str, set[tuple[str, str]]]:
    """File system -> the services and jobs that mount it, as ``(section, name)``."""
    out: dict[str, set[tuple[str, str]]] = {}
    tasks: list[tuple[str, str, TaskSpec]] = [
        *(("services", n, s) for n, s in c.bp.services.items()),
        *(("jobs", n, j) for n, j in c.bp.jobs.items()),
    ]
    for section, tname, task in tasks:
        for container in task.containers.values():
            for mount in container.mounts:
                out.setdefault(mount.file_system, set()).add((section, tname))
    return out


@rule(Code.SOURCE_UNKNOWN, Code.SOURCE_SHARES_HOSTS, Code.SOURCE_AMBIGUOUS)
def allow_from(c: Checker) -> None:
    """``allow_from`` of the data sections, and the services and jobs that mount a file
    system."""
    targets: list[tuple[str, str, list[str], int]] = []
    for name, db in c.bp.databases.items():
        targets.append(("databases", name, db.allow_from, ENGINE_PORTS[db.engine]))
    for name, cache in c.bp.caches.items():
        targets.append(("caches", name, cache.allow_from, ENGINE_PORTS[cache.engine]))
    mounters = _mounters(c)
    for name, fs in c.bp.file_systems.items():
        targets.append(("file_systems", name, fs.allow_from, NFS_PORT))
        for section, tname in sorted(mounters.get(name, set())):
            task = (c.bp.services if section == "services" else c.bp.jobs)[tname]
            if tname in fs.allow_from:
                continue
            capacity = task.ec2_capacity
            # the rule of a task on EC2 capacity admits the hosts, for every task on them:
            # it belongs to the capacity entry, not to one of the services or jobs
            mounter = ("ec2_capacity", capacity) if capacity else (section, tname)
            c.reach.append(Reach(mounter, ("file_systems", name), NFS_PORT, NFS_PORT, mounter))
    for section, name, allowed, port in targets:
        for i, source in enumerate(allowed):
            path: Path = (section, name, "allow_from", i)
            if ambiguous(c, path, source) or shares_hosts(c, path, source):
                continue
            group = group_of(c, source)
            if group is None:
                c.ref(path, KIND, source, sources(c), Code.SOURCE_UNKNOWN)
                continue
            c.reach.append(Reach(group, (section, name), port, port, path))


RULES = (allow_from,)
