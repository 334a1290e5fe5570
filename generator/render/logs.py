"""Log groups: one helper for services, functions and API access logs."""

from __future__ import annotations

from troposphere import logs

from ..errors import Path
from . import scanner
from .context import Context
from .stateful import RETAIN, protect


def log_group(ctx: Context, logical_id: str, retention_days: int, origin: Path) -> logs.LogGroup:
    """A log group with a retention, kept when the stack is deleted or the group replaced
    (logs are evidence). It takes a generated name, so that a re-created stack does not
    collide with a group an earlier one left behind. CloudWatch Logs encrypts it with its
    own key (see scanner.SKIPS)."""
    group = protect(logs.LogGroup(logical_id, RetentionInDays=retention_days), RETAIN)
    scanner.skip(group, "log-group-key")
    return ctx.add(group, origin)
