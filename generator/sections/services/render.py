"""ECS services: per service its log group, execution and task roles, task definition,
security group and service, on Fargate (awsvpc) or EC2 capacity (bridge, dynamic ports)."""

from __future__ import annotations

from troposphere import GetAtt, Ref, ecs, servicediscovery

from ... import naming
from ...errors import InternalError, Path
from ...model.containers import OnEc2Capacity
from ...model.ports import DYNAMIC_PORTS
from ...render import origin as cloudfront_origin
from ...render import security, tasks
from ...render.context import Context, SecurityGroupHandle, ServiceHandle
from ..load_balancers.model import RouteTarget, ToService
from . import scaling
from .model import Service, host_label


def service_name(ctx: Context, name: str) -> str:
    """The fixed ECS service name of a service that needs one (public DNS)."""
    return f"{ctx.bp.name}-{name}"


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.services):
        _service(ctx, name, ctx.bp.services[name])


def _service(ctx: Context, name: str, svc: Service) -> None:
    origin = ("services", name)
    placement = svc.placement
    on_ec2 = isinstance(placement, OnEc2Capacity)
    ids = tasks.TaskIds(
        naming.log_group(name),
        naming.execution_role(name),
        naming.task_role(name),
        naming.task_definition(name),
        f"{ctx.bp.name}-{name}",
    )
    origins = cloudfront_origin.of_service(ctx, name)
    task, _ = tasks.task_definition(ctx, origin, ids, svc, on_ec2, origins)
    group = _group(ctx, name, svc)
    _admit_load_balancers(ctx, name, group, bridge=on_ec2)
    routes = _routes_to(ctx, name)
    service = ecs.Service(
        naming.service(name),
        Cluster=Ref(ctx.cluster.cluster),
        TaskDefinition=Ref(task),
        CapacityProviderStrategy=tasks.capacity_strategy(ctx, svc),
        DeploymentConfiguration=ecs.DeploymentConfiguration(
            DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
            MaximumPercent=200,
            MinimumHealthyPercent=100,
        ),
        PropagateTags="SERVICE",
        EnableECSManagedTags=True,
    )
    if not _count_managed(ctx, name, svc):
        service.DesiredCount = svc.desired_count
    if not on_ec2:
        service.NetworkConfiguration = tasks.network_configuration(ctx, svc, group)
    if svc.public_dns is not None:
        # A fixed name lets the DNS rule match this service's tasks before the service
        # exists (the service waits for the rule, so its first task is not missed).
        service.ServiceName = service_name(ctx, name)
    if routes:
        service.LoadBalancers = _target_groups(ctx, routes)
        service.HealthCheckGracePeriodSeconds = svc.health_check_grace_seconds
    if svc.allow_from:
        service.ServiceRegistries = [_register(ctx, name)]
    waits = _waits(ctx, name, svc, routes)
    if waits:
        service.DependsOn = waits
    ctx.services[name] = ServiceHandle(ctx.add(service, origin))
    if svc.scaling is not None:
        scaling.render(ctx, name, svc.scaling, service, routes)


def _group(ctx: Context, name: str, svc: Service) -> SecurityGroupHandle:
    """The security group of the service's tasks: the hosts' on EC2 capacity, else its own.
    The group of a service reached by name lives in the main stack (its origin is its
    ``allow_from``, see :func:`generator.render.stacks.placement`): a caller's rule refers
    to it and to the caller's group, so it joins the caller's stack, and every service
    stack still needs only the main stack, deployed in any order after it."""
    if isinstance(svc.placement, OnEc2Capacity):
        return ctx.groups[("ec2_capacity", svc.placement.capacity)]
    entry = ("services", name)
    origin: Path = (*entry, "allow_from") if svc.allow_from else entry
    group = security.security_group(
        ctx,
        naming.service_security_group(name),
        f"Tasks of service {name} of {ctx.bp.name}",
        origin,
        egress_anywhere=True,
    )
    ctx.groups[entry] = group
    return group


def _register(ctx: Context, name: str) -> ecs.ServiceRegistry:
    """The Cloud Map service in which ECS keeps an A record per running task (awsvpc: the
    task's own IP, so no port is registered), answered only while the task is healthy
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html)."""
    if ctx.namespace is None:
        raise InternalError("a service reached by name is rendered before the namespace")
    registry = ctx.add(
        servicediscovery.Service(
            naming.discovery_service(name),
            Name=host_label(name),
            NamespaceId=GetAtt(ctx.namespace, "Id"),
            Description=f"Tasks of service {name} of {ctx.bp.name}",
            DnsConfig=servicediscovery.DnsConfig(
                # a short TTL: a replaced task's address leaves callers' caches quickly
                DnsRecords=[servicediscovery.DnsRecord(Type="A", TTL=10)],
                RoutingPolicy="MULTIVALUE",
            ),
            HealthCheckCustomConfig=servicediscovery.HealthCheckCustomConfig(FailureThreshold=1),
        ),
        ("services", name),
    )
    return ecs.ServiceRegistry(RegistryArn=GetAtt(registry, "Arn"))


def _count_managed(ctx: Context, name: str, svc: Service) -> bool:
    """Is the running count owned by scaling or by schedules? Then the template leaves
    ``DesiredCount`` out: CloudFormation starts a new service with 1 task and leaves an
    existing one's count alone on update
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount).
    A disabled schedule counts too, so that enabling it does not change the template."""
    return svc.scaling is not None or any(s.service == name for s in ctx.bp.schedules.values())


def _routes_to(ctx: Context, name: str) -> list[tuple[RouteTarget, ToService]]:
    """The routes of every load balancer that send traffic to this service."""
    return [
        (t, t.to)
        for t in ctx.resolved.routes.values()
        if isinstance(t.to, ToService) and t.to.service == name
    ]


def _target_groups(
    ctx: Context, routes: list[tuple[RouteTarget, ToService]]
) -> list[ecs.LoadBalancer]:
    """The target group of each route, with the container and port it sends traffic to."""
    return [
        ecs.LoadBalancer(
            ContainerName=to.container,
            ContainerPort=t.port,
            TargetGroupArn=Ref(ctx.load_balancers[t.lb].target_groups[t.key]),
        )
        for t, to in routes
    ]


def _waits(
    ctx: Context, name: str, svc: Service, routes: list[tuple[RouteTarget, ToService]]
) -> list[str]:
    """The logical IDs the service must be created after, sorted."""
    waits = [r.title for r in ctx.cluster.ready]
    mounted = {m.file_system for c in svc.containers.values() for m in c.mounts}
    # Tasks mount EFS at start: the mount targets must exist first.
    waits += [t.title for fs in sorted(mounted) for t in ctx.file_systems[fs].mount_targets]
    if svc.public_dns is not None:
        # The DNS rule must exist before the first task starts, or that task is missed.
        waits += [naming.task_state_rule(name), naming.task_state_permission(name)]
    # ECS refuses a target group that no listener uses yet.
    waits += [r.title for t, _ in routes for r in ctx.load_balancers[t.lb].attachments[t.key]]
    return sorted(set(waits))


def _admit_load_balancers(
    ctx: Context, name: str, group: SecurityGroupHandle, *, bridge: bool
) -> None:
    """Each load balancer routing to the service may reach it on the container port, or on
    the dynamic host port range for tasks on EC2 capacity."""
    routes = _routes_to(ctx, name)
    for lb_name, port in sorted({(t.lb, t.port) for t, _ in routes}):
        lb_group = ctx.load_balancers[lb_name].security_group
        low, high = DYNAMIC_PORTS if bridge else (port, port)
        # On EC2 capacity the rule admits the load balancer to the hosts, for every service
        # on them: it belongs to the load balancer (main stack), not to whichever service
        # happens to make it first, or it would move when that service is removed.
        origin: tuple[str, ...] = ("load_balancers", lb_name) if bridge else ("services", name)
        security.allow(
            ctx,
            lb_group,
            group,
            low,
            f"Load balancer {security.source_label(lb_name, lb_group)} to {name}",
            origin,
            to_port=high,
        )
