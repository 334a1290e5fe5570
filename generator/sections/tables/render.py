"""DynamoDB tables: encrypted, point-in-time recovery, kept on stack deletion and replacement."""

from __future__ import annotations

from troposphere import GetAtt, Ref, dynamodb

from ... import naming
from ...render import scanner
from ...render.context import Context
from ...render.stateful import RETAIN, protect
from .model import OnDemand, Provisioned, Table


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.tables):
        _table(ctx, name, ctx.bp.tables[name])


def _table(ctx: Context, name: str, spec: Table) -> None:
    keys = [("HASH", spec.partition_key)]
    if spec.sort_key is not None:
        keys.append(("RANGE", spec.sort_key))
    table = dynamodb.Table(
        naming.table(name),
        AttributeDefinitions=[
            dynamodb.AttributeDefinition(AttributeName=k.name, AttributeType=k.type)
            for _, k in keys
        ],
        KeySchema=[dynamodb.KeySchema(AttributeName=k.name, KeyType=kind) for kind, k in keys],
        BillingMode="PROVISIONED" if isinstance(spec.capacity, Provisioned) else "PAY_PER_REQUEST",
        SSESpecification=dynamodb.SSESpecification(SSEEnabled=True),
        PointInTimeRecoverySpecification=dynamodb.PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=spec.point_in_time_recovery
        ),
        DeletionProtectionEnabled=True,
    )
    match spec.capacity:
        case Provisioned(read=read, write=write):
            table.ProvisionedThroughput = dynamodb.ProvisionedThroughput(
                ReadCapacityUnits=read, WriteCapacityUnits=write
            )
        case OnDemand():
            pass
    if spec.ttl_attribute is not None:
        table.TimeToLiveSpecification = dynamodb.TimeToLiveSpecification(
            AttributeName=spec.ttl_attribute, Enabled=True
        )
    scanner.skip(table, "table-key")
    resource = ctx.add(protect(table, RETAIN), ("tables", name))
    ctx.tables[name] = resource
    ctx.publish("tables", name, {"name": Ref(resource), "arn": GetAtt(resource, "Arn")})
