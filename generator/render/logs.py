"""Log groups: one helper for services, functions and API access logs."""

from __future__ import annotations

from troposphere import logs

from ..errors import Path
from .context import Context


def log_group(
    ctx: Context,
    logical_id: str,
    name: str,
    retention_days: int,
    origin: Path,
    *,
    keep: bool = False,
) -> logs.LogGroup:
    """A log group with a fixed name and retention; ``keep`` retains it (access logs, an
    audit trail) when the stack is deleted or the group replaced."""
    group = logs.LogGroup(logical_id, LogGroupName=name, RetentionInDays=retention_days)
    if keep:
        group.DeletionPolicy = "Retain"
        group.UpdateReplacePolicy = "Retain"
    return ctx.add(group, origin)
