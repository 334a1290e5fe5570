"""EventBridge Scheduler schedules that act on services."""

from __future__ import annotations

from pydantic import Field

from ...model.base import Strict
from ...model.types import Name, ScheduleExpression, Timezone


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
