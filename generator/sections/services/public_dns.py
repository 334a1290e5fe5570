"""Public DNS for services without a load balancer: an EventBridge rule on ECS task state
changes invokes blueprint's own DNS-updater function, which points an A record at the
running task's public IP and deletes it when that task stops; a custom resource served by
the same function deletes it when the stack is deleted, so no record outlives its task
and points at an address someone else may get next."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from troposphere import GetAtt, Ref, Sub, awslambda, cloudformation, events

from ... import naming
from ...errors import Path
from ...render import iam
from ...render.context import Context
from ...render.lambdas import Spec, lambda_function
from .model import PublicDns
from .render import service_name

#: How long CloudFormation waits for the function's answer to the record's custom resource
#: (1 to 3600 s, default 3600: the ServiceTimeout of AWS::CloudFormation::CustomResource).
CUSTOM_RESOURCE_TIMEOUT_SECONDS = 300


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
    record_id = _record_resource(ctx, name, zone.zone_id, record, fn, origin)
    rule = ctx.add(_task_state_rule(ctx, name, record, group, fn), origin)
    # Deleted before the record's custom resource: once the stack deletes the record, no
    # task event can create it again.
    rule.DependsOn = [record_id]
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


def _record_resource(
    ctx: Context, name: str, zone_id: Any, record: str, fn: awslambda.Function, origin: Path
) -> str:
    """The custom resource that stands for the record: the function serves it, and its
    Delete (the stack's deletion) deletes the record. Returns its logical ID."""
    logical_id = naming.dns_record(name)
    resource = cloudformation.CustomResource(
        logical_id,
        ServiceToken=GetAtt(fn, "Arn"),
        HostedZoneId=zone_id,
        RecordName=record,
        # The function answers within its 30 s (or, if sending the answer fails, on Lambda's
        # retries); a lost answer must not hold the stack for CloudFormation's default hour.
        ServiceTimeout=CUSTOM_RESOURCE_TIMEOUT_SECONDS,
    )
    ctx.add(resource, origin)
    return logical_id


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
    """The updater may only upsert and delete the A record of its own name, read the
    records of its zone (to delete exactly the one it read), and read task addresses. The
    condition keys and their normalized values (lower case, no trailing dot):
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
    """
    zone = Sub("arn:${AWS::Partition}:route53:::hostedzone/${Zone}", Zone=zone_id)
    return [
        {
            **iam.statement(["route53:ChangeResourceRecordSets"], [zone]),
            "Condition": {
                "ForAllValues:StringEquals": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [record],
                    "route53:ChangeResourceRecordSetsRecordTypes": ["A"],
                    "route53:ChangeResourceRecordSetsActions": ["DELETE", "UPSERT"],
                }
            },
        },
        iam.statement(["route53:ListResourceRecordSets"], [zone]),
        iam.statement(["ec2:DescribeNetworkInterfaces"], ["*"]),
    ]


def _task_state_rule(
    ctx: Context, name: str, record: str, group: str, fn: awslambda.Function
) -> events.Rule:
    """Invokes the updater when a task of the service reaches RUNNING, and at each step of
    its stopping (desired status STOPPED, up to STOPPED itself): the record goes before the
    task's address is released, and each later step checks again, should an event of the
    same task come late, twice or out of order (ECS sends an event when it decides to stop
    a task, Spot interruption notices included, and may send one more than once):
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html"""
    return events.Rule(
        naming.task_state_rule(name),
        Description=f"Tasks of {name} running or stopping: keep {record} on a running task",
        EventPattern={
            "source": ["aws.ecs"],
            "detail-type": ["ECS Task State Change"],
            "detail": {
                "clusterArn": [GetAtt(ctx.cluster.cluster, "Arn")],
                "group": [group],
                # Either branch ("$or" matching):
                # https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html
                "$or": [
                    {"lastStatus": ["RUNNING"], "desiredStatus": ["RUNNING"]},
                    {"desiredStatus": ["STOPPED"]},
                ],
            },
        },
        State="ENABLED",
        Targets=[events.Target(Id="dns-updater", Arn=GetAtt(fn, "Arn"))],
    )
