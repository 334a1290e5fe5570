"""``blueprint diff``: what deploying this blueprint would change, offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

from .. import diff, pipeline, previous, report
from ..errors import BlueprintError

Format = Literal["text", "json"]


def run(
    path: str, out: str = "templates_out", against: str | None = None, fmt: Format = "text"
) -> int:
    """Build ``path`` in memory and compare it with the last build in ``out`` (or with
    ``out`` as it was at the git revision ``against``), routes keeping the priorities they
    have there. The exit code is the report's: 0 no changes, 10 changes, 11 a data-loss
    risk."""
    try:
        old = previous.read(Path(out), against)
        checked = pipeline.check(
            Path(path), path, previous.route_priorities(old), previous.zone_stacks(old)
        )
        changes = previous.compare(pipeline.render(checked), old)
    except BlueprintError as exc:
        return report.refused(exc, "text")
    if fmt == "json":
        print(json.dumps(diff.as_json(changes), indent=2))
    else:
        sys.stdout.write(diff.text(changes))
    return changes.exit_code
