"""EventBridge Scheduler expressions: ``cron(...)``, ``rate(...)`` and ``at(...)``.

One parser serves validation (which reports what is wrong, in words a reader of the
blueprint understands) and the cost estimate (which lays a cron expression out on a week).
Pure: no pydantic, no clock, no files.

The grammar is EventBridge Scheduler's: six cron fields (minutes, hours, day-of-month,
month, day-of-week counted 1-7 from Sunday, year), exactly one of the two day fields
``?``; ``rate(n minutes|hours|days)`` with the unit singular for 1; ``at(yyyy-mm-ddThh:mm:ss)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import shown

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# name, low, high, names, extra single-token forms
_CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("minutes", 0, 59, (), ()),
    ("hours", 0, 23, (), ()),
    ("day-of-month", 1, 31, (), ("?", "L", "W")),
    ("month", 1, 12, MONTHS, ()),
    ("day-of-week", 1, 7, DAYS, ("?", "L")),
    ("year", 1970, 2199, (), ()),
)
_MINUTES_PER_DAY = 24 * 60


class ExpressionError(ValueError):
    """What is wrong with an expression, as the sentence validation reports."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Cron:
    """The six fields of ``cron(...)``, as written."""

    minutes: str
    hours: str
    day_of_month: str
    month: str
    day_of_week: str
    year: str


@dataclass(frozen=True)
class Rate:
    """``rate(value unit)``; ``unit`` as written (``minute``, ``hours``, ...)."""

    value: int
    unit: str


@dataclass(frozen=True)
class At:
    """``at(...)``: one time, in the schedule's own time zone."""

    when: datetime


Expression = Cron | Rate | At


def _cron_value(token: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if token.upper() in names:
        return True
    return token.isdigit() and low <= int(token) <= high


def _cron_part(part: str, low: int, high: int, names: tuple[str, ...], dow: bool) -> bool:
    if dow and re.fullmatch(r"[1-7]#[1-5]", part):
        return True
    if dow and re.fullmatch(r"[1-7]L", part):
        return True
    if re.fullmatch(r"([1-9]|[12]\d|3[01])W|LW", part):
        return not dow
    base, _, step = part.partition("/")
    if step and not (step.isdigit() and int(step) > 0):
        return False
    if base == "*":
        return True
    ends = base.split("-")
    if len(ends) > 2:
        return False
    return all(_cron_value(e, low, high, names) for e in ends)


def cron_problem(body: str) -> str | None:
    """What is wrong with the body of ``cron(...)``, or None."""
    parts = body.split()
    if len(parts) != 6:
        return (
            f"has {len(parts)} fields; EventBridge cron takes 6: minutes hours day-of-month "
            "month day-of-week year, e.g. cron(0 8 ? * SAT,SUN *)"
        )
    for text, (name, low, high, names, singles) in zip(parts, _CRON_FIELDS, strict=True):
        if text in singles:
            continue
        dow = name == "day-of-week"
        if not all(_cron_part(p, low, high, names, dow) for p in text.split(",")):
            named = f" or {names[0]}-{names[-1]}" if names else ""
            note = " (EventBridge counts days 1-7 from Sunday)" if dow else ""
            return (
                f"field {name} {shown(text)} is not valid: allowed {low}-{high}{named}, "
                f"combined with , - * /{note}"
            )
    if (parts[2] == "?") == (parts[4] == "?"):
        return (
            "exactly one of day-of-month and day-of-week must be '?', "
            "e.g. cron(0 8 ? * SAT,SUN *) or cron(0 8 1 * ? *)"
        )
    return None


def _rate(value: str, body: str) -> Rate:
    rate = re.fullmatch(r"(\d+) (minutes?|hours?|days?)", body.strip())
    if not rate or int(rate.group(1)) < 1:
        raise ExpressionError(
            f"{shown(value)} is not a rate: write rate(5 minutes), rate(1 hour) or rate(2 days)"
        )
    singular = int(rate.group(1)) == 1
    if singular == rate.group(2).endswith("s"):
        unit = rate.group(2).rstrip("s") + ("" if singular else "s")
        raise ExpressionError(f"{shown(value)}: did you mean 'rate({rate.group(1)} {unit})'?")
    return Rate(int(rate.group(1)), rate.group(2))


def parse(value: str) -> Expression:
    """The expression ``value`` states; :class:`ExpressionError` says what is wrong."""
    # EventBridge Scheduler takes the expression exactly, in ASCII: a space around it, or
    # a digit of another script (which str.isdigit and \d accept), is refused
    # (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html).
    if value != value.strip():
        raise ExpressionError(f"{shown(value)} starts or ends with a space; remove it")
    if not value.isascii():
        odd = next(ch for ch in value if not ch.isascii())
        raise ExpressionError(
            f"{shown(value)} holds {shown(odd)}, which is not ASCII: write digits as 0-9"
        )
    match = re.fullmatch(r"(cron|rate|at)\((.*)\)", value)
    if not match:
        raise ExpressionError(
            f"{shown(value)} is not a schedule expression: write cron(...), rate(...) or at(...)"
        )
    kind, body = match.groups()
    if kind == "cron":
        wrong = cron_problem(body)
        if wrong:
            raise ExpressionError(f"{shown(value)}: {wrong}")
        return Cron(*body.split())
    if kind == "rate":
        return _rate(value, body)
    try:
        return At(datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        raise ExpressionError(
            f"{shown(value)} is not a one-time schedule: write at(2026-12-31T23:00:00)"
        ) from None


def _values(text: str, low: int, high: int, names: Sequence[str] = ()) -> set[int] | None:
    """The values a cron field takes (``*``, lists, ranges, steps, names); None for the
    forms a week cannot show (``L``, ``W``, ``#``)."""

    def value(token: str) -> int | None:
        if token.upper() in names:
            return list(names).index(token.upper()) + low
        return int(token) if token.isdigit() and low <= int(token) <= high else None

    out: set[int] = set()
    for part in text.split(","):
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if base == "*":
            first, last = low, high
        else:
            ends = base.split("-")
            numbers = [n for n in (value(t) for t in ends) if n is not None]
            if len(numbers) != len(ends) or len(ends) > 2:
                return None
            first = numbers[0]
            # "5/15" runs from 5 to the field's end; "5" alone is just 5.
            last = numbers[1] if len(numbers) == 2 else (high if slash else first)
        if first <= last:
            span = list(range(first, last + 1))
        else:  # a range wraps around the field's end: FRI-MON is FRI, SAT, SUN, MON
            span = [*range(first, high + 1), *range(low, last + 1)]
        out.update(span[::step])
    return out


def weekly_minutes(expression: str) -> list[int] | None:
    """When a ``cron(...)`` expression fires in one week, as minutes from Sunday 00:00 in
    its own time zone; None for an expression a week cannot show (rate, at, days of the
    month, months, years, ``L``/``W``/``#``) or one that is not valid."""
    try:
        parsed = parse(expression)
    except ExpressionError:
        return None
    if not isinstance(parsed, Cron) or parsed.month != "*" or parsed.year != "*":
        return None
    if parsed.day_of_month == "?":
        days = _values(parsed.day_of_week, 1, 7, DAYS)
    elif parsed.day_of_month == "*":
        days = set(range(1, 8))
    else:
        return None
    minutes = _values(parsed.minutes, 0, 59)
    hours = _values(parsed.hours, 0, 23)
    if days is None or minutes is None or hours is None:
        return None
    return sorted(
        (d - 1) * _MINUTES_PER_DAY + h * 60 + m for d in days for h in hours for m in minutes
    )
