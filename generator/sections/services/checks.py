"""Services' rules: a Fargate task has a Fargate size and a way out, a capacity strategy
names providers that exist, containers name what they wait for and mount, and a public
DNS name has a public IP to point at."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path, one_of, shown, suggest
from ...model import references
from ...model.checker import Checker, rule
from ..zones.checks import zone_for
from .model import FARGATE_PROVIDERS, FARGATE_SIZES, Container, Service


@rule(Code.FARGATE_SIZE, Code.SERVICE_NO_EGRESS, Code.PUBLIC_IP_PRIVATE)
def fargate_tasks(c: Checker) -> None:
    """A Fargate task has a size Fargate offers and a way to reach the internet."""
    for name, svc in c.bp.services.items():
        # Not only on EC2 capacity (a strategy that mixes both is reported by capacity()).
        if any(s.provider in FARGATE_PROVIDERS for s in svc.capacity):
            _check_size(c, name, svc)
            _check_egress(c, name, svc)


def _check_size(c: Checker, name: str, svc: Service) -> None:
    base: Path = ("services", name)
    allowed = FARGATE_SIZES.get(svc.cpu)
    if allowed is None:
        c.error(
            (*base, "cpu"),
            f"{svc.cpu} is not a Fargate cpu size: use 256, 512, 1024, 2048, 4096, 8192 or "
            "16384 (1024 = 1 vCPU)",
            Code.FARGATE_SIZE,
        )
    elif svc.memory not in allowed:
        fits = [str(cpu) for cpu, mems in sorted(FARGATE_SIZES.items()) if svc.memory in mems]
        listed = ", ".join(fits[:-1]) + " or " + fits[-1] if len(fits) > 1 else "".join(fits)
        hint = f"; {svc.memory} MiB fits cpu {listed}" if fits else ""
        c.error(
            (*base, "memory"),
            f"{svc.memory} MiB is not a Fargate size for cpu {svc.cpu}: it takes "
            f"{_ranges(allowed)}{hint}",
            Code.FARGATE_SIZE,
        )


def _check_egress(c: Checker, name: str, svc: Service) -> None:
    base: Path = ("services", name)
    if svc.subnets == "public" and not svc.public_ip:
        c.error(
            (*base, "public_ip"),
            "tasks in public subnets need 'public_ip: true' to reach the internet (to pull "
            "images); or use 'subnets: private' with NAT",
            Code.SERVICE_NO_EGRESS,
        )
    if svc.subnets == "private" and svc.public_ip:
        c.error(
            (*base, "public_ip"),
            "a public IP does nothing in a private subnet; use 'subnets: public' or drop "
            "'public_ip'",
            Code.PUBLIC_IP_PRIVATE,
        )
    if svc.subnets == "private" and c.bp.network.nat == "none":
        c.warn(
            (*base, "subnets"),
            "private subnets have no NAT ('network.nat: none'): tasks cannot pull images or "
            "reach AWS APIs",
            Code.SERVICE_NO_EGRESS,
        )


def _ranges(values: tuple[int, ...]) -> str:
    """``(4096, 5120, ..., 16384)`` -> ``4096 to 16384 in steps of 1024``."""
    if len(values) <= 4:
        return ", ".join(str(v) for v in values)
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


@rule(Code.CAPACITY_UNKNOWN, Code.CAPACITY_TWICE, Code.CAPACITY_BASES, Code.CAPACITY_MIXED)
def capacity(c: Checker) -> None:
    for name, svc in c.bp.services.items():
        _check_capacity(c, name, svc)


def _check_capacity(c: Checker, name: str, svc: Service) -> None:
    first: dict[str, int] = {}
    based: int | None = None
    kinds = set()
    for i, share in enumerate(svc.capacity):
        path: Path = ("services", name, "capacity", i)
        fargate = share.provider in FARGATE_PROVIDERS
        if not fargate and share.provider not in c.bp.ec2_capacity:
            _unknown_capacity(c, name, svc, i)
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
            ("services", name, "capacity"),
            "a service runs on Fargate or on EC2 capacity, not both",
            Code.CAPACITY_MIXED,
            at_key=True,
        )
    if kinds == {"ec2"} and len(svc.capacity) > 1:
        c.error(
            ("services", name, "capacity"),
            "a service on EC2 capacity uses one 'ec2_capacity' entry",
            Code.CAPACITY_MIXED,
            at_key=True,
        )


def _unknown_capacity(c: Checker, name: str, svc: Service, i: int) -> None:
    provider = svc.capacity[i].provider
    shorthand = len(svc.capacity) == 1 and svc.capacity[0].weight == 1
    ec2 = sorted(c.bp.ec2_capacity)
    fargate = ["fargate", "fargate_spot"] if shorthand else ["FARGATE", "FARGATE_SPOT"]
    path: Path = ("services", name, "capacity")
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


@rule(
    Code.VARIABLE_TWICE,
    Code.CONTAINER_DEPENDS_ON_SELF,
    Code.CONTAINER_UNKNOWN,
    Code.FILE_SYSTEM_UNKNOWN,
    Code.ACCESS_POINT_UNKNOWN,
    Code.FILE_SYSTEM_MANY_WRITERS,
    *references.CODES,
)
def containers(c: Checker) -> None:
    for name, svc in c.bp.services.items():
        base: Path = ("services", name)
        for cname, container in svc.containers.items():
            cpath: Path = (*base, "containers", cname)
            references.check_environment(c, (*cpath, "environment"), container.environment)
            for var in sorted(set(container.environment) & set(container.secrets)):
                c.error(
                    (*cpath, "secrets", var),
                    f"'{var}' is also in 'environment'; keep one",
                    Code.VARIABLE_TWICE,
                )
            _check_container_links(c, cpath, cname, container, svc)
        references.check_permissions(c, (*base, "permissions"), svc.permissions)
        mounts = any(ct.mounts for ct in svc.containers.values())
        if mounts and svc.most_tasks > 1:
            c.warn(
                (*base, "scaling", "max") if svc.scaling else (*base, "desired_count"),
                f"{svc.most_tasks} tasks share an EFS file system, and EFS does not lock "
                "writes between them; most applications need desired_count: 1",
                Code.FILE_SYSTEM_MANY_WRITERS,
            )


def _check_container_links(
    c: Checker, cpath: Path, cname: str, container: Container, svc: Service
) -> None:
    for other in container.depends_on:
        if other == cname:
            c.error(
                (*cpath, "depends_on", other),
                "a container cannot wait for itself",
                Code.CONTAINER_DEPENDS_ON_SELF,
                at_key=True,
            )
        elif other not in svc.containers:
            c.error(
                (*cpath, "depends_on", other),
                f"unknown container '{other}'{suggest(other, svc.containers)} (this task has "
                f"{one_of(svc.containers)})",
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


@rule(
    Code.FARGATE_SPOT_ARM64,
    Code.CONTAINER_PORT_TWICE,
    Code.MEMORY_RESERVATION_OVER,
    Code.CONTAINER_CONDITION_INVALID,
    Code.CONTAINER_DEPENDS_ON_CYCLE,
)
def task_definitions(c: Checker) -> None:
    """What ECS refuses when it registers or places the task."""
    for name, svc in c.bp.services.items():
        base: Path = ("services", name)
        # Fargate Spot runs only X86_64 Linux tasks
        # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html).
        if svc.architecture == "ARM64" and any(s.provider == "FARGATE_SPOT" for s in svc.capacity):
            c.error(
                (*base, "architecture"),
                "Fargate Spot runs only X86_64 tasks; use 'capacity: fargate' for ARM64",
                Code.FARGATE_SPOT_ARM64,
            )
        # Containers of an awsvpc task share one network interface; on EC2 capacity each
        # has its own (bridge) and a dynamic host port.
        ports: dict[int, str] = {}
        shared_network = svc.ec2_capacity is None
        for cname, container in svc.containers.items():
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
            if reservation is not None and reservation > svc.memory:
                c.error(
                    (*cpath, "memory_reservation"),
                    f"{reservation} MiB is more than the task's memory ({svc.memory} MiB)",
                    Code.MEMORY_RESERVATION_OVER,
                )
            _check_conditions(c, cpath, container, svc)
        _check_cycles(c, base, svc)


def _check_conditions(c: Checker, cpath: Path, container: Container, svc: Service) -> None:
    # COMPLETE and SUCCESS wait for a container to exit, so it cannot be essential; HEALTHY
    # needs a health check on the container waited for
    # (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html).
    for other, condition in container.depends_on.items():
        target = svc.containers.get(other)
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


def _check_cycles(c: Checker, base: Path, svc: Service) -> None:
    """Report each container that waits, through others, for itself (ECS refuses the task
    definition)."""
    waits = {
        n: [o for o in ct.depends_on if o in svc.containers and o != n]
        for n, ct in svc.containers.items()
    }
    for start in svc.containers:
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


RULES = (fargate_tasks, capacity, containers, task_definitions, public_dns, running_count)
