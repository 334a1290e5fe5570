"""Where state lives: RDS databases, ElastiCache caches, S3 buckets, DynamoDB tables and EFS
file systems. Every one is encrypted, kept on stack deletion and protected from replacement
by default; who may reach it is stated by name."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...model.base import Strict
from ...model.types import BucketName, CacheNodeType, DbInstanceClass, EngineVersion, Name


class Database(Strict):
    """An RDS instance in the private subnets; its master password is created and rotated
    by RDS in Secrets Manager, never written anywhere."""

    engine: Literal["mysql", "postgres", "mariadb"]
    """The database engine."""

    version: EngineVersion
    """The engine version, e.g. ``8.0`` or ``16.4``."""

    instance_class: DbInstanceClass = "db.t4g.micro"
    """The instance class."""

    storage_gb: int = Field(default=20, ge=20, le=65536)
    """Allocated gp3 storage."""

    max_storage_gb: int | None = Field(default=None, ge=21, le=65536)
    """Let storage grow automatically up to this size."""

    database_name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
    """A database created at launch."""

    username: str = Field(default="dbadmin", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
    """The master user's name."""

    multi_az: bool = True
    """A standby in a second zone, with automatic failover (``false`` halves the price
    and is recorded in the template as a deliberate choice)."""

    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = 60
    """Enhanced monitoring: operating-system metrics every this many seconds (0: off)."""

    backup_retention_days: int = Field(default=7, ge=1, le=35)
    """Days of automated backups."""

    deletion_protection: bool = True
    """Refuse to delete the instance until this is turned off."""

    allow_from: list[Name] = Field(default=[])
    """Instance groups and services that may connect."""


class Cache(Strict):
    """An ElastiCache replication group (Redis or Valkey) with encryption in transit and at
    rest, in the private subnets."""

    engine: Literal["redis", "valkey"] = "redis"
    """The engine."""

    version: EngineVersion = "7.1"
    """The engine version."""

    node_type: CacheNodeType = "cache.t4g.micro"
    """The node type."""

    replicas: int = Field(default=0, ge=0, le=5)
    """Read replicas; with one or more, failover is automatic across zones."""

    snapshot_retention_days: int = Field(default=1, ge=0, le=35)
    """Days of daily snapshots."""

    allow_from: list[Name] = Field(default=[])
    """Instance groups and services that may connect."""


class Bucket(Strict):
    """A private S3 bucket: public access blocked, encrypted, TLS only, retained on
    deletion."""

    name: BucketName | None = None
    """A fixed bucket name; default: one CloudFormation makes unique."""

    versioning: bool = True
    """Keep earlier versions of objects."""

    noncurrent_version_expiry_days: int | None = Field(default=90, ge=1, le=3650)
    """Delete earlier versions after this many days (none: keep them)."""

    access_logs: bool = True
    """Record every request to the bucket in the stack's access-log bucket."""


class Key(Strict):
    """A key attribute of a table."""

    name: str = Field(min_length=1, max_length=255)
    """The attribute's name."""

    type: Literal["S", "N", "B"] = "S"
    """String, number or binary."""


class Table(Strict):
    """A DynamoDB table: on-demand billing, point-in-time recovery and encryption by
    default, deletion protected and retained."""

    partition_key: Key
    """The partition (hash) key."""

    sort_key: Key | None = None
    """The sort (range) key."""

    billing: Literal["on_demand", "provisioned"] = "on_demand"
    """Pay per request, or for provisioned capacity."""

    read_capacity: int | None = Field(default=None, ge=1)
    """Read capacity units, with ``billing: provisioned``."""

    write_capacity: int | None = Field(default=None, ge=1)
    """Write capacity units, with ``billing: provisioned``."""

    ttl_attribute: str | None = Field(default=None, min_length=1, max_length=255)
    """An attribute holding an expiry time (epoch seconds)."""

    point_in_time_recovery: bool = True
    """Continuous backups for 35 days."""


class AccessPoint(Strict):
    """An entry point into a file system, as a given user, rooted at a path."""

    path: str = Field(pattern=r"^/[^\s]*$")
    """The directory the access point exposes; created if missing."""

    uid: int = Field(default=1000, ge=0)
    """The POSIX user the clients act as (and the owner of a created directory)."""

    gid: int = Field(default=1000, ge=0)
    """The POSIX group."""

    permissions: str = Field(default="0755", pattern=r"^[0-7]{3,4}$")
    """Mode of a created directory."""


class FileSystem(Strict):
    """An EFS file system: encrypted, backed up, TLS and IAM required to mount."""

    access_points: dict[Name, AccessPoint] = Field(default={})
    """Access points by name."""

    backups: bool = True
    """Daily backups through AWS Backup."""

    allow_from: list[Name] = Field(default=[])
    """Services and instance groups that may mount it (services that mount it in a
    container are added on their own)."""
