"""What services and jobs share in rendering: an ECS task definition with its log group,
execution and task roles, EFS volumes and containers; where its tasks run (a capacity
provider strategy) and their awsvpc network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import AWSObject, GetAtt, Ref, Sub, ecs

from ..errors import Path
from ..model.containers import (
    Container,
    ContainerHealthCheck,
    DatabaseSecret,
    SecretsManagerSecret,
    SsmSecret,
    TaskSpec,
)
from . import grants, iam, logs
from . import origin as cloudfront_origin
from .context import Context, SecurityGroupHandle


def _database_secret_arn(ctx: Context, database: str) -> Any:
    """The ARN of the master secret RDS manages for a database: full, with its suffix."""
    return ctx.value(f"databases.{database}.secret_arn")


def _value_from(ctx: Context, secret: SsmSecret | SecretsManagerSecret | DatabaseSecret) -> Any:
    if isinstance(secret, SsmSecret):
        return iam.ssm_parameter_arn(secret.ssm)
    if isinstance(secret, DatabaseSecret):
        # A JSON key of a secret is ARN:json-key:version-stage:version-id, the last two
        # empty for the current version (https://docs.aws.amazon.com/AmazonECS/latest/
        # developerguide/secrets-envvar-secrets-manager.html).
        return Sub(f"${{Arn}}:{secret.key}::", Arn=_database_secret_arn(ctx, secret.database))
    if secret.key:  # the model requires the full ARN with a key
        return f"{secret.secrets_manager}:{secret.key}::"
    # ECS accepts a secret of the same region and account by name; a partial ARN fails.
    return secret.secrets_manager


def _execution_statements(ctx: Context, task: TaskSpec, log_group: Any) -> list[dict[str, Any]]:
    """Pull the images, write the logs, read the secrets: each by its own ARN."""
    statements = grants.ecr_pull(c.image for c in task.containers.values())
    statements.append(
        iam.statement(["logs:CreateLogStream", "logs:PutLogEvents"], [GetAtt(log_group, "Arn")])
    )
    secrets = [s for c in task.containers.values() for s in c.secrets.values()]
    ssm_names = sorted({s.ssm for s in secrets if isinstance(s, SsmSecret)})
    if ssm_names:
        statements.append(
            iam.statement(["ssm:GetParameters"], [iam.ssm_parameter_arn(n) for n in ssm_names])
        )
    sm_names = sorted({s.secrets_manager for s in secrets if isinstance(s, SecretsManagerSecret)})
    databases = sorted({s.database for s in secrets if isinstance(s, DatabaseSecret)})
    if sm_names or databases:
        # RDS encrypts the secrets it manages with Secrets Manager's AWS managed key unless
        # told otherwise (databases take no key of their own); kms:Decrypt is needed only for
        # a customer managed key (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/
        # task_execution_IAM_role.html#task-execution-secrets).
        statements.append(
            iam.statement(
                ["secretsmanager:GetSecretValue"],
                [iam.secret_arn(n) for n in sm_names]
                + [_database_secret_arn(ctx, d) for d in databases],
            )
        )
    return statements


def _mount_statements(ctx: Context, task: TaskSpec) -> list[dict[str, Any]]:
    """Mounting EFS with IAM authorization, per file system and access point: ClientWrite
    unless every mount through it is read-only; through an access point, only through it."""
    writes: dict[tuple[str, str], bool] = {}
    for container in task.containers.values():
        for m in container.mounts:
            key = (m.file_system, m.access_point or "")
            writes[key] = writes.get(key, False) or not m.read_only
    out = []
    for (fs_name, ap_name), write in sorted(writes.items()):
        handle = ctx.file_systems[fs_name]
        ap = GetAtt(handle.access_points[ap_name], "Arn") if ap_name else None
        out.append(grants.efs_mount(GetAtt(handle.file_system, "Arn"), ap, write))
    return out


def _volumes(ctx: Context, task: TaskSpec) -> list[ecs.Volume]:
    seen = sorted(
        {(m.file_system, m.access_point or "") for c in task.containers.values() for m in c.mounts}
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
    ctx: Context,
    name: str,
    container: Container,
    log_group: Any,
    bridge: bool,
    origins: list[cloudfront_origin.OriginSecret],
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
    secrets = _secrets(ctx, container, origins)
    if secrets:
        definition.Secrets = secrets
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
    if container.health_check is not None:
        definition.HealthCheck = _health_check(container.health_check)
    if container.memory_reservation is not None:
        definition.MemoryReservation = container.memory_reservation
    return definition


def _health_check(check: ContainerHealthCheck) -> ecs.HealthCheck:
    return ecs.HealthCheck(
        Command=["CMD-SHELL", check.command],
        Interval=check.interval_seconds,
        Timeout=check.timeout_seconds,
        Retries=check.retries,
        StartPeriod=check.start_period_seconds,
    )


def _secrets(
    ctx: Context, container: Container, origins: list[cloudfront_origin.OriginSecret]
) -> list[ecs.Secret]:
    """The container's secrets, and on a CloudFront origin's port the secret header of
    each distribution it serves, so the application can check it."""
    secrets = {k: _value_from(ctx, v) for k, v in container.secrets.items()}
    secrets |= cloudfront_origin.variables(origins, container.port)
    return [ecs.Secret(Name=k, ValueFrom=v) for k, v in sorted(secrets.items())]


@dataclass(frozen=True)
class TaskIds:
    """The logical IDs of what one task definition needs, and the task family's name."""

    log_group: str
    execution_role: str
    task_role: str
    task_definition: str
    family: str


def task_definition(
    ctx: Context,
    origin: Path,
    ids: TaskIds,
    task: TaskSpec,
    on_ec2: bool,
    origins: list[cloudfront_origin.OriginSecret] | None = None,
) -> tuple[ecs.TaskDefinition, AWSObject]:
    """The task definition of one entry, with its log group and its two roles: the
    execution role pulls the images, writes the logs and reads the secrets (with the
    secret header of each CloudFront distribution in ``origins`` the entry serves); the task
    role is what the application's code may do. Returns the task definition and its log
    group."""
    origins = origins or []
    log_group = logs.log_group(
        ctx, ids.log_group, task.log_retention_days, (*origin, "log_retention_days")
    )
    execution = iam.role(
        ctx,
        ids.execution_role,
        "ecs-tasks.amazonaws.com",
        _execution_statements(ctx, task, log_group) + cloudfront_origin.statements(origins),
        origin,
    )
    task_role = iam.role(
        ctx,
        ids.task_role,
        "ecs-tasks.amazonaws.com",
        grants.all_statements(ctx, task.permissions) + _mount_statements(ctx, task),
        (*origin, "permissions"),
        # ECS documents aws:SourceArn for task roles: the task, in this region and account
        # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).
        source_arn=iam.arn("ecs", "*"),
    )
    definition = ecs.TaskDefinition(
        ids.task_definition,
        Family=ids.family,
        Cpu=str(task.cpu),
        Memory=str(task.memory),
        NetworkMode="bridge" if on_ec2 else "awsvpc",
        RequiresCompatibilities=["EC2" if on_ec2 else "FARGATE"],
        ExecutionRoleArn=GetAtt(execution, "Arn"),
        TaskRoleArn=GetAtt(task_role, "Arn"),
        ContainerDefinitions=[
            _container(ctx, cname, task.containers[cname], log_group, on_ec2, origins)
            for cname in sorted(task.containers)
        ],
    )
    if not on_ec2:
        definition.RuntimePlatform = ecs.RuntimePlatform(
            OperatingSystemFamily="LINUX", CpuArchitecture=task.architecture
        )
    volumes = _volumes(ctx, task)
    if volumes:
        definition.Volumes = volumes
    return ctx.add(definition, (*origin, "containers")), log_group


def capacity_strategy(ctx: Context, task: TaskSpec) -> list[ecs.CapacityProviderStrategyItem]:
    """The task's share of each capacity provider: Fargate ones by name, EC2 capacity
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
        for s in sorted(task.capacity, key=lambda s: s.provider)
    ]


def network_configuration(
    ctx: Context, task: TaskSpec, group: SecurityGroupHandle
) -> ecs.NetworkConfiguration:
    """The awsvpc network of a Fargate task: its subnets, its security group, and a public
    IP only when the entry asks for one."""
    return ecs.NetworkConfiguration(
        AwsvpcConfiguration=ecs.AwsvpcConfiguration(
            AssignPublicIp="ENABLED" if task.public_ip else "DISABLED",
            Subnets=list(ctx.network.subnet_ids[task.subnets]),
            SecurityGroups=[GetAtt(group.group, "GroupId")],
        )
    )
