"""ECS on Fargate: the cluster, and per service its log group, roles, task definition,
security group and service."""

from __future__ import annotations

import re
from typing import Any

from troposphere import GetAtt, Ref, Sub, ecs, logs

from .. import naming
from ..model.compute import (
    BucketPermission,
    Container,
    ParameterPermission,
    Permission,
    SecretPermission,
    SecretsManagerSecret,
    Service,
    SsmSecret,
)
from . import iam, security
from .context import Context, ServiceHandle

_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>[a-z0-9._/-]+?)(?::[\w.-]+|@sha256:[0-9a-f]{64})?$"
)


def render(ctx: Context) -> None:
    if not ctx.bp.services:
        return
    providers = sorted({s.provider for svc in ctx.bp.services.values() for s in svc.capacity})
    ctx.cluster = ctx.add(
        ecs.Cluster(
            naming.CLUSTER,
            CapacityProviders=providers,
            ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value="enabled")],
        ),
        ("services",),
    )
    for name in sorted(ctx.bp.services):
        _service(ctx, name, ctx.bp.services[name])


def _log_group(ctx: Context, name: str, svc: Service) -> logs.LogGroup:
    return ctx.add(
        logs.LogGroup(
            naming.log_group(name),
            LogGroupName=f"/ecs/{ctx.bp.name}/{name}",
            RetentionInDays=svc.log_retention_days,
        ),
        ("services", name, "log_retention_days"),
    )


def _secret_arn(secret: SsmSecret | SecretsManagerSecret) -> Sub:
    if isinstance(secret, SsmSecret):
        return iam.ssm_parameter_arn(secret.ssm)
    return iam.secret_arn(secret.secrets_manager, wildcard_suffix=False)


def _execution_statements(svc: Service, log_group: logs.LogGroup) -> list[dict[str, Any]]:
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
                [iam.secret_arn(n, wildcard_suffix=True) for n in sm_names],
            )
        )
    return statements


_BUCKET_ACTIONS = {
    "read": (["s3:ListBucket"], ["s3:GetObject"]),
    "write": ([], ["s3:DeleteObject", "s3:PutObject"]),
    "read_write": (["s3:ListBucket"], ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]),
}


def _permission_statements(permission: Permission) -> list[dict[str, Any]]:
    """What the application's code may do, as statements scoped to the named resources."""
    if isinstance(permission, BucketPermission):
        bucket_actions, object_actions = _BUCKET_ACTIONS[permission.access]
        bucket = f"arn:${{AWS::Partition}}:s3:::{permission.s3_bucket}"
        out = []
        if bucket_actions:
            out.append(iam.statement(bucket_actions, [Sub(bucket)]))
        out.append(iam.statement(object_actions, [Sub(bucket + "/*")]))
        return out
    if isinstance(permission, ParameterPermission):
        actions = ["ssm:GetParameter", "ssm:GetParameters"]
        if any(n.endswith("/*") for n in permission.ssm_parameters):
            actions.append("ssm:GetParametersByPath")
        return [
            iam.statement(
                actions, [iam.ssm_parameter_arn(n) for n in sorted(permission.ssm_parameters)]
            )
        ]
    assert isinstance(permission, SecretPermission)
    return [
        iam.statement(
            ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            [iam.secret_arn(n, wildcard_suffix=True) for n in sorted(permission.secrets)],
        )
    ]


def _container(
    ctx: Context, name: str, container: Container, log_group: logs.LogGroup
) -> ecs.ContainerDefinition:
    props: dict[str, Any] = {
        "Name": name,
        "Image": container.image,
        "Essential": container.essential,
        "LogConfiguration": ecs.LogConfiguration(
            LogDriver="awslogs",
            Options={
                "awslogs-group": Ref(log_group),
                "awslogs-region": Ref("AWS::Region"),
                "awslogs-stream-prefix": name,
            },
        ),
    }
    if container.port is not None:
        props["PortMappings"] = [ecs.PortMapping(ContainerPort=container.port, Protocol="tcp")]
    if container.environment:
        props["Environment"] = [
            ecs.Environment(Name=k, Value=v) for k, v in sorted(container.environment.items())
        ]
    if container.secrets:
        props["Secrets"] = [
            ecs.Secret(Name=k, ValueFrom=_value_from(v))
            for k, v in sorted(container.secrets.items())
        ]
    if container.command is not None:
        props["Command"] = container.command
    return ecs.ContainerDefinition(**props)


def _value_from(secret: SsmSecret | SecretsManagerSecret) -> Sub:
    if isinstance(secret, SecretsManagerSecret) and secret.key:
        name = secret.secrets_manager
        return iam.arn("secretsmanager", f"secret:{name}:{secret.key}::")
    return _secret_arn(secret)


def _service(ctx: Context, name: str, svc: Service) -> None:
    origin = ("services", name)
    log_group = _log_group(ctx, name, svc)
    execution = iam.role(
        ctx,
        naming.execution_role(name),
        "ecs-tasks.amazonaws.com",
        _execution_statements(svc, log_group),
        origin,
    )
    task_statements = [s for p in svc.permissions for s in _permission_statements(p)]
    task_role = iam.role(
        ctx,
        naming.task_role(name),
        "ecs-tasks.amazonaws.com",
        task_statements,
        (*origin, "permissions"),
    )
    task = ctx.add(
        ecs.TaskDefinition(
            naming.task_definition(name),
            Family=f"{ctx.bp.name}-{name}",
            Cpu=str(svc.cpu),
            Memory=str(svc.memory),
            NetworkMode="awsvpc",
            RequiresCompatibilities=["FARGATE"],
            RuntimePlatform=ecs.RuntimePlatform(
                OperatingSystemFamily="LINUX", CpuArchitecture=svc.architecture
            ),
            ExecutionRoleArn=GetAtt(execution, "Arn"),
            TaskRoleArn=GetAtt(task_role, "Arn"),
            ContainerDefinitions=[
                _container(ctx, cname, svc.containers[cname], log_group)
                for cname in sorted(svc.containers)
            ],
        ),
        (*origin, "containers"),
    )
    group = security.security_group(
        ctx,
        naming.service_security_group(name),
        f"Tasks of service {name} of {ctx.bp.name}",
        origin,
        egress_anywhere=True,
    )
    routes = [t for t in ctx.resolved.routes.values() if t.route.service == name]
    for lb_name, port in sorted({(t.lb, t.port) for t in routes}):
        security.allow(
            ctx,
            ctx.load_balancers[lb_name].security_group,
            group,
            port,
            f"Load balancer {lb_name} to {name}",
            origin,
        )
    attached = [r.title for t in routes for r in ctx.attachments[(t.lb, t.key)]]
    props: dict[str, Any] = {}
    if routes:
        props["LoadBalancers"] = [
            ecs.LoadBalancer(
                ContainerName=t.container,
                ContainerPort=t.port,
                TargetGroupArn=Ref(ctx.target_groups[(t.lb, t.key)]),
            )
            for t in routes
        ]
        props["HealthCheckGracePeriodSeconds"] = svc.health_check_grace_seconds
        # ECS refuses a target group that no listener uses yet.
        props["DependsOn"] = sorted(set(attached))
    assert ctx.cluster is not None
    service = ctx.add(
        ecs.Service(
            naming.service(name),
            Cluster=Ref(ctx.cluster),
            TaskDefinition=Ref(task),
            DesiredCount=svc.desired_count,
            CapacityProviderStrategy=[
                ecs.CapacityProviderStrategyItem(
                    CapacityProvider=s.provider, Base=s.base, Weight=s.weight
                )
                for s in sorted(svc.capacity, key=lambda s: s.provider)
            ],
            NetworkConfiguration=ecs.NetworkConfiguration(
                AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                    AssignPublicIp="ENABLED" if svc.public_ip else "DISABLED",
                    Subnets=[Ref(s) for s in ctx.subnets[svc.subnets]],
                    SecurityGroups=[GetAtt(group.group, "GroupId")],
                )
            ),
            DeploymentConfiguration=ecs.DeploymentConfiguration(
                DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
                MaximumPercent=200,
                MinimumHealthyPercent=100,
            ),
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            **props,
        ),
        origin,
    )
    ctx.services[name] = ServiceHandle(service, group)
