"""Log groups: one helper for services, functions and API access logs."""

from __future__ import annotations

from troposphere import logs

from ..errors import Path
from .context import Context


def log_group(
    ctx: Context,
    logical_id: str,
    name: str | None,
    retention_days: int,
    origin: Path,
    *,
    keep: bool = False,
) -> logs.LogGroup:
    """A log group with a retention and, unless ``name`` is None, a fixed name; ``keep``
    retains it (access logs, an audit trail) when the stack is deleted or the group
    replaced, and should go without a fixed name, so that a re-created stack does not
    collide with the group it left behind."""
    group = logs.LogGroup(logical_id, RetentionInDays=retention_days)
    if name is not None:
        group.LogGroupName = name
    if keep:
        group.DeletionPolicy = "Retain"
        group.UpdateReplacePolicy = "Retain"
    return ctx.add(group, origin)
