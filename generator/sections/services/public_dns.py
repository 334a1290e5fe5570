"""Public DNS for services without a load balancer: an EventBridge rule on ECS task state
changes invokes blueprint's own DNS-updater function, which points an A record at the
running task's public IP."""

from __future__ import annotations

from functools import cache
from importlib import resources

from troposphere import GetAtt, Ref, Sub, awslambda, events

from ... import naming
from ...render import iam
from ...render.context import Context
from ...render.lambdas import Spec, lambda_function
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
    assert svc.public_dns is not None and ctx.cluster is not None
    record = svc.public_dns.name
    origin = ("services", name, "public_dns")
    zone = ctx.zones[ctx.resolved.zone_of[record]]
    group = f"service:{service_name(ctx, name)}"
    statements = [
        {
            **iam.statement(
                ["route53:ChangeResourceRecordSets"],
                [Sub("arn:${AWS::Partition}:route53:::hostedzone/${Zone}", Zone=zone.zone_id)],
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
    spec = Spec(
        name=f"{name}-dns",
        code=awslambda.Code(ZipFile=updater_source()),
        image=False,
        runtime="python3.12",
        handler="index.handler",
        memory_mb=128,
        timeout_seconds=30,
        architecture="arm64",
        environment={
            "HOSTED_ZONE_ID": zone.zone_id,
            "RECORD_NAME": record,
            "TTL": str(svc.public_dns.ttl_seconds),
            "CLUSTER_ARN": GetAtt(ctx.cluster, "Arn"),
            "SERVICE_GROUP": group,
        },
        statements=statements,
        log_retention_days=svc.log_retention_days,
        concurrency_skip="updater-concurrency",
    )
    fn = lambda_function(
        ctx,
        naming.dns_updater(name),
        naming.dns_updater_role(name),
        naming.dns_updater_log_group(name),
        spec,
        origin,
    )
    rule = ctx.add(
        events.Rule(
            naming.task_state_rule(name),
            Description=f"Tasks of {name} reaching RUNNING: point {record} at them",
            EventPattern={
                "source": ["aws.ecs"],
                "detail-type": ["ECS Task State Change"],
                "detail": {
                    "clusterArn": [GetAtt(ctx.cluster, "Arn")],
                    "group": [group],
                    "lastStatus": ["RUNNING"],
                    "desiredStatus": ["RUNNING"],
                },
            },
            State="ENABLED",
            Targets=[events.Target(Id="dns-updater", Arn=GetAtt(fn, "Arn"))],
        ),
        origin,
    )
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
