"""Data stores, functions, APIs, CDN, DNS and logs, priced from the templates' facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .lines import HOURS_PER_MONTH, Lines, num, unit_price

if TYPE_CHECKING:
    from ..facts import Facts, Resource
    from ..model.blueprint import Blueprint
    from .prices import Prices

_ENGINES = {"mysql": "MySQL", "postgres": "PostgreSQL", "mariadb": "MariaDB"}


def _by_entry(facts: Facts, type_: str, section: str) -> list[Resource]:
    return sorted((r for r in facts.of(type_) if r.entry[0] == section), key=lambda r: r.entry)


def databases(facts: Facts, p: Prices, out: Lines) -> None:
    factor = int(p.world("rds_multi_az_factor"))
    for db in _by_entry(facts, "AWS::RDS::DBInstance", "databases"):
        name, q = db.entry[1], db.properties
        multi_az = bool(q.get("MultiAZ"))
        copies = factor if multi_az else 1
        engine, size = str(q["Engine"]), str(q["DBInstanceClass"])
        storage, most = int(q.get("AllocatedStorage", 0)), q.get("MaxAllocatedStorage")
        out.fixed(
            "databases",
            f"{name}: {size} {_ENGINES.get(engine, engine)}",
            copies * HOURS_PER_MONTH,
            "instance-hour",
            p.at("rds_hour", engine, size),
            "Multi-AZ: a standby doubles it" if multi_az else "Single-AZ",
            f"RDS {engine} {size}",
            (db.logical_id,),
        )
        grows = f"; grows up to {most} GB, priced as allocated" if most else ""
        out.fixed(
            "databases",
            f"{name}: gp3 storage",
            copies * storage,
            "GB-month",
            p.at("rds_gp3_gb_month"),
            f"{storage} GB allocated{' x 2 (Multi-AZ)' if multi_az else ''}{grows}",
            "RDS gp3 storage",
        )
        interval = q.get("MonitoringInterval")
        if interval:
            out.usage(
                "databases",
                f"{name}: enhanced monitoring",
                "GB",
                p.at("logs", "ingestion_gb"),
                f"OS metrics every {interval} s into CloudWatch Logs",
            )
        if q.get("ManageMasterUserPassword"):
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
    for group in _by_entry(facts, "AWS::ElastiCache::ReplicationGroup", "caches"):
        q = group.properties
        nodes, node_type, engine = (
            int(q.get("NumCacheClusters", 1)),
            q["CacheNodeType"],
            q["Engine"],
        )
        price = p.at("elasticache_hour", node_type)
        if price is not None and engine == "valkey":
            price = unit_price(price * (1 - discount))
        replicas = f"1 primary + {nodes - 1} replicas" if nodes > 1 else "1 node"
        out.fixed(
            "caches",
            f"{group.entry[1]}: {nodes} x {node_type} {engine}",
            nodes * HOURS_PER_MONTH,
            "node-hour",
            price,
            replicas,
            f"ElastiCache {node_type}",
            (group.logical_id,),
        )


def file_systems(facts: Facts, p: Prices, out: Lines) -> None:
    c = "file systems"
    for fs in _by_entry(facts, "AWS::EFS::FileSystem", "file_systems"):
        name = fs.entry[1]
        out.usage(c, f"{name}: EFS Standard storage", "GB-month", p.at("efs", "standard_gb_month"))
        out.usage(c, f"{name}: elastic throughput reads", "GB", p.at("efs", "elastic_read_gb"))
        out.usage(c, f"{name}: elastic throughput writes", "GB", p.at("efs", "elastic_write_gb"))
        if fs.properties.get("BackupPolicy", {}).get("Status") == "ENABLED":
            out.usage(
                c,
                f"{name}: daily backups",
                "GB-month",
                p.at("efs", "backup_gb_month"),
                "AWS Backup",
            )


def _lifecycle(bucket: Mapping[str, Any], key: str, days: str) -> int | None:
    for rule in bucket.get("LifecycleConfiguration", {}).get("Rules", []):
        value = rule.get(key)
        found = value.get(days) if isinstance(value, Mapping) else value
        if found is not None and rule.get("Status") == "Enabled":
            return int(found)
    return None


def buckets(facts: Facts, p: Prices, out: Lines) -> None:
    for bucket in _by_entry(facts, "AWS::S3::Bucket", "buckets"):
        name, q = bucket.entry[1], bucket.properties
        kept = ""
        if q.get("VersioningConfiguration", {}).get("Status") == "Enabled":
            days = _lifecycle(q, "NoncurrentVersionExpiration", "NoncurrentDays")
            kept = f"earlier versions count too (kept {days if days else 'forever'}"
            kept += " days)" if days else ")"
        out.usage(
            "buckets",
            f"{name}: S3 Standard storage",
            "GB-month",
            p.at("s3", "standard_gb_month"),
            kept,
        )
        out.usage(
            "buckets",
            f"{name}: PUT, COPY, POST, LIST requests",
            "1,000 requests",
            p.at("s3", "put_1k"),
        )
        out.usage(
            "buckets", f"{name}: GET and other requests", "1,000 requests", p.at("s3", "get_1k")
        )


def tables(facts: Facts, p: Prices, out: Lines) -> None:
    for table in _by_entry(facts, "AWS::DynamoDB::Table", "tables"):
        name, q = table.entry[1], table.properties
        if q.get("BillingMode") == "PROVISIONED":
            through = q.get("ProvisionedThroughput", {})
            wcu, rcu = (
                int(through.get("WriteCapacityUnits", 0)),
                int(through.get("ReadCapacityUnits", 0)),
            )
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
            out.usage(
                "tables",
                f"{name}: on-demand writes",
                "million write request units",
                p.at("dynamodb", "write_request_million"),
            )
            out.usage(
                "tables",
                f"{name}: on-demand reads",
                "million read request units",
                p.at("dynamodb", "read_request_million"),
            )
        out.usage("tables", f"{name}: storage", "GB-month", p.at("dynamodb", "storage_gb_month"))
        if q.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
            out.usage(
                "tables",
                f"{name}: point-in-time recovery",
                "GB-month",
                p.at("dynamodb", "pitr_gb_month"),
            )


def functions(facts: Facts, p: Prices, out: Lines) -> None:
    made: list[tuple[bool, str, int, str, str]] = []
    for fn in facts.of("AWS::Lambda::Function"):
        memory = int(fn.properties.get("MemorySize", 128))
        arch = (fn.properties.get("Architectures") or ["x86_64"])[0]
        section, name = fn.entry
        if section == "functions":
            made.append((False, name, memory, arch, ""))
        else:  # a function blueprint adds for an entry, e.g. a service's DNS updater
            what = " ".join(str(part) for part in fn.origin[2:]) or section
            label = "DNS updater" if what == "public_dns" else what
            made.append(
                (
                    True,
                    f"{name}-dns" if what == "public_dns" else f"{name}-{what}",
                    memory,
                    arch,
                    f"{label} of {name}",
                )
            )
    for _, name, memory, arch, what in sorted(made):
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
    for api in _by_entry(facts, "AWS::ApiGatewayV2::Api", "websocket_apis"):
        name = api.entry[1]
        out.usage(
            "apis",
            f"{name}: WebSocket messages",
            "million messages",
            p.at("apigw_websocket", "messages_million"),
            "metered in 32 KB steps",
        )
        out.usage(
            "apis",
            f"{name}: connection minutes",
            "million minutes",
            p.at("apigw_websocket", "connection_minutes_million"),
        )


def cdn(facts: Facts, p: Prices, out: Lines) -> None:
    for dist in _by_entry(facts, "AWS::CloudFront::Distribution", "distributions"):
        name = dist.entry[1]
        price_class = dist.properties.get("DistributionConfig", {}).get(
            "PriceClass", "PriceClass_All"
        )
        where = f"viewers in {p.edge_zone or 'the region'}; {price_class}"
        out.usage("cdn", f"{name}: data transfer out", "GB", p.edge("data_out_gb"), where)
        out.usage("cdn", f"{name}: HTTPS requests", "10,000 requests", p.edge("https_requests_10k"))


def dns(bp: Blueprint, facts: Facts, p: Prices, out: Lines) -> None:
    created = {
        r.entry[1]: r.logical_id for r in _by_entry(facts, "AWS::Route53::HostedZone", "zones")
    }
    for name, zone in sorted(bp.zones.items()):
        made = created.get(name)
        note = (
            "created by the stack"
            if made
            else f"existing zone {zone.existing_id}: already paid for, not counted"
        )
        out.fixed(
            "dns",
            f"{name}: hosted zone {zone.domain}",
            1 if made else 0,
            "zone-month",
            p.world("route53_zone_month"),
            note,
            resources=(made,) if made else (),
        )
    if bp.zones:
        out.usage(
            "dns",
            "queries",
            "million queries",
            p.world("route53_queries_million"),
            "alias queries to AWS resources are free",
        )
