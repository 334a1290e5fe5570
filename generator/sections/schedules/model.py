"""EventBridge Scheduler schedules that act on services."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator, Field

from ... import schedule_expressions
from ...codes import Code
from ...errors import shown, suggest
from ...model.base import Strict
from ...model.types import Name, refuse

# --- named types of this section: when a schedule fires ------------------------------


@cache
def _zones() -> frozenset[str]:
    text = resources.files("tzdata").joinpath("zones").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def _timezone(value: str) -> str:
    if value != "UTC" and value not in _zones():
        raise refuse(
            Code.TIMEZONE_UNKNOWN,
            f"{shown(value)} is not an IANA time zone like 'Asia/Tokyo'{suggest(value, _zones())}",
        )
    return value


Timezone = Annotated[str, AfterValidator(_timezone)]
"""An IANA time zone name, e.g. ``Asia/Tokyo`` or ``UTC``."""


def _schedule(value: str) -> str:
    try:
        schedule_expressions.parse(value)
    except schedule_expressions.ExpressionError as exc:
        raise refuse(Code.SCHEDULE_INVALID, exc.message) from None
    return value


ScheduleExpression = Annotated[str, AfterValidator(_schedule)]
"""``cron(min hour day-of-month month day-of-week year)``, ``rate(n unit)`` or ``at(...)``."""


class Schedule(Strict):
    """Set a service's desired count at given times, e.g. start it on weekend mornings.

    Rendered as an EventBridge Scheduler schedule calling ``ecs:updateService`` through the
    universal target, with a role allowed to update that one service. No Lambda.
    """

    expression: ScheduleExpression
    """``cron(0 8 ? * SAT,SUN *)``, ``rate(1 hour)`` or ``at(2026-12-31T23:00:00)``."""

    timezone: Timezone = "UTC"
    """The IANA time zone the expression is read in, e.g. ``Asia/Tokyo``."""

    service: Name
    """The service whose desired count is set."""

    desired_count: int = Field(ge=0, le=1000)
    """The desired count to set."""

    enabled: bool = True
    """Disable the schedule without deleting it."""
