"""Schedules' rules: each names a service that exists."""

from __future__ import annotations

from ...codes import Code
from ...model.checker import Checker, rule


@rule(Code.SERVICE_UNKNOWN)
def services(c: Checker) -> None:
    for name, sched in c.bp.schedules.items():
        path = ("schedules", name, "service")
        c.ref(path, "service", sched.service, c.bp.services, Code.SERVICE_UNKNOWN)


RULES = (services,)
