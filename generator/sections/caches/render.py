"""ElastiCache replication groups: in the private subnets, encrypted at rest and in transit,
reachable only from the entries their ``allow_from`` names."""

from __future__ import annotations

from troposphere import GetAtt, Ref, elasticache

from ... import naming
from ...model.ports import ENGINE_PORTS
from ...render import scanner, security
from ...render.context import Context
from ...render.stateful import RETAIN, SNAPSHOT, private_subnets, protect
from .model import Cache


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.caches):
        _cache(ctx, name, ctx.bp.caches[name])


def _cache(ctx: Context, name: str, spec: Cache) -> None:
    origin = ("caches", name)
    group = security.entry_group(
        ctx,
        origin,
        naming.cache_security_group(name),
        f"Cache {name} of {ctx.bp.name}",
        egress_anywhere=False,
    )
    subnets = ctx.add(
        elasticache.SubnetGroup(
            naming.cache_subnet_group(name),
            Description=f"Private subnets of cache {name}",
            SubnetIds=private_subnets(ctx),
        ),
        origin,
    )
    replicated = spec.replicas > 0
    group_resource = ctx.add(
        protect(
            elasticache.ReplicationGroup(
                naming.cache(name),
                ReplicationGroupDescription=f"{ctx.bp.name} {name}",
                Engine=spec.engine,
                EngineVersion=spec.version,
                CacheNodeType=spec.node_type,
                NumCacheClusters=1 + spec.replicas,
                AutomaticFailoverEnabled=replicated,
                MultiAZEnabled=replicated,
                TransitEncryptionEnabled=True,
                AtRestEncryptionEnabled=True,
                CacheSubnetGroupName=Ref(subnets),
                SecurityGroupIds=[GetAtt(group.group, "GroupId")],
                Port=ENGINE_PORTS[spec.engine],
                SnapshotRetentionLimit=spec.snapshot_retention_days,
                AutoMinorVersionUpgrade=True,
            ),
            SNAPSHOT if spec.snapshot_retention_days else RETAIN,
        ),
        origin,
    )
    scanner.skip(group_resource, "cache-auth")
    ctx.publish(
        "caches",
        name,
        {
            "address": GetAtt(group_resource, "PrimaryEndPoint.Address"),
            "port": GetAtt(group_resource, "PrimaryEndPoint.Port"),
        },
    )
