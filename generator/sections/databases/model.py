"""An RDS database."""

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
    """Instance groups, services and jobs that may connect."""

    require_tls: bool = True
    """Refuse connections that do not use TLS: the database gets a parameter group of its
    own with ``require_secure_transport`` on (MySQL 5.7+, MariaDB 10.5+) or
    ``rds.force_ssl`` on (PostgreSQL). ``false`` leaves RDS's default parameter group, which
    accepts plain connections on most versions (a warning says so)."""


#: The parameter that makes each engine refuse connections without TLS
#: (require_secure_transport is dynamic: a change applies without a reboot; the PostgreSQL
#: page does not say)
#: (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html,
#: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html,
#: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html).
TLS_PARAMETER = {
    "mysql": "require_secure_transport",
    "mariadb": "require_secure_transport",
    "postgres": "rds.force_ssl",
}

#: The first (major, minor) of each engine whose parameter groups take TLS_PARAMETER:
#: require_secure_transport came with MySQL 5.7 and MariaDB 10.5.
TLS_SINCE = {"mysql": (5, 7), "mariadb": (10, 5), "postgres": (9, 0)}


def parameter_family(engine: str, version: str) -> str | None:
    """The DB parameter group family of an engine version, as RDS names it
    (``describe-db-engine-versions``' ``DBParameterGroupFamily``): ``mysql8.0``,
    ``mariadb10.11``, ``postgres16`` (PostgreSQL 10 and later by major version, 9.x by
    major and minor: ``postgres9.6``). None when the version does not say (a bare ``9``)."""
    parts = version.split(".")  # digits only (EngineVersion)
    if engine == "postgres" and int(parts[0]) >= 10:
        return f"postgres{parts[0]}"
    if len(parts) < 2:
        return None
    return f"{engine}{parts[0]}.{parts[1]}"


def tls_supported(engine: str, version: str) -> bool:
    """Can a parameter group of this version require TLS?"""
    family = parameter_family(engine, version)
    if family is None:
        return False
    major, _, minor = family.removeprefix(engine).partition(".")
    return (int(major), int(minor or 0)) >= TLS_SINCE[engine]
