"""An RDS database."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...model.base import Strict
from ...model.types import DbInstanceClass, EngineVersion, Name


class Database(Strict):
    """An RDS instance in the private subnets; its master password is created and rotated
    by RDS in Secrets Manager, never written anywhere."""

    engine: Literal["mysql", "postgres", "mariadb"]
    """The database engine."""

    version: EngineVersion
    """The engine version RDS offers, e.g. ``8.0.43`` (mysql) or ``17.5`` (postgres)."""

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
