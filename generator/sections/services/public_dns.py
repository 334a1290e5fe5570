"""Public DNS for services without a load balancer: an EventBridge rule on ECS task state
changes invokes blueprint's own DNS-updater function, which points an A record at the
running task's public IP."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from troposphere import GetAtt, Ref, Sub, awslambda, events

from ... import naming
from ...render import iam
from ...render.context import Context
from ...render.lambdas import Spec, lambda_function
from .model import PublicDns
from .render import service_name


@cache
def updater_source() -> str:
    """The updater's code, shipped in this package and placed inline in the template."""
    return resources.files("generator.functions").joinpath("dns_updater.py").read_text("utf-8")


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.services):
        if ctx.bp.services[name].public_dns is not None:
            _public_dns(ctx, name)


def _public_dns(ctx: Context, name: str) -> None:
    svc = ctx.bp.services[name]
    assert svc.public_dns is not None
    record = svc.public_dns.name
    origin = ("services", name, "public_dns")
    zone = ctx.zones[ctx.resolved.zone_of[record]]
    group = f"service:{service_name(ctx, name)}"
    spec = _updater_spec(ctx, name, svc.public_dns, zone.zone_id, group, svc.log_retention_days)
    fn = lambda_function(
        ctx,
        naming.dns_updater(name),
        naming.dns_updater_role(name),
        naming.dns_updater_log_group(name),
        spec,
        origin,
    )
    rule = ctx.add(_task_state_rule(ctx, name, record, group, fn), origin)
    ctx.add(
        awslambda.Permission(
            naming.task_state_permission(name),
            Action="lambda:InvokeFunction",
            FunctionName=Ref(fn),
            Principal="events.amazonaws.com",
            SourceArn=GetAtt(rule, "Arn"),
        ),
        origin,
    )


def _updater_spec(
    ctx: Context, name: str, dns: PublicDns, zone_id: Any, group: str, log_retention_days: int
) -> Spec:
    """The updater function of one service: told which record to set, in which zone, for
    the tasks of which service group."""
    return Spec(
        name=f"{name}-dns",
        code=awslambda.Code(ZipFile=updater_source()),
        image=False,
        runtime="python3.12",
        handler="index.handler",
        memory_mb=128,
        timeout_seconds=30,
        architecture="arm64",
        environment={
            "HOSTED_ZONE_ID": zone_id,
            "RECORD_NAME": dns.name,
            "TTL": str(dns.ttl_seconds),
            "CLUSTER_ARN": GetAtt(ctx.cluster.cluster, "Arn"),
            "SERVICE_GROUP": group,
        },
        statements=_updater_statements(zone_id, dns.name),
        log_retention_days=log_retention_days,
        concurrency_skip="updater-concurrency",
    )


def _updater_statements(zone_id: Any, record: str) -> list[dict[str, Any]]:
    """The updater may only upsert the A record of its own name, and read task addresses."""
    return [
        {
            **iam.statement(
                ["route53:ChangeResourceRecordSets"],
                [Sub("arn:${AWS::Partition}:route53:::hostedzone/${Zone}", Zone=zone_id)],
            ),
            "Condition": {
                "ForAllValues:StringEquals": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [record],
                    "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
                    "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
                }
            },
        },
        iam.statement(["ec2:DescribeNetworkInterfaces"], ["*"]),
    ]


def _task_state_rule(
    ctx: Context, name: str, record: str, group: str, fn: awslambda.Function
) -> events.Rule:
    """Invokes the updater whenever a task of the service reaches RUNNING."""
    return events.Rule(
        naming.task_state_rule(name),
        Description=f"Tasks of {name} reaching RUNNING: point {record} at them",
        EventPattern={
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {
                "clusterArn": [GetAtt(ctx.cluster.cluster, "Arn")],
                "group": [group],
                "lastStatus": ["RUNNING"],
                "desiredStatus": ["RUNNING"],
            },
        },
        State="ENABLED",
        Targets=[events.Target(Id="dns-updater", Arn=GetAtt(fn, "Arn"))],
    )
