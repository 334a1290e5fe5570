"""Databases' rules: storage autoscaling has room to grow."""

from __future__ import annotations

from ...codes import Code
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


RULES = (storage,)
