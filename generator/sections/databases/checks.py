"""Databases' rules: storage autoscaling has room to grow; the engine version and the
instance class are ones RDS offers in the blueprint's region."""

from __future__ import annotations

from ...codes import Code
from ...model import offerings
from ...model.checker import Checker, rule


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


RULES = (storage, offered)
