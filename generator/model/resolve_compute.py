"""Cross-references of the compute sections: services, EC2 capacity, instances, functions,
schedules; the permissions and references they hold; and who may reach what."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import Path, one_of, suggest
from ..sections.ec2_capacity.model import Ec2Capacity
from ..sections.instances.model import InstanceGroup
from ..sections.services.model import FARGATE_SIZES, Container, Service
from .checker import Checker
from .permissions import (
    BucketPermission,
    DatabasePermission,
    Permission,
    Reference,
    TablePermission,
    WebSocketPermission,
)
from .types import is_cidr

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE
)
_FARGATE = frozenset({"FARGATE", "FARGATE_SPOT"})

#: What ``{ref: SECTION.NAME.ATTRIBUTE}`` may name.
REFERENCE_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "databases": ("address", "port", "secret_arn"),
    "caches": ("address", "port"),
    "buckets": ("name", "arn"),
    "tables": ("name", "arn"),
    "file_systems": ("id",),
    "websocket_apis": ("url", "management_endpoint"),
}

#: Ports of the data sections that ``allow_from`` opens.
ENGINE_PORTS = {"mysql": 3306, "mariadb": 3306, "postgres": 5432, "redis": 6379, "valkey": 6379}
NFS_PORT = 2049
SSH_PORT = 22
#: The ephemeral range ECS gives dynamic host ports from.
DYNAMIC_PORTS = (32768, 61000)


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


def ec2_capacity_of(svc: Service) -> str | None:
    """The ``ec2_capacity`` entry a service runs on, or None on Fargate."""
    names = [s.provider for s in svc.capacity if s.provider not in _FARGATE]
    return names[0] if names else None


def group_of(c: Checker, name: str) -> tuple[str, str] | None:
    """The security group a named entry's traffic comes from."""
    if name in c.bp.services:
        ec2 = ec2_capacity_of(c.bp.services[name])
        return ("ec2_capacity", ec2) if ec2 else ("services", name)
    if name in c.bp.instances:
        return ("instances", name)
    if name in c.bp.ec2_capacity:
        return ("ec2_capacity", name)
    return None


def sources(c: Checker) -> list[str]:
    return sorted({*c.bp.services, *c.bp.instances, *c.bp.ec2_capacity})


# --- services ------------------------------------------------------------------------------


def check_services(c: Checker) -> None:
    for name, svc in c.bp.services.items():
        base: Path = ("services", name)
        on_ec2 = _check_capacity(c, name, svc)
        if not on_ec2:
            _check_fargate(c, name, svc)
        for cname, container in svc.containers.items():
            cpath: Path = (*base, "containers", cname)
            check_environment(c, (*cpath, "environment"), container.environment)
            for var in sorted(set(container.environment) & set(container.secrets)):
                c.error(
                    (*cpath, "secrets", var),
                    f"'{var}' is also in 'environment'; keep one",
                    "duplicate-variable",
                )
            _check_container_links(c, cpath, cname, container, svc)
        check_permissions(c, (*base, "permissions"), svc.permissions)
        _check_public_dns(c, name, svc)
        mounts = any(ct.mounts for ct in svc.containers.values())
        if mounts and svc.desired_count > 1:
            c.warn(
                (*base, "desired_count"),
                f"{svc.desired_count} tasks share an EFS file system, and EFS does not lock "
                "writes between them; most applications need desired_count: 1",
                "efs-many-writers",
            )


def _check_fargate(c: Checker, name: str, svc: Service) -> None:
    base: Path = ("services", name)
    allowed = FARGATE_SIZES.get(svc.cpu)
    if allowed is None:
        c.error(
            (*base, "cpu"),
            f"{svc.cpu} is not a Fargate cpu size: use 256, 512, 1024, 2048, 4096, 8192 or "
            "16384 (1024 = 1 vCPU)",
            "fargate-size",
        )
    elif svc.memory not in allowed:
        fits = [str(cpu) for cpu, mems in sorted(FARGATE_SIZES.items()) if svc.memory in mems]
        listed = ", ".join(fits[:-1]) + " or " + fits[-1] if len(fits) > 1 else "".join(fits)
        hint = f"; {svc.memory} MiB fits cpu {listed}" if fits else ""
        c.error(
            (*base, "memory"),
            f"{svc.memory} MiB is not a Fargate size for cpu {svc.cpu}: it takes "
            f"{_ranges(allowed)}{hint}",
            "fargate-size",
        )
    nat = c.bp.network.nat
    if svc.subnets == "public" and not svc.public_ip:
        c.error(
            (*base, "public_ip"),
            "tasks in public subnets need 'public_ip: true' to reach the internet (to pull "
            "images); or use 'subnets: private' with NAT",
            "no-egress",
        )
    if svc.subnets == "private" and svc.public_ip:
        c.error(
            (*base, "public_ip"),
            "a public IP does nothing in a private subnet; use 'subnets: public' or drop "
            "'public_ip'",
            "public-ip-private",
        )
    if svc.subnets == "private" and nat == "none":
        c.warn(
            (*base, "subnets"),
            "private subnets have no NAT ('network.nat: none'): tasks cannot pull images or "
            "reach AWS APIs",
            "no-egress",
        )


def _ranges(values: tuple[int, ...]) -> str:
    """``(4096, 5120, ..., 16384)`` -> ``4096 to 16384 in steps of 1024``."""
    if len(values) <= 4:
        return ", ".join(str(v) for v in values)
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


def _check_capacity(c: Checker, name: str, svc: Service) -> bool:
    """Check the strategy; return whether the service runs on EC2 capacity."""
    first: dict[str, int] = {}
    based: int | None = None
    kinds = set()
    for i, share in enumerate(svc.capacity):
        path: Path = ("services", name, "capacity", i)
        if share.provider not in _FARGATE and share.provider not in c.bp.ec2_capacity:
            _unknown_capacity(c, name, svc, i)
        kinds.add("fargate" if share.provider in _FARGATE else "ec2")
        if share.provider in first:
            c.error(
                (*path, "provider"),
                f"'{share.provider}' is already capacity[{first[share.provider]}]; give each "
                "provider once",
                "capacity-twice",
            )
        first.setdefault(share.provider, i)
        if share.base > 0 and based is not None:
            c.error(
                (*path, "base"),
                f"only one provider may have a base above 0, and capacity[{based}] already has one",
                "capacity-bases",
            )
        if share.base > 0 and based is None:
            based = i
    if len(kinds) > 1:
        c.error(
            ("services", name, "capacity"),
            "a service runs on Fargate or on EC2 capacity, not both",
            "capacity-mixed",
            at_key=True,
        )
    if kinds == {"ec2"} and len(svc.capacity) > 1:
        c.error(
            ("services", name, "capacity"),
            "a service on EC2 capacity uses one 'ec2_capacity' entry",
            "capacity-mixed",
            at_key=True,
        )
    return kinds == {"ec2"}


def _unknown_capacity(c: Checker, name: str, svc: Service, i: int) -> None:
    provider = svc.capacity[i].provider
    shorthand = len(svc.capacity) == 1 and svc.capacity[0].weight == 1
    ec2 = sorted(c.bp.ec2_capacity)
    fargate = ["fargate", "fargate_spot"] if shorthand else ["FARGATE", "FARGATE_SPOT"]
    path: Path = ("services", name, "capacity")
    if not shorthand:
        path = (*path, i, "provider")
    if provider.upper() in ("FARGATE", "FARGATE_SPOT"):
        hint = f"; did you mean '{provider.upper() if not shorthand else provider.lower()}'?"
    else:
        hint = suggest(provider, [*fargate, *ec2])
        if not hint and "spot" in provider:
            hint = f"; did you mean '{fargate[1]}'?"
    defined = ", ".join(ec2) or "none defined"
    c.error(
        path,
        f"unknown capacity '{provider}': use {fargate[0]}, {fargate[1]} or an ec2_capacity "
        f"entry ({defined}){hint}",
        "unknown-capacity",
    )


def _check_container_links(
    c: Checker, cpath: Path, cname: str, container: Container, svc: Service
) -> None:
    for other in container.depends_on:
        if other == cname:
            c.error(
                (*cpath, "depends_on", other),
                "a container cannot wait for itself",
                "depends-on-self",
                at_key=True,
            )
        elif other not in svc.containers:
            c.error(
                (*cpath, "depends_on", other),
                f"unknown container '{other}'{suggest(other, svc.containers)} (this task has "
                f"{one_of(svc.containers)})",
                "unknown-container",
                at_key=True,
            )
    for i, mount in enumerate(container.mounts):
        mpath: Path = (*cpath, "mounts", i)
        fs = c.bp.file_systems.get(mount.file_system)
        if not c.ref((*mpath, "file_system"), "file system", mount.file_system, c.bp.file_systems):
            continue
        if mount.access_point is not None and fs is not None:
            c.ref((*mpath, "access_point"), "access point", mount.access_point, fs.access_points)


def _check_public_dns(c: Checker, name: str, svc: Service) -> None:
    if svc.public_dns is None:
        return
    path: Path = ("services", name, "public_dns")
    if not svc.public_ip:
        c.error(
            path,
            "'public_dns' points a name at the task's public IP: it needs 'public_ip: true'",
            "public-dns-ip",
            at_key=True,
        )
    if svc.desired_count > 1:
        c.warn(
            (*path, "name"),
            f"one DNS record follows {svc.desired_count} tasks: it names whichever started last",
            "public-dns-many",
        )


# --- environment, permissions, references --------------------------------------------------


_QUOTED_REF = re.compile(r"^\s*\{\s*ref\s*:.*\}\s*$")


def check_environment(c: Checker, path: Path, env: Mapping[str, str | Reference]) -> None:
    for var, value in env.items():
        if isinstance(value, Reference):
            check_reference(c, (*path, var, "ref"), value.ref)
        elif _QUOTED_REF.match(value):
            c.warn(
                (*path, var),
                "this looks like a reference but is quoted, so it is plain text: remove the "
                "quotes to make it a reference",
                "quoted-reference",
            )
        elif _SECRET_NAME.search(var) and value:
            c.warn(
                (*path, var),
                f"'{var}' looks like a secret in plain text; move it to 'secrets:' as an SSM "
                "or Secrets Manager reference",
                "plain-secret",
            )


def check_reference(c: Checker, path: Path, ref: str) -> None:
    section, name, attribute = ref.split(".")
    if section not in REFERENCE_ATTRIBUTES:
        c.ref(path, "reference section", section, REFERENCE_ATTRIBUTES)
        return
    entries = getattr(c.bp, section)
    if not c.ref(path, section.rstrip("s").replace("_", " "), name, entries):
        return
    allowed = REFERENCE_ATTRIBUTES[section]
    if attribute not in allowed:
        c.error(
            path,
            f"unknown attribute '{attribute}' of {section}.{name}{suggest(attribute, allowed)} "
            f"(use {one_of(allowed)})",
            "unknown-attribute",
        )


def check_permissions(c: Checker, path: Path, permissions: Sequence[Permission]) -> None:
    for i, permission in enumerate(permissions):
        if isinstance(permission, BucketPermission):
            c.ref((*path, i, "bucket"), "bucket", permission.bucket, c.bp.buckets)
        elif isinstance(permission, TablePermission):
            c.ref((*path, i, "table"), "table", permission.table, c.bp.tables)
        elif isinstance(permission, DatabasePermission):
            c.ref((*path, i, "database"), "database", permission.database, c.bp.databases)
        elif isinstance(permission, WebSocketPermission):
            c.ref(
                (*path, i, "websocket_api"),
                "websocket api",
                permission.websocket_api,
                c.bp.websocket_apis,
            )


# --- instances, EC2 capacity, functions, schedules -----------------------------------------


def check_instances(c: Checker) -> list[Reach]:
    reach: list[Reach] = []
    entries: list[tuple[str, str, InstanceGroup | Ec2Capacity]] = [
        ("instances", n, g) for n, g in c.bp.instances.items()
    ]
    entries += [("ec2_capacity", n, g) for n, g in c.bp.ec2_capacity.items()]
    for section, name, group in entries:
        base: Path = (section, name)
        for i, source in enumerate(group.ssh_from):
            reach += _ssh_source(
                c, (*base, "ssh_from", i), (section, name), source, group.allow_ssh_from_internet
            )
        if section == "instances":
            inst = c.bp.instances[name]
            check_permissions(c, (*base, "permissions"), inst.permissions)
            if inst.user_data is not None and inst.user_data_file is not None:
                c.error(
                    (*base, "user_data_file"),
                    "give 'user_data' or 'user_data_file', not both",
                    "user-data-twice",
                )
            if inst.subnets == "private" and inst.public_ip:
                c.error(
                    (*base, "public_ip"),
                    "a public IP does nothing in a private subnet; use 'subnets: public' or "
                    "drop 'public_ip'",
                    "public-ip-private",
                )
        else:
            cap = c.bp.ec2_capacity[name]
            if cap.min_size > cap.max_size:
                c.error(
                    (*base, "min_size"),
                    f"min_size {cap.min_size} is above max_size {cap.max_size}",
                    "capacity-size",
                )
    return reach


def _ssh_source(
    c: Checker, path: Path, target: tuple[str, str], source: str, internet_ok: bool
) -> list[Reach]:
    if is_cidr(source):
        if source == "0.0.0.0/0" and not internet_ok:
            c.error(
                path,
                "SSH from the whole internet is refused: name the CIDR blocks you "
                "connect from, use Session Manager, or set 'allow_ssh_from_internet: "
                "true' if you really mean it",
                "ssh-world",
            )
        elif source == "0.0.0.0/0":
            c.warn(
                path,
                "SSH is open to the whole internet ('allow_ssh_from_internet: "
                "true'); prefer Session Manager or named CIDR blocks",
                "ssh-world",
            )
        return []
    group = group_of(c, source)
    if group is None:
        known = [s for s in sources(c) if s != target[1]]
        c.ref(path, "service, instance group or ec2_capacity entry", source, known)
        return []
    return [Reach(group, target, SSH_PORT, SSH_PORT, path)]


def check_functions(c: Checker) -> None:
    for name, fn in c.bp.functions.items():
        base: Path = ("functions", name)
        image = "image" in type(fn.code).model_fields
        for key in ("runtime", "handler"):
            if not image and getattr(fn, key) is None:
                c.error(
                    (*base, key),
                    f"missing required key '{key}' (needed unless the code is an image)",
                    "missing",
                    at_key=True,
                )
        if image and (fn.runtime is not None or fn.handler is not None):
            c.error(
                (*base, "runtime" if fn.runtime else "handler"),
                "an image function takes no runtime or handler: the image's settings decide",
                "image-runtime",
            )
        check_environment(c, (*base, "environment"), fn.environment)
        check_permissions(c, (*base, "permissions"), fn.permissions)


def check_schedules(c: Checker) -> None:
    for name, sched in c.bp.schedules.items():
        c.ref(("schedules", name, "service"), "service", sched.service, c.bp.services)


def check_reach(c: Checker) -> list[Reach]:
    """``allow_from`` of the data sections, as reach rules."""
    reach: list[Reach] = []
    targets: list[tuple[str, str, list[str], int]] = []
    for name, db in c.bp.databases.items():
        targets.append(("databases", name, db.allow_from, ENGINE_PORTS[db.engine]))
    for name, cache in c.bp.caches.items():
        targets.append(("caches", name, cache.allow_from, ENGINE_PORTS[cache.engine]))
    mounters: dict[str, set[str]] = {}
    for sname, svc in c.bp.services.items():
        for container in svc.containers.values():
            for mount in container.mounts:
                mounters.setdefault(mount.file_system, set()).add(sname)
    for name, fs in c.bp.file_systems.items():
        targets.append(("file_systems", name, fs.allow_from, NFS_PORT))
        for sname in sorted(mounters.get(name, set()) - set(fs.allow_from)):
            group = group_of(c, sname)
            if group is not None:
                # the rule of a service on EC2 capacity admits the hosts, for every service
                # on them: it belongs to the capacity entry, not to one of the services
                origin: Path = ("services", sname) if group[0] == "services" else group
                reach.append(Reach(group, ("file_systems", name), NFS_PORT, NFS_PORT, origin))
    for section, name, allowed, port in targets:
        for i, source in enumerate(allowed):
            path: Path = (section, name, "allow_from", i)
            group = group_of(c, source)
            if group is None:
                c.ref(path, "service, instance group or ec2_capacity entry", source, sources(c))
                continue
            reach.append(Reach(group, (section, name), port, port, path))
    return reach
