"""Tables' rules: capacity only with provisioned billing, within DynamoDB's default
quotas, a sort key apart from the partition key."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.checker import Checker, rule

#: DynamoDB's default quotas on provisioned capacity, for reads and for writes each: per
#: table and per account in a region (adjustable; a table past them fails to create).
#: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
TABLE_QUOTA = 40_000
ACCOUNT_QUOTA = 80_000

_ASK = "ask for a higher quota before deploying (Service Quotas, DynamoDB)"


@rule(Code.TABLE_CAPACITY_QUOTA)
def capacity_quotas(c: Checker) -> None:
    """Warnings: the quota can be raised, and the account's other tables are unknown here."""
    for key in ("read_capacity", "write_capacity"):
        units = key.split("_")[0]
        total = 0
        for name, table in sorted(c.bp.tables.items()):
            given: int | None = getattr(table, key)
            if given is None or table.billing != "provisioned":
                continue
            total += given
            if given > TABLE_QUOTA:
                c.warn(
                    ("tables", name, key),
                    f"{given} {units} capacity units are over DynamoDB's default quota of "
                    f"{TABLE_QUOTA} a table; {_ASK}, or the table will not be created",
                    Code.TABLE_CAPACITY_QUOTA,
                )
            elif total > ACCOUNT_QUOTA:
                c.warn(
                    ("tables", name, key),
                    f"with this table the blueprint's tables hold {total} {units} capacity "
                    f"units, over DynamoDB's default quota of {ACCOUNT_QUOTA} an account in a "
                    f"region; {_ASK}, or the tables past it will not be created",
                    Code.TABLE_CAPACITY_QUOTA,
                )


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


RULES = (tables, capacity_quotas)
