"""Rules every ECS task obeys, whether a service keeps it running or a job runs it to
completion: a Fargate size and a way out, a capacity strategy that names providers that
exist, containers that name what they wait for and mount, and what ECS refuses when it
registers the task definition. The sections' rules call these for each entry (``base``
is the entry's path, ``kind`` the word for it in messages)."""

from __future__ import annotations

from ..codes import Code
from ..errors import Path, one_of, shown, suggest
from . import references
from .checker import Checker
from .containers import FARGATE_PROVIDERS, FARGATE_SIZES, Container, DatabaseSecret, TaskSpec

FARGATE_CODES = (Code.FARGATE_SIZE, Code.SERVICE_NO_EGRESS, Code.PUBLIC_IP_PRIVATE)
CAPACITY_CODES = (
    Code.CAPACITY_UNKNOWN,
    Code.CAPACITY_TWICE,
    Code.CAPACITY_BASES,
    Code.CAPACITY_MIXED,
)
CONTAINER_CODES = (
    Code.VARIABLE_TWICE,
    Code.CONTAINER_DEPENDS_ON_SELF,
    Code.CONTAINER_UNKNOWN,
    Code.FILE_SYSTEM_UNKNOWN,
    Code.ACCESS_POINT_UNKNOWN,
    *references.CODES,
)
TASK_DEFINITION_CODES = (
    Code.FARGATE_SPOT_ARM64,
    Code.CONTAINER_PORT_TWICE,
    Code.MEMORY_RESERVATION_OVER,
    Code.CONTAINER_CONDITION_INVALID,
    Code.CONTAINER_DEPENDS_ON_CYCLE,
)


def fargate(c: Checker, base: Path, task: TaskSpec) -> None:
    """A Fargate task has a size Fargate offers and a way to reach the internet."""
    # Not only on EC2 capacity (a strategy that mixes both is reported by capacity()).
    if any(s.provider in FARGATE_PROVIDERS for s in task.capacity):
        _check_size(c, base, task)
        _check_egress(c, base, task)


def containers(c: Checker, base: Path, task: TaskSpec) -> None:
    """Each container's environment, secrets, dependencies and mounts; the permissions."""
    for cname, container in task.containers.items():
        cpath: Path = (*base, "containers", cname)
        references.check_environment(c, (*cpath, "environment"), container.environment)
        for var in sorted(set(container.environment) & set(container.secrets)):
            c.error(
                (*cpath, "secrets", var),
                f"'{var}' is also in 'environment'; keep one",
                Code.VARIABLE_TWICE,
            )
        for var, secret in container.secrets.items():
            if isinstance(secret, DatabaseSecret):
                c.ref(
                    (*cpath, "secrets", var, "database"),
                    "database",
                    secret.database,
                    c.bp.databases,
                    Code.DATABASE_UNKNOWN,
                )
        _check_container_links(c, cpath, cname, container, task)
    references.check_permissions(c, (*base, "permissions"), task.permissions)


def task_definition(c: Checker, base: Path, task: TaskSpec) -> None:
    """What ECS refuses when it registers or places the task."""
    # Fargate Spot runs only X86_64 Linux tasks
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html).
    if task.architecture == "ARM64" and any(s.provider == "FARGATE_SPOT" for s in task.capacity):
        c.error(
            (*base, "architecture"),
            "Fargate Spot runs only X86_64 tasks; use 'capacity: fargate' for ARM64",
            Code.FARGATE_SPOT_ARM64,
        )
    # Containers of an awsvpc task share one network interface; on EC2 capacity each
    # has its own (bridge) and a dynamic host port.
    ports: dict[int, str] = {}
    shared_network = task.ec2_capacity is None
    for cname, container in task.containers.items():
        cpath: Path = (*base, "containers", cname)
        port = container.port
        if shared_network and port is not None and port in ports:
            c.error(
                (*cpath, "port"),
                f"container '{ports[port]}' of this task listens on {port} too; the "
                "containers of a task share one network, so each needs a port of its own",
                Code.CONTAINER_PORT_TWICE,
            )
        elif port is not None:
            ports[port] = cname
        reservation = container.memory_reservation
        if reservation is not None and reservation > task.memory:
            c.error(
                (*cpath, "memory_reservation"),
                f"{reservation} MiB is more than the task's memory ({task.memory} MiB)",
                Code.MEMORY_RESERVATION_OVER,
            )
        _check_conditions(c, cpath, container, task)
    _check_cycles(c, base, task)


def _check_size(c: Checker, base: Path, task: TaskSpec) -> None:
    allowed = FARGATE_SIZES.get(task.cpu)
    if allowed is None:
        c.error(
            (*base, "cpu"),
            f"{task.cpu} is not a Fargate cpu size: use 256, 512, 1024, 2048, 4096, 8192 or "
            "16384 (1024 = 1 vCPU)",
            Code.FARGATE_SIZE,
        )
    elif task.memory not in allowed:
        fits = [str(cpu) for cpu, mems in sorted(FARGATE_SIZES.items()) if task.memory in mems]
        listed = ", ".join(fits[:-1]) + " or " + fits[-1] if len(fits) > 1 else "".join(fits)
        hint = f"; {task.memory} MiB fits cpu {listed}" if fits else ""
        c.error(
            (*base, "memory"),
            f"{task.memory} MiB is not a Fargate size for cpu {task.cpu}: it takes "
            f"{_ranges(allowed)}{hint}",
            Code.FARGATE_SIZE,
        )


def _check_egress(c: Checker, base: Path, task: TaskSpec) -> None:
    if task.subnets == "public" and not task.public_ip:
        c.error(
            (*base, "public_ip"),
            "tasks in public subnets need 'public_ip: true' to reach the internet (to pull "
            "images); or use 'subnets: private' with NAT",
            Code.SERVICE_NO_EGRESS,
        )
    if task.subnets == "private" and task.public_ip:
        c.error(
            (*base, "public_ip"),
            "a public IP does nothing in a private subnet; use 'subnets: public' or drop "
            "'public_ip'",
            Code.PUBLIC_IP_PRIVATE,
        )


def _ranges(values: tuple[int, ...]) -> str:
    """``(4096, 5120, ..., 16384)`` -> ``4096 to 16384 in steps of 1024``."""
    if len(values) <= 4:
        return ", ".join(str(v) for v in values)
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


def capacity(c: Checker, base: Path, task: TaskSpec, kind: str) -> None:
    """Capacity providers that exist, each once, one base, one kind of capacity."""
    first: dict[str, int] = {}
    based: int | None = None
    kinds = set()
    for i, share in enumerate(task.capacity):
        path: Path = (*base, "capacity", i)
        fargate = share.provider in FARGATE_PROVIDERS
        if not fargate and share.provider not in c.bp.ec2_capacity:
            _unknown_capacity(c, base, task, i)
        kinds.add("fargate" if fargate else "ec2")
        if share.provider in first:
            c.error(
                (*path, "provider"),
                f"'{share.provider}' is already capacity[{first[share.provider]}]; give each "
                "provider once",
                Code.CAPACITY_TWICE,
            )
        first.setdefault(share.provider, i)
        if share.base > 0 and based is not None:
            c.error(
                (*path, "base"),
                f"only one provider may have a base above 0, and capacity[{based}] already has one",
                Code.CAPACITY_BASES,
            )
        if share.base > 0 and based is None:
            based = i
    if len(kinds) > 1:
        c.error(
            (*base, "capacity"),
            f"a {kind} runs on Fargate or on EC2 capacity, not both",
            Code.CAPACITY_MIXED,
            at_key=True,
        )
    if kinds == {"ec2"} and len(task.capacity) > 1:
        c.error(
            (*base, "capacity"),
            f"a {kind} on EC2 capacity uses one 'ec2_capacity' entry",
            Code.CAPACITY_MIXED,
            at_key=True,
        )


def _unknown_capacity(c: Checker, base: Path, task: TaskSpec, i: int) -> None:
    provider = task.capacity[i].provider
    shorthand = len(task.capacity) == 1 and task.capacity[0].weight == 1
    ec2 = sorted(c.bp.ec2_capacity)
    fargate = ["fargate", "fargate_spot"] if shorthand else ["FARGATE", "FARGATE_SPOT"]
    path: Path = (*base, "capacity")
    if not shorthand:
        path = (*path, i, "provider")
    if provider.upper() in FARGATE_PROVIDERS:
        hint = f"; did you mean '{provider.upper() if not shorthand else provider.lower()}'?"
    else:
        hint = suggest(provider, [*fargate, *ec2])
        if not hint and "spot" in provider:
            hint = f"; did you mean '{fargate[1]}'?"
    defined = ", ".join(ec2) or "none defined"
    c.error(
        path,
        f"unknown capacity {shown(provider)}: use {fargate[0]}, {fargate[1]} or an ec2_capacity "
        f"entry ({defined}){hint}",
        Code.CAPACITY_UNKNOWN,
    )


def _check_container_links(
    c: Checker, cpath: Path, cname: str, container: Container, task: TaskSpec
) -> None:
    for other in container.depends_on:
        if other == cname:
            c.error(
                (*cpath, "depends_on", other),
                "a container cannot wait for itself",
                Code.CONTAINER_DEPENDS_ON_SELF,
                at_key=True,
            )
        elif other not in task.containers:
            c.error(
                (*cpath, "depends_on", other),
                f"unknown container '{other}'{suggest(other, task.containers)} (this task has "
                f"{one_of(task.containers)})",
                Code.CONTAINER_UNKNOWN,
                at_key=True,
            )
    systems = c.bp.file_systems
    for i, mount in enumerate(container.mounts):
        mpath: Path = (*cpath, "mounts", i)
        fs = systems.get(mount.file_system)
        if not c.ref(
            (*mpath, "file_system"),
            "file system",
            mount.file_system,
            systems,
            Code.FILE_SYSTEM_UNKNOWN,
        ):
            continue
        if mount.access_point is not None and fs is not None:
            c.ref(
                (*mpath, "access_point"),
                "access point",
                mount.access_point,
                fs.access_points,
                Code.ACCESS_POINT_UNKNOWN,
            )


def _check_conditions(c: Checker, cpath: Path, container: Container, task: TaskSpec) -> None:
    # COMPLETE and SUCCESS wait for a container to exit, so it cannot be essential; HEALTHY
    # needs a health check on the container waited for
    # (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html).
    for other, condition in container.depends_on.items():
        target = task.containers.get(other)
        if target is None:
            continue
        if condition in {"COMPLETE", "SUCCESS"} and target.essential:
            c.error(
                (*cpath, "depends_on", other),
                f"{condition} waits for '{other}' to exit, so '{other}' needs "
                "'essential: false' (or wait for START)",
                Code.CONTAINER_CONDITION_INVALID,
            )
        elif condition == "HEALTHY" and target.health_check is None:
            c.error(
                (*cpath, "depends_on", other),
                f"HEALTHY needs a health check on '{other}': give it a 'health_check', or "
                "wait for START",
                Code.CONTAINER_CONDITION_INVALID,
            )


def _check_cycles(c: Checker, base: Path, task: TaskSpec) -> None:
    """Report each container that waits, through others, for itself (ECS refuses the task
    definition)."""
    waits = {
        n: [o for o in ct.depends_on if o in task.containers and o != n]
        for n, ct in task.containers.items()
    }
    for start in task.containers:
        seen: set[str] = set()
        todo = list(waits[start])
        while todo:
            current = todo.pop()
            if current == start:
                c.error(
                    (*base, "containers", start, "depends_on"),
                    f"'{start}' waits, through the containers it depends on, for itself",
                    Code.CONTAINER_DEPENDS_ON_CYCLE,
                    at_key=True,
                )
                break
            if current not in seen:
                seen.add(current)
                todo.extend(waits[current])
