"""``blueprint diff``: what deploying this blueprint would change, offline against the last
build, or against the stacks as deployed (``--deployed``, with the AWS CLI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from .. import deployed, diff, pipeline, previous, report
from ..errors import BlueprintError

Format = Literal["text", "json", "tsv"]


def run(
    path: str,
    out: str = "templates_out",
    against: str | None = None,
    fmt: Format = "text",
    live: bool = False,
) -> int:
    """Build ``path`` in memory and compare it with the last build in ``out`` (or with
    ``out`` as it was at the git revision ``against``, or with the stacks as deployed when
    ``live``), routes keeping the priorities they have there. The exit code is the
    report's: 0 no changes, 10 changes, 11 a data-loss risk, 12 the deploy would fail."""
    try:
        old = _deployed(path) if live else previous.read(Path(out), against)
        checked = pipeline.check(Path(path), path, previous.route_priorities(old))
        changes = previous.compare(pipeline.render(checked), old)
    except BlueprintError as exc:
        return report.refused(exc, "text")
    if fmt == "json":
        print(json.dumps(diff.as_json(changes), indent=2))
    elif fmt == "tsv":
        sys.stdout.write(diff.tsv(changes))
    else:
        sys.stdout.write(diff.text(changes))
    return changes.exit_code


def _deployed(path: str) -> dict[str, dict[str, Any]]:
    """The deployed templates of the stacks this blueprint makes, and of the others tagged
    as its own. Which stacks it makes is known once it is built, and the build needs the
    route priorities the deployed stacks hold: a first build without them names the stacks
    (the priorities change no stack's name or region)."""
    first = pipeline.render(pipeline.check(Path(path), path))
    name = first.checked.blueprint.name
    return deployed.read(name, [(s.name, s.region) for s in first.stacks])
