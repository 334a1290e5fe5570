"""How long a service runs how many tasks in a month, from its schedules.

The templates say what a service runs; when its schedules fire only the blueprint says.
A service runs its desired count all month unless enabled schedules change it. Their
``cron(...)`` expressions are laid out on one week, each in its own time zone (converted
to UTC with the zone's offset in mid-January, daylight saving ignored); the count a
schedule sets holds until the next one fires, wrapping around the end of the week. The
task-hours of that week x 730/168 are the month's. An expression a week cannot show
prices the service at the largest count it can be set to, all month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ..schedule_expressions import weekly_minutes
from .lines import HOURS_PER_MONTH, num, tasks

if TYPE_CHECKING:
    from ..model.blueprint import Blueprint

HOURS_PER_WEEK = 168.0
#: Weeks in a 730-hour month, so that a service running all week runs 730 hours.
WEEKS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_WEEK
_MINUTES_PER_WEEK = 7 * 24 * 60
#: When time zones are converted to UTC (daylight saving is ignored).
_OFFSET_AT = datetime(2025, 1, 15, 12)


class Share(Protocol):
    """One line of a capacity provider strategy."""

    @property
    def provider(self) -> str: ...
    @property
    def base(self) -> int: ...
    @property
    def weight(self) -> int: ...


@dataclass(frozen=True)
class Running:
    """How many tasks a service runs over a month: task count -> hours a month."""

    hours: Mapping[int, float]
    note: str

    @property
    def task_hours(self) -> float:
        return sum(count * hours for count, hours in self.hours.items())


def _utc_offset_minutes(timezone: str) -> int:
    offset = ZoneInfo(timezone).utcoffset(_OFFSET_AT)
    return int(offset.total_seconds() // 60) if offset is not None else 0


def running(bp: Blueprint, name: str, desired_count: int, *, high: bool = False) -> Running:
    """The hours a month service ``name`` spends at each task count, given its schedules
    and the desired count its template starts it with. For a scaled service
    ``desired_count`` is its min (or, ``high``, its max) and each schedule sets its range:
    the month at the fewest tasks the ranges allow, or at the most."""
    schedules = {k: s for k, s in sorted(bp.schedules.items()) if s.service == name and s.enabled}
    if not schedules:
        return Running({desired_count: HOURS_PER_MONTH}, "")
    events: dict[int, int] = {}
    for key, sched in schedules.items():
        fires = weekly_minutes(sched.expression)
        if fires is None:
            top = max([desired_count, *(s.high for s in schedules.values())])
            return Running(
                {top: HOURS_PER_MONTH},
                f"schedule {key} ({sched.expression}) does not repeat weekly: priced as "
                f"{tasks(top)} all month",
            )
        offset = _utc_offset_minutes(sched.timezone)
        for local in fires:
            at = (local - offset) % _MINUTES_PER_WEEK
            # Two schedules firing in the same minute: count the larger, to be safe.
            events[at] = max(events.get(at, 0), sched.high if high else sched.low)
    times = sorted(events)
    weekly: dict[int, float] = {}
    for i, at in enumerate(times):
        following = times[i + 1] if i + 1 < len(times) else times[0] + _MINUTES_PER_WEEK
        count = events[at]
        weekly[count] = weekly.get(count, 0.0) + (following - at) / 60
    monthly = {c: h * WEEKS_PER_MONTH for c, h in sorted(weekly.items()) if c > 0}
    spans = ", ".join(f"{num(weekly[c])} h/week at {tasks(c)}" for c in monthly) or "never on"
    task_hours = sum(c * h for c, h in monthly.items())
    which = "schedule" if len(schedules) == 1 else "schedules"
    note = f"{which} {', '.join(schedules)}: {spans} -> {num(task_hours)} task-hours/month"
    return Running(monthly, note)


def split(count: int, shares: Sequence[Share]) -> dict[str, float]:
    """Where ECS places ``count`` tasks: each provider's base first, the rest by weight."""
    out = {s.provider: 0.0 for s in shares}
    left = float(count)
    for share in shares:
        taken = min(float(share.base), left)
        out[share.provider] += taken
        left -= taken
    weights = sum(s.weight for s in shares)
    for share in shares:
        if weights:
            out[share.provider] += left * share.weight / weights
        elif share is shares[0]:
            out[share.provider] += left
    return out


def placed(shares: Sequence[Share], run: Running) -> dict[str, float]:
    """Task-hours a month per capacity provider."""
    out: dict[str, float] = {}
    for count, hours in run.hours.items():
        for provider, n in split(count, shares).items():
            out[provider] = out.get(provider, 0.0) + n * hours
    return out
