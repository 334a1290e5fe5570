"""Priced lines, and how quantities read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class Line:
    """One item of the estimate. ``monthly`` is None for a usage-driven price (then
    ``quantity`` is 1 and ``unit_price`` is the price of one ``unit``) and for an item the
    table has no price for in the region (then ``priced`` is False); neither counts in the
    total. ``resources`` are the logical IDs of what the line prices; ``usage`` marks a
    price per unit of use."""

    component: str
    item: str
    quantity: float
    unit: str
    unit_price: float
    monthly: float | None
    note: str = ""
    priced: bool = True
    resources: tuple[str, ...] = ()
    usage: bool = False


def cents(value: float) -> float:
    """Round half up to cents, by the decimal digits Python prints for ``value``."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def unit_price(value: float) -> float:
    """A derived unit price without float noise (0.05056 x 0.3 = 0.015168)."""
    return round(value, 10)


def num(value: float) -> str:
    """A quantity for people: 730, 2,190, 8.69, 0.25, 0.125."""
    if value == int(value):
        return f"{int(value):,}"
    text = f"{value:,.{3 if abs(value) < 1 else 2}f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"


def tasks(count: int) -> str:
    return f"{count} task" + ("" if count == 1 else "s")


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


@dataclass
class Lines:
    """The lines of an estimate as they are made, and the items the table has no
    price for."""

    region: str
    lines: list[Line] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)

    def _missing(self, component: str, item: str, what: str) -> str:
        self.unpriced.append(f"{component}: {item}")
        return f"no price in the table for {what or item} in {self.region}"

    def fixed(
        self,
        component: str,
        item: str,
        quantity: float,
        unit: str,
        price: float | None,
        note: str = "",
        what: str = "",
        resources: tuple[str, ...] = (),
    ) -> None:
        """A cost the blueprint states: quantity x price. ``what`` names the price looked
        up (for the note when the table lacks it)."""
        if price is None:
            note = _joined(self._missing(component, item, what), note)
            line = Line(component, item, quantity, unit, 0.0, None, note, False, resources)
        else:
            monthly = cents(quantity * price)
            line = Line(component, item, quantity, unit, price, monthly, note, True, resources)
        self.lines.append(line)

    def usage(
        self, component: str, item: str, unit: str, price: float | None, note: str = ""
    ) -> None:
        """A cost that depends on use: its price per unit, out of the total."""
        if price is None:
            note = _joined(self._missing(component, item, ""), note)
            self.lines.append(Line(component, item, 1.0, unit, 0.0, None, note, False, (), True))
            return
        self.lines.append(Line(component, item, 1.0, unit, price, None, note, True, (), True))
