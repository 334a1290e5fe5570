"""Tables' rules: capacity only with provisioned billing, a sort key apart from the
partition key."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.checker import Checker, rule


@rule(Code.KEY_MISSING, Code.TABLE_CAPACITY_ON_DEMAND, Code.TABLE_KEY_TWICE)
def tables(c: Checker) -> None:
    for name, table in c.bp.tables.items():
        base: Path = ("tables", name)
        provisioned = table.billing == "provisioned"
        for key in ("read_capacity", "write_capacity"):
            given = getattr(table, key) is not None
            if provisioned and not given:
                c.error(
                    (*base, key),
                    f"missing required key '{key}' (billing: provisioned)",
                    Code.KEY_MISSING,
                    at_key=True,
                )
            if given and not provisioned:
                c.error(
                    (*base, key),
                    f"'{key}' applies only with 'billing: provisioned'",
                    Code.TABLE_CAPACITY_ON_DEMAND,
                )
        if table.sort_key is not None and table.sort_key.name == table.partition_key.name:
            c.error(
                (*base, "sort_key", "name"),
                "the sort key must differ from the partition key",
                Code.TABLE_KEY_TWICE,
            )


RULES = (tables,)
