"""Schedules' rules: each names a service that exists, and sets what that service's count
is owned by (its desired count, or the range of its scaling)."""

from __future__ import annotations

from ...codes import Code
from ...model.checker import Checker, rule


@rule(Code.SERVICE_UNKNOWN)
def services(c: Checker) -> None:
    for name, sched in c.bp.schedules.items():
        path = ("schedules", name, "service")
        c.ref(path, "service", sched.service, c.bp.services, Code.SERVICE_UNKNOWN)


@rule(Code.SCHEDULE_SETS)
def sets(c: Checker) -> None:
    for name, sched in c.bp.schedules.items():
        svc = c.bp.services.get(sched.service)
        if svc is None:
            continue
        if svc.scaling is not None and sched.desired_count is not None:
            c.error(
                ("schedules", name, "desired_count"),
                f"service '{sched.service}' has 'scaling': a schedule sets its range with "
                "'min' and 'max', not 'desired_count'",
                Code.SCHEDULE_SETS,
                at_key=True,
            )
        elif svc.scaling is None and sched.desired_count is None:
            c.error(
                ("schedules", name, "min"),
                f"service '{sched.service}' has no 'scaling': a schedule sets its "
                "'desired_count', not 'min' and 'max'",
                Code.SCHEDULE_SETS,
                at_key=True,
            )


RULES = (services, sets)
