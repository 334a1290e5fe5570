"""What the templates make that is priced or drawn by its properties: network gateways,
load balancers, data stores, functions, APIs, CDN, DNS and logs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .refs import Entry, Resource, number


@dataclass(frozen=True)
class NatGateway:
    logical_id: str
    entry: Entry


@dataclass(frozen=True)
class LoadBalancer:
    logical_id: str
    entry: Entry
    scheme: str
    zones: int
    access_logs: bool


@dataclass(frozen=True)
class Database:
    logical_id: str
    entry: Entry
    engine: str
    instance_class: str
    storage_gb: int
    max_storage_gb: int | None
    multi_az: bool
    monitoring_interval: int
    managed_secret: bool


@dataclass(frozen=True)
class Cache:
    logical_id: str
    entry: Entry
    engine: str
    node_type: str
    nodes: int


@dataclass(frozen=True)
class FileSystem:
    logical_id: str
    entry: Entry
    backups: bool


@dataclass(frozen=True)
class Table:
    logical_id: str
    entry: Entry
    provisioned: bool
    read_units: int
    write_units: int
    point_in_time_recovery: bool


@dataclass(frozen=True)
class Queue:
    """An SQS queue; ``redrives`` when it hands failed messages to a dead-letter queue (a
    queue entry's own queue, not its dead-letter queue or a function's)."""

    logical_id: str
    entry: Entry
    fifo: bool
    redrives: bool


@dataclass(frozen=True)
class Function:
    """A Lambda function; ``origin`` says which part of its entry made it (a service's
    ``public_dns`` makes one)."""

    logical_id: str
    entry: Entry
    origin: tuple[str | int, ...]
    memory_mb: int
    architecture: str


@dataclass(frozen=True)
class Distribution:
    logical_id: str
    entry: Entry
    price_class: str
    logging: bool


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket: the entry's, or one blueprint adds (the access-log archive)."""

    logical_id: str
    entry: Entry
    versioning: bool
    noncurrent_days: int | None
    expiration_days: int | None
    access_logging: bool


@dataclass(frozen=True)
class LogGroup:
    logical_id: str
    entry: Entry
    origin: tuple[str | int, ...]
    retention_days: int | None


def nat_gateway(r: Resource) -> NatGateway:
    return NatGateway(r.logical_id, r.entry)


def load_balancer(r: Resource) -> LoadBalancer:
    p = r.properties
    attributes = p.get("LoadBalancerAttributes", [])
    return LoadBalancer(
        r.logical_id,
        r.entry,
        str(p.get("Scheme", "internet-facing")),
        len(p.get("Subnets", p.get("SubnetMappings", []))),
        {"Key": "access_logs.s3.enabled", "Value": "true"} in attributes,
    )


def database(r: Resource) -> Database:
    p = r.properties
    most = p.get("MaxAllocatedStorage")
    return Database(
        r.logical_id,
        r.entry,
        str(p["Engine"]),
        str(p["DBInstanceClass"]),
        number(p.get("AllocatedStorage")),
        None if most is None else number(most),
        bool(p.get("MultiAZ")),
        number(p.get("MonitoringInterval")),
        bool(p.get("ManageMasterUserPassword")),
    )


def cache(r: Resource) -> Cache:
    p = r.properties
    nodes = number(p.get("NumCacheClusters"), 1)
    return Cache(r.logical_id, r.entry, str(p["Engine"]), str(p["CacheNodeType"]), nodes)


def file_system(r: Resource) -> FileSystem:
    backups = r.properties.get("BackupPolicy", {}).get("Status") == "ENABLED"
    return FileSystem(r.logical_id, r.entry, backups)


def table(r: Resource) -> Table:
    p = r.properties
    through = p.get("ProvisionedThroughput", {})
    return Table(
        r.logical_id,
        r.entry,
        p.get("BillingMode") == "PROVISIONED",
        number(through.get("ReadCapacityUnits")),
        number(through.get("WriteCapacityUnits")),
        bool(p.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")),
    )


def queue(r: Resource) -> Queue:
    p = r.properties
    return Queue(r.logical_id, r.entry, p.get("FifoQueue") is True, "RedrivePolicy" in p)


def function(r: Resource) -> Function:
    p = r.properties
    arch = (p.get("Architectures") or ["x86_64"])[0]
    return Function(r.logical_id, r.entry, r.origin, number(p.get("MemorySize"), 128), arch)


def distribution(r: Resource) -> Distribution:
    config = r.properties.get("DistributionConfig", {})
    price_class = str(config.get("PriceClass", "PriceClass_All"))
    return Distribution(r.logical_id, r.entry, price_class, "Logging" in config)


def _lifecycle(p: Mapping[str, Any], key: str, days: str) -> int | None:
    for rule in p.get("LifecycleConfiguration", {}).get("Rules", []):
        value = rule.get(key)
        found = value.get(days) if isinstance(value, Mapping) else value
        if found is not None and rule.get("Status") == "Enabled":
            return number(found)
    return None


def bucket(r: Resource) -> Bucket:
    p = r.properties
    return Bucket(
        r.logical_id,
        r.entry,
        p.get("VersioningConfiguration", {}).get("Status") == "Enabled",
        _lifecycle(p, "NoncurrentVersionExpiration", "NoncurrentDays"),
        _lifecycle(p, "ExpirationInDays", ""),
        "LoggingConfiguration" in p,
    )


def log_group(r: Resource) -> LogGroup:
    days = r.properties.get("RetentionInDays")
    return LogGroup(r.logical_id, r.entry, r.origin, None if days is None else number(days))
