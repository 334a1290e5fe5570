"""ECS services: per service its log group, execution and task roles, task definition,
security group and service, on Fargate (awsvpc) or EC2 capacity (bridge, dynamic ports)."""

from __future__ import annotations

import re
from typing import Any

from troposphere import GetAtt, Ref, Sub, ecs

from ... import naming
from ...model.ports import DYNAMIC_PORTS
from ...render import grants, iam, logs, security
from ...render.context import Context, SecurityGroupHandle, ServiceHandle
from ..load_balancers.model import RouteTarget, ToService
from . import scaling
from .model import (
    Container,
    OnEc2Capacity,
    OnFargate,
    SecretsManagerSecret,
    Service,
    SsmSecret,
)

_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9._/-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})?$"
)


def service_name(ctx: Context, name: str) -> str:
    """The fixed ECS service name of a service that needs one (public DNS)."""
    return f"{ctx.bp.name}-{name}"


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.services):
        _service(ctx, name, ctx.bp.services[name])


def _value_from(secret: SsmSecret | SecretsManagerSecret) -> Any:
    if isinstance(secret, SsmSecret):
        return iam.ssm_parameter_arn(secret.ssm)
    if secret.key:  # the model requires the full ARN with a key
        return f"{secret.secrets_manager}:{secret.key}::"
    # ECS accepts a secret of the same region and account by name; a partial ARN fails.
    return secret.secrets_manager


def _execution_statements(svc: Service, log_group: Any) -> list[dict[str, Any]]:
    """Pull the images, write the logs, read the secrets: each by its own ARN."""
    statements = []
    repos = sorted(
        {
            (m["account"], m["region"], m["repo"])
            for c in svc.containers.values()
            if (m := _ECR.match(c.image))
        }
    )
    if repos:
        statements.append(iam.statement(["ecr:GetAuthorizationToken"], ["*"]))
        statements.append(
            iam.statement(
                [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                [
                    Sub(f"arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{repo}")
                    for account, region, repo in repos
                ],
            )
        )
    statements.append(
        iam.statement(["logs:CreateLogStream", "logs:PutLogEvents"], [GetAtt(log_group, "Arn")])
    )
    secrets = [s for c in svc.containers.values() for s in c.secrets.values()]
    ssm_names = sorted({s.ssm for s in secrets if isinstance(s, SsmSecret)})
    if ssm_names:
        statements.append(
            iam.statement(["ssm:GetParameters"], [iam.ssm_parameter_arn(n) for n in ssm_names])
        )
    sm_names = sorted({s.secrets_manager for s in secrets if isinstance(s, SecretsManagerSecret)})
    if sm_names:
        statements.append(
            iam.statement(
                ["secretsmanager:GetSecretValue"],
                [iam.secret_arn(n) for n in sm_names],
            )
        )
    return statements


def _mount_statements(ctx: Context, svc: Service) -> list[dict[str, Any]]:
    """Mounting EFS with IAM authorization: ClientMount, and ClientWrite unless every mount
    of that file system is read-only."""
    writes: dict[str, bool] = {}
    for container in svc.containers.values():
        for m in container.mounts:
            writes[m.file_system] = writes.get(m.file_system, False) or not m.read_only
    out = []
    for fs_name, write in sorted(writes.items()):
        actions = ["elasticfilesystem:ClientMount"]
        if write:
            actions.append("elasticfilesystem:ClientWrite")
        out.append(iam.statement(actions, [GetAtt(ctx.file_systems[fs_name].file_system, "Arn")]))
    return out


def _volumes(ctx: Context, svc: Service) -> list[ecs.Volume]:
    seen = sorted(
        {(m.file_system, m.access_point or "") for c in svc.containers.values() for m in c.mounts}
    )
    volumes = []
    for fs_name, ap_name in seen:
        auth = ecs.AuthorizationConfig(IAM="ENABLED")
        if ap_name:
            auth.AccessPointId = Ref(ctx.file_systems[fs_name].access_points[ap_name])
        volumes.append(
            ecs.Volume(
                Name=_volume_name(fs_name, ap_name),
                EFSVolumeConfiguration=ecs.EFSVolumeConfiguration(
                    FilesystemId=Ref(ctx.file_systems[fs_name].file_system),
                    TransitEncryption="ENABLED",
                    AuthorizationConfig=auth,
                ),
            )
        )
    return volumes


def _volume_name(fs_name: str, ap_name: str) -> str:
    return f"{fs_name}-{ap_name}" if ap_name else fs_name


def _container(
    ctx: Context, name: str, container: Container, log_group: Any, bridge: bool
) -> ecs.ContainerDefinition:
    definition = ecs.ContainerDefinition(
        Name=name,
        Image=container.image,
        Essential=container.essential,
        LogConfiguration=ecs.LogConfiguration(
            LogDriver="awslogs",
            Options={
                "awslogs-group": Ref(log_group),
                "awslogs-region": Ref("AWS::Region"),
                "awslogs-stream-prefix": name,
            },
        ),
    )
    if container.port is not None:
        mapping = ecs.PortMapping(ContainerPort=container.port, Protocol="tcp")
        if bridge:
            mapping.HostPort = 0  # dynamic: ECS picks from the ephemeral range
        definition.PortMappings = [mapping]
    if container.environment:
        definition.Environment = [
            ecs.Environment(Name=k, Value=v)
            for k, v in ctx.environment(container.environment).items()
        ]
    if container.secrets:
        definition.Secrets = [
            ecs.Secret(Name=k, ValueFrom=_value_from(v))
            for k, v in sorted(container.secrets.items())
        ]
    if container.command is not None:
        definition.Command = container.command
    if container.depends_on:
        definition.DependsOn = [
            ecs.ContainerDependency(ContainerName=other, Condition=condition)
            for other, condition in sorted(container.depends_on.items())
        ]
    if container.mounts:
        definition.MountPoints = [
            ecs.MountPoint(
                SourceVolume=_volume_name(m.file_system, m.access_point or ""),
                ContainerPath=m.path,
                ReadOnly=m.read_only,
            )
            for m in sorted(container.mounts, key=lambda m: m.path)
        ]
    check = container.health_check
    if check is not None:
        definition.HealthCheck = ecs.HealthCheck(
            Command=["CMD-SHELL", check.command],
            Interval=check.interval_seconds,
            Timeout=check.timeout_seconds,
            Retries=check.retries,
            StartPeriod=check.start_period_seconds,
        )
    if container.memory_reservation is not None:
        definition.MemoryReservation = container.memory_reservation
    return definition


def _task_definition(ctx: Context, name: str, svc: Service, on_ec2: bool) -> ecs.TaskDefinition:
    origin = ("services", name)
    log_group = logs.log_group(
        ctx, naming.log_group(name), svc.log_retention_days, (*origin, "log_retention_days")
    )
    execution = iam.role(
        ctx,
        naming.execution_role(name),
        "ecs-tasks.amazonaws.com",
        _execution_statements(svc, log_group),
        origin,
    )
    task_role = iam.role(
        ctx,
        naming.task_role(name),
        "ecs-tasks.amazonaws.com",
        grants.all_statements(ctx, svc.permissions) + _mount_statements(ctx, svc),
        (*origin, "permissions"),
    )
    task = ecs.TaskDefinition(
        naming.task_definition(name),
        Family=f"{ctx.bp.name}-{name}",
        Cpu=str(svc.cpu),
        Memory=str(svc.memory),
        NetworkMode="bridge" if on_ec2 else "awsvpc",
        RequiresCompatibilities=["EC2" if on_ec2 else "FARGATE"],
        ExecutionRoleArn=GetAtt(execution, "Arn"),
        TaskRoleArn=GetAtt(task_role, "Arn"),
        ContainerDefinitions=[
            _container(ctx, cname, svc.containers[cname], log_group, on_ec2)
            for cname in sorted(svc.containers)
        ],
    )
    if not on_ec2:
        task.RuntimePlatform = ecs.RuntimePlatform(
            OperatingSystemFamily="LINUX", CpuArchitecture=svc.architecture
        )
    volumes = _volumes(ctx, svc)
    if volumes:
        task.Volumes = volumes
    return ctx.add(task, (*origin, "containers"))


def _service(ctx: Context, name: str, svc: Service) -> None:
    origin = ("services", name)
    placement = svc.placement
    on_ec2 = isinstance(placement, OnEc2Capacity)
    task = _task_definition(ctx, name, svc, on_ec2)
    match placement:
        case OnEc2Capacity(capacity=capacity):
            group = ctx.groups[("ec2_capacity", capacity)]
        case OnFargate():
            group = security.entry_group(
                ctx,
                origin,
                naming.service_security_group(name),
                f"Tasks of service {name} of {ctx.bp.name}",
                egress_anywhere=True,
            )
    _admit_load_balancers(ctx, name, group, bridge=on_ec2)
    routes = _routes_to(ctx, name)
    service = ecs.Service(
        naming.service(name),
        Cluster=Ref(ctx.cluster.cluster),
        TaskDefinition=Ref(task),
        CapacityProviderStrategy=_capacity_strategy(ctx, svc),
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
        service.NetworkConfiguration = _network_configuration(ctx, svc, group)
    if svc.public_dns is not None:
        # A fixed name lets the DNS rule match this service's tasks before the service
        # exists (the service waits for the rule, so its first task is not missed).
        service.ServiceName = service_name(ctx, name)
    if routes:
        service.LoadBalancers = _target_groups(ctx, routes)
        service.HealthCheckGracePeriodSeconds = svc.health_check_grace_seconds
    waits = _waits(ctx, name, svc, routes)
    if waits:
        service.DependsOn = waits
    ctx.services[name] = ServiceHandle(ctx.add(service, origin))
    if svc.scaling is not None:
        scaling.render(ctx, name, svc.scaling, service, routes)


def _count_managed(ctx: Context, name: str, svc: Service) -> bool:
    """Is the running count owned by scaling or by schedules? Then the template leaves
    ``DesiredCount`` out: CloudFormation starts a new service with 1 task and leaves an
    existing one's count alone on update
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount).
    A disabled schedule counts too, so that enabling it does not change the template."""
    return svc.scaling is not None or any(s.service == name for s in ctx.bp.schedules.values())


def _capacity_strategy(ctx: Context, svc: Service) -> list[ecs.CapacityProviderStrategyItem]:
    """The service's share of each capacity provider: Fargate ones by name, EC2 capacity
    by its provider resource."""
    return [
        ecs.CapacityProviderStrategyItem(
            CapacityProvider=(
                Ref(ctx.cluster.capacity_providers[s.provider])
                if s.provider in ctx.cluster.capacity_providers
                else s.provider
            ),
            Base=s.base,
            Weight=s.weight,
        )
        for s in sorted(svc.capacity, key=lambda s: s.provider)
    ]


def _network_configuration(
    ctx: Context, svc: Service, group: SecurityGroupHandle
) -> ecs.NetworkConfiguration:
    """The awsvpc network of a Fargate task: its subnets, its security group, and a public
    IP only when the entry asks for one."""
    return ecs.NetworkConfiguration(
        AwsvpcConfiguration=ecs.AwsvpcConfiguration(
            AssignPublicIp="ENABLED" if svc.public_ip else "DISABLED",
            Subnets=[Ref(s) for s in ctx.network.subnets[svc.subnets]],
            SecurityGroups=[GetAtt(group.group, "GroupId")],
        )
    )


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
            f"Load balancer {lb_name} to {name}",
            origin,
            to_port=high,
        )
