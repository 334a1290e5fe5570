"""``blueprint diff``: what deploying this blueprint would change, offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from .. import diff, pipeline, previous, report
from ..errors import BlueprintError

Format = Literal["text", "json"]


def run(
    path: str,
    out: str = "templates_out",
    against: str | None = None,
    fmt: Format = "text",
    env: str | None = None,
) -> int:
    """Build ``path`` in memory and compare it with the last build in ``out`` (or with
    ``out`` as it was at the git revision ``against``), routes keeping the priorities they
    have there. An environment is compared with its own folder in ``out``; without
    ``env``, each environment in turn. The exit code is the report's (the highest of the
    environments'): 0 no changes, 10 changes, 11 a data-loss risk."""
    old: dict[str | None, Any] = {}

    def priorities(name: str | None) -> Any:
        old[name] = previous.read(Path(out) / name if name else Path(out), against)
        return previous.route_priorities(old[name])

    try:
        each = pipeline.check_each(Path(path), path, env, priorities)
        builds = pipeline.render_each(each)
        changes = [
            (b.checked.environment, previous.compare(b, old[b.checked.environment])) for b in builds
        ]
    except BlueprintError as exc:
        return report.refused(exc, "text")
    several = len(changes) > 1
    if fmt == "json":
        found = {name: diff.as_json(c) for name, c in changes}
        print(json.dumps(found if several else found[changes[0][0]], indent=2))
    else:
        for name, c in changes:
            sys.stdout.write(f"environment {name}:\n" if several else "")
            sys.stdout.write(diff.text(c))
    return max(c.exit_code for _, c in changes)
