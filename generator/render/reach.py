"""Who may connect to what, beyond load balancers: ``allow_from`` on databases, caches
and file systems, services mounting file systems, and ``ssh_from``. Runs last, when every
security group exists."""

from __future__ import annotations

from . import security
from .context import Context


def render(ctx: Context) -> None:
    for r in ctx.resolved.reach:
        source = ctx.groups[r.source]
        target = ctx.groups[r.target]
        what = f"{r.source[1]} to {r.target[1]}"
        security.allow(ctx, source, target, r.low, what, r.origin, to_port=r.high)
