"""EventBridge Scheduler schedules that act on services."""

from functools import cache
from importlib import resources
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

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
    """Change a service's count at given times, e.g. start it on weekend mornings.

    For a service without ``scaling``, ``desired_count`` is set by an EventBridge Scheduler
    schedule calling ``ecs:updateService`` through the universal target, with a role
    allowed to update that one service (no Lambda). For a service with ``scaling``, ``min``
    and ``max`` are set by an Application Auto Scaling scheduled action on its scalable
    target, and the scaling policies move the count inside that range.
    """

    expression: ScheduleExpression
    """``cron(0 8 ? * SAT,SUN *)``, ``rate(1 hour)`` or ``at(2026-12-31T23:00:00)``."""

    timezone: Timezone = "UTC"
    """The IANA time zone the expression is read in, e.g. ``Asia/Tokyo``."""

    service: Name
    """The service whose count is set."""

    desired_count: int | None = Field(default=None, ge=0, le=1000)
    """The desired count to set, for a service without ``scaling``."""

    min: int | None = Field(default=None, ge=0, le=1000)
    """The new ``scaling.min``, for a service with ``scaling`` (give ``max`` too)."""

    max: int | None = Field(default=None, ge=0, le=1000)
    """The new ``scaling.max``, for a service with ``scaling``; ``min: 0, max: 0`` stops
    it."""

    enabled: bool = True
    """Disable the schedule without deleting it."""

    @model_validator(mode="after")
    def _sets_one_thing(self) -> Self:
        ranged = (self.min is not None, self.max is not None)
        if ranged != ((False, False) if self.desired_count is not None else (True, True)):
            raise PydanticCustomError(
                Code.SCHEDULE_SETS,
                "a schedule sets 'desired_count' (a service without scaling), or 'min' and "
                "'max' (a service with scaling)",
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                Code.SCALING_RANGE,
                "min {min} is above max {max}; min is the fewest tasks, max the most",
                {"min": self.min, "max": self.max},
            )
        return self

    @property
    def low(self) -> int:
        """The fewest tasks the schedule leaves running: its count, or its ``min``."""
        return self.desired_count if self.desired_count is not None else self.min or 0

    @property
    def high(self) -> int:
        """The most tasks the schedule allows: its count, or its ``max``."""
        return self.desired_count if self.desired_count is not None else self.max or 0
