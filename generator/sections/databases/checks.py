"""Databases' rules: storage autoscaling has room to grow; the engine version and the
instance class are ones RDS offers in the blueprint's region."""

from __future__ import annotations

from ...codes import Code
from ...model import offerings
from ...model.checker import Checker, rule
from .model import TLS_PARAMETER, TLS_SINCE, parameter_family, tls_supported


@rule(Code.DATABASE_STORAGE_ORDER)
def storage(c: Checker) -> None:
    for name, db in c.bp.databases.items():
        if db.max_storage_gb is not None and db.max_storage_gb <= db.storage_gb:
            c.error(
                ("databases", name, "max_storage_gb"),
                f"max_storage_gb must be above storage_gb ({db.storage_gb})",
                Code.DATABASE_STORAGE_ORDER,
            )


@rule(Code.ENGINE_VERSION_UNOFFERED, Code.ENGINE_VERSION_DEPRECATED, Code.INSTANCE_CLASS_UNOFFERED)
def offered(c: Checker) -> None:
    # The lists are cfn-lint's (E3691, E3025, E3062), gathered from the RDS and pricing APIs
    # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.html).
    region = c.bp.region
    for name, db in c.bp.databases.items():
        versions = offerings.rds_versions(db.engine)
        if versions is not None and db.version not in versions:
            c.error(
                ("databases", name, "version"),
                f"RDS offers no {db.engine} {db.version}; it offers "
                f"{offerings.versions_hint(db.version, versions)}",
                Code.ENGINE_VERSION_UNOFFERED,
            )
        elif offerings.rds_deprecated(db.engine, db.version):
            current = {v for v in versions or () if not offerings.rds_deprecated(db.engine, v)}
            c.warn(
                ("databases", name, "version"),
                f"RDS no longer creates {db.engine} {db.version} instances (deprecated): a "
                f"database already running it keeps running, a new one fails to create; "
                f"newer: {offerings.versions_hint(db.version, current)}",
                Code.ENGINE_VERSION_DEPRECATED,
            )
        classes = offerings.rds_classes(region, db.engine)
        where = f"in {region}"
        if classes is None or db.instance_class in classes:
            # cfn-lint E3062: some classes run only some versions
            classes = offerings.rds_classes_for_version(db.engine, db.version)
            where = f"at version {db.version}"
        if classes is not None and db.instance_class not in classes:
            c.error(
                ("databases", name, "instance_class"),
                f"RDS offers no {db.instance_class} for {db.engine} {where}; it offers "
                f"{offerings.classes_hint(db.instance_class, classes)}",
                Code.INSTANCE_CLASS_UNOFFERED,
            )


@rule(Code.DATABASE_TLS_UNSUPPORTED, Code.DATABASE_TLS_OFF)
def tls(c: Checker) -> None:
    """TLS is required through a parameter group (see the renderer), which needs the
    version's family and a version that has the parameter; turning it off is warned about."""
    for name, db in c.bp.databases.items():
        where = ("databases", name, "require_tls")
        if not db.require_tls:
            c.warn(
                where,
                "the database accepts connections without TLS (passwords and data in clear "
                "text on the network); remove 'require_tls: false' unless a client cannot "
                "use TLS",
                Code.DATABASE_TLS_OFF,
            )
        elif parameter_family(db.engine, db.version) is None:
            c.error(
                ("databases", name, "version"),
                f"{db.engine} {db.version} names no parameter group family, which requiring "
                "TLS needs: give the version with its minor number, or set "
                "'require_tls: false'",
                Code.DATABASE_TLS_UNSUPPORTED,
            )
        elif not tls_supported(db.engine, db.version):
            since = ".".join(str(n) for n in TLS_SINCE[db.engine])
            c.error(
                ("databases", name, "version"),
                f"{db.engine} {db.version} cannot refuse connections without TLS "
                f"({TLS_PARAMETER[db.engine]} comes with {_ENGINES[db.engine]} {since}): use "
                f"version {since} or newer, or set 'require_tls: false'",
                Code.DATABASE_TLS_UNSUPPORTED,
            )


_ENGINES = {"mysql": "MySQL", "mariadb": "MariaDB", "postgres": "PostgreSQL"}


RULES = (storage, offered, tls)
