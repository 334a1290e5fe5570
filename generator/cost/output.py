"""The estimate as a table for people, and as JSON."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .lines import num

if TYPE_CHECKING:
    from . import Estimate


def _price(value: float) -> str:
    """A unit price with every digit the table has (at least cents), never in exponent
    form: $0.50, $0.0243, $0.0000133334."""
    exact = Decimal(repr(value)).normalize()
    exponent = exact.as_tuple().exponent
    places = 2 if isinstance(exponent, int) and exponent > -2 else None
    return "$" + (f"{exact:.2f}" if places else format(exact, "f"))


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _rows(e: Estimate) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in e.lines:
        if not line.priced:
            how = f"per {line.unit}" if line.usage else f"{num(line.quantity)} {line.unit}"
            amount = "not priced"
        elif line.monthly is None:
            how, amount = f"{_price(line.unit_price)} per {line.unit}", "usage"
        else:
            how = f"{num(line.quantity)} {line.unit} x {_price(line.unit_price)}"
            amount = _money(line.monthly)
        rows.append((line.component, line.item, how, amount))
    return rows


def text(e: Estimate) -> str:
    """The estimate as a table grouped by component, then the total, the table's date and
    the assumptions."""
    rows = _rows(e)
    item_w = max([len(r[1]) for r in rows] + [20])
    how_w = max([len(r[2]) for r in rows] + [10])
    amount_w = max([len(r[3]) for r in rows] + [len(_money(e.total))])
    out = [f"Estimated monthly cost in {e.region} ({e.currency})", ""]
    component = None
    for line, (comp, item, how, amount) in zip(e.lines, rows, strict=True):
        if comp != component:
            out.append(comp)
            component = comp
        out.append(f"  {item:<{item_w}}  {how:<{how_w}}  {amount:>{amount_w}}")
        if line.note:
            out.append(f"      {line.note}")
    width = 2 + item_w + 2 + how_w + 2 + amount_w
    out.append("-" * width)
    label = "total per month"
    out.append(f"  {label:<{item_w + 2 + how_w}}  {_money(e.total):>{amount_w}}")
    outside = (
        "'usage' and 'not priced' lines" if any(not x.priced for x in e.lines) else "'usage' lines"
    )
    out.append(
        f"  prices transcribed {e.prices_date} (sources: prices.json); {outside} are not in "
        "the total"
    )
    out.append("  assumptions:")
    out.extend(f"    - {a}" for a in e.assumptions)
    return "\n".join(out) + "\n"


def as_json(e: Estimate) -> dict[str, Any]:
    """The estimate as JSON-ready data; the lines' ``monthly`` values add up to ``total``;
    a line with ``priced`` false had no price in the table for the region."""
    lines = []
    for line in e.lines:
        fields = asdict(line)
        del fields["resources"], fields["usage"]
        lines.append(fields)
    return {
        "region": e.region,
        "currency": e.currency,
        "prices_date": e.prices_date,
        "assumptions": list(e.assumptions),
        "lines": lines,
        "total": e.total,
    }
