"""Data stores, functions, APIs, CDN and DNS, priced from the templates' facts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from .lines import HOURS_PER_MONTH, Lines, num, unit_price

if TYPE_CHECKING:
    from ..facts import Entry, Facts, Function
    from ..model.blueprint import Blueprint
    from .prices import Prices

_ENGINES = {"mysql": "MySQL", "postgres": "PostgreSQL", "mariadb": "MariaDB"}


class _Made(Protocol):
    @property
    def entry(self) -> Entry: ...


_T = TypeVar("_T", bound=_Made)


def by_entry(made: Iterable[_T], section: str) -> list[_T]:
    """The facts the entries of ``section`` made, by entry name."""
    return sorted((m for m in made if m.entry[0] == section), key=lambda m: m.entry)


def databases(facts: Facts, p: Prices, out: Lines) -> None:
    factor = int(p.world("rds_multi_az_factor"))
    for db in by_entry(facts.databases, "databases"):
        name, size, engine = db.entry[1], db.instance_class, db.engine
        copies = factor if db.multi_az else 1
        out.fixed(
            "databases",
            f"{name}: {size} {_ENGINES.get(engine, engine)}",
            copies * HOURS_PER_MONTH,
            "instance-hour",
            p.at("rds_hour", engine, size),
            "Multi-AZ: a standby doubles it" if db.multi_az else "Single-AZ",
            f"RDS {engine} {size}",
            (db.logical_id,),
        )
        most = db.max_storage_gb
        grows = f"; grows up to {most} GB, priced as allocated" if most else ""
        out.fixed(
            "databases",
            f"{name}: gp3 storage",
            copies * db.storage_gb,
            "GB-month",
            p.at("rds_gp3_gb_month"),
            f"{db.storage_gb} GB allocated{' x 2 (Multi-AZ)' if db.multi_az else ''}{grows}",
            "RDS gp3 storage",
        )
        if db.monitoring_interval:
            out.usage(
                "databases",
                f"{name}: enhanced monitoring",
                "GB",
                p.at("logs", "ingestion_gb"),
                f"OS metrics every {db.monitoring_interval} s into CloudWatch Logs",
            )
        if db.managed_secret:
            out.fixed(
                "databases",
                f"{name}: master password secret",
                1,
                "secret-month",
                p.world("secrets_manager_secret_month"),
                "managed by RDS in Secrets Manager",
            )


def caches(facts: Facts, p: Prices, out: Lines) -> None:
    discount = p.world("valkey_node_discount")
    for group in by_entry(facts.caches, "caches"):
        price = p.at("elasticache_hour", group.node_type)
        if price is not None and group.engine == "valkey":
            price = unit_price(price * (1 - discount))
        nodes = group.nodes
        replicas = f"1 primary + {nodes - 1} replicas" if nodes > 1 else "1 node"
        out.fixed(
            "caches",
            f"{group.entry[1]}: {nodes} x {group.node_type} {group.engine}",
            nodes * HOURS_PER_MONTH,
            "node-hour",
            price,
            replicas,
            f"ElastiCache {group.node_type}",
            (group.logical_id,),
        )


def file_systems(facts: Facts, p: Prices, out: Lines) -> None:
    c = "file systems"
    for fs in by_entry(facts.file_systems, "file_systems"):
        name = fs.entry[1]
        out.usage(c, f"{name}: EFS Standard storage", "GB-month", p.at("efs", "standard_gb_month"))
        out.usage(c, f"{name}: elastic throughput reads", "GB", p.at("efs", "elastic_read_gb"))
        out.usage(c, f"{name}: elastic throughput writes", "GB", p.at("efs", "elastic_write_gb"))
        if fs.backups:
            backup = p.at("efs", "backup_gb_month")
            out.usage(c, f"{name}: daily backups", "GB-month", backup, "AWS Backup")


def buckets(facts: Facts, p: Prices, out: Lines) -> None:
    for bucket in by_entry(facts.buckets, "buckets"):
        name, days = bucket.entry[1], bucket.noncurrent_days
        kept = ""
        if bucket.versioning:
            kept = f"earlier versions count too (kept {f'{days} days' if days else 'forever'})"
        standard = p.at("s3", "standard_gb_month")
        out.usage("buckets", f"{name}: S3 Standard storage", "GB-month", standard, kept)
        puts, gets = p.at("s3", "put_1k"), p.at("s3", "get_1k")
        out.usage("buckets", f"{name}: PUT, COPY, POST, LIST requests", "1,000 requests", puts)
        out.usage("buckets", f"{name}: GET and other requests", "1,000 requests", gets)


def tables(facts: Facts, p: Prices, out: Lines) -> None:
    for table in by_entry(facts.tables, "tables"):
        name, wcu, rcu = table.entry[1], table.write_units, table.read_units
        if table.provisioned:
            out.fixed(
                "tables",
                f"{name}: provisioned write capacity",
                wcu * HOURS_PER_MONTH,
                "WCU-hour",
                p.at("dynamodb", "wcu_hour"),
                f"{wcu} WCU",
                "DynamoDB WCU",
            )
            out.fixed(
                "tables",
                f"{name}: provisioned read capacity",
                rcu * HOURS_PER_MONTH,
                "RCU-hour",
                p.at("dynamodb", "rcu_hour"),
                f"{rcu} RCU",
                "DynamoDB RCU",
            )
        else:
            writes = p.at("dynamodb", "write_request_million")
            reads = p.at("dynamodb", "read_request_million")
            out.usage("tables", f"{name}: on-demand writes", "million write request units", writes)
            out.usage("tables", f"{name}: on-demand reads", "million read request units", reads)
        out.usage("tables", f"{name}: storage", "GB-month", p.at("dynamodb", "storage_gb_month"))
        if table.point_in_time_recovery:
            pitr = p.at("dynamodb", "pitr_gb_month")
            out.usage("tables", f"{name}: point-in-time recovery", "GB-month", pitr)


def queues(facts: Facts, p: Prices, out: Lines) -> None:
    for queue in by_entry(facts.queues, "queues"):
        if not queue.redrives:
            continue  # the entry's dead-letter queue: its requests are in the line below
        kind = "fifo" if queue.fifo else "standard"
        out.usage(
            "queues",
            f"{queue.entry[1]}: {'FIFO' if queue.fifo else 'standard'} requests",
            "million requests",
            p.at("sqs", f"{kind}_requests_million"),
            "each 64 KB of a message is a request, and so is a receive that finds nothing; "
            "its dead-letter queue's at the same price",
        )


def _named(fn: Function) -> tuple[bool, str, str]:
    """(made for another entry, name, what it is) of a Lambda function as listed."""
    section, name = fn.entry
    if section == "functions":
        return (False, name, "")
    if not name:  # one function for a whole section: CloudFront's prefix-list lookup
        return (True, fn.logical_id, f"made for {section}")
    part = str(fn.origin[2]) if len(fn.origin) > 2 else section
    if part == "public_dns":
        return (True, f"{name}-dns", f"DNS updater of {name}")
    return (True, f"{name}-{part}", f"{part} of {name}")


def functions(facts: Facts, p: Prices, out: Lines) -> None:
    made = sorted(((_named(fn), fn) for fn in facts.functions), key=lambda m: m[0])
    for (_, name, what), fn in made:
        memory, arch = fn.memory_mb, fn.architecture
        note = f"{arch}, {memory} MB = {num(memory / 1024)} GB per second of run time"
        out.usage(
            "functions",
            f"{name}: compute" + (f" ({what})" if what else ""),
            "GB-second",
            p.world("lambda_gb_second", arch),
            note,
        )
    if made:
        plural = "s" if len(made) > 1 else ""
        out.usage(
            "functions",
            f"requests ({len(made)} function{plural})",
            "million requests",
            p.world("lambda_requests_million"),
        )


def apis(facts: Facts, p: Prices, out: Lines) -> None:
    for api in by_entry(facts.of("AWS::ApiGatewayV2::Api"), "websocket_apis"):
        name = api.entry[1]
        out.usage(
            "apis",
            f"{name}: WebSocket messages",
            "million messages",
            p.at("apigw_websocket", "messages_million"),
            "metered in 32 KB steps",
        )
        minutes = p.at("apigw_websocket", "connection_minutes_million")
        out.usage("apis", f"{name}: connection minutes", "million minutes", minutes)


def cdn(facts: Facts, p: Prices, out: Lines) -> None:
    for dist in by_entry(facts.distributions, "distributions"):
        name = dist.entry[1]
        where = f"viewers in {p.edge_zone or 'the region'}; {dist.price_class}"
        out.usage("cdn", f"{name}: data transfer out", "GB", p.edge("data_out_gb"), where)
        requests = p.edge("https_requests_10k")
        out.usage("cdn", f"{name}: HTTPS requests", "10,000 requests", requests)


def dns(bp: Blueprint, facts: Facts, p: Prices, out: Lines) -> None:
    """Each zone of the blueprint: one the stack creates costs a month; one that exists
    already is listed at 0."""
    zones = by_entry(facts.of("AWS::Route53::HostedZone"), "zones")
    created = {r.entry[1]: r.logical_id for r in zones}
    for name, zone in sorted(bp.zones.items()):
        made = created.get(name)
        note = "created by the stack" if made else ""
        if not made:
            note = f"existing zone {zone.existing_id}: already paid for, not counted"
        out.fixed(
            "dns",
            f"{name}: hosted zone {zone.domain}",
            1 if made else 0,
            "zone-month",
            p.world("route53_zone_month"),
            note,
            resources=(made,) if made else (),
        )
    for ns in facts.of("AWS::ServiceDiscovery::PrivateDnsNamespace"):
        # Cloud Map makes a Route 53 private hosted zone of the namespace's name
        # (https://docs.aws.amazon.com/cloud-map/latest/dg/namespaces-values.html)
        out.fixed(
            "dns",
            f"services reached by name: private hosted zone {ns.properties['Name']}",
            1,
            "zone-month",
            p.world("route53_zone_month"),
            "made by Cloud Map for the namespace",
            resources=(ns.logical_id,),
        )
    if bp.zones:
        out.usage(
            "dns",
            "queries",
            "million queries",
            p.world("route53_queries_million"),
            "alias queries to AWS resources are free",
        )
