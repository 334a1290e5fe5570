"""``blueprint cost``: estimate what the blueprint costs a month."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

from .. import cost, pipeline, report
from ..errors import BlueprintError
from ..exits import EXIT_OK

Format = Literal["text", "json"]


def run(path: str, fmt: Format = "text", env: str | None = None) -> int:
    """Print the monthly estimate for ``path``, per component, as a table or JSON; for
    each environment in turn (JSON: by name) unless ``env`` names one."""
    try:
        # Rendered: the estimate prices what the templates make.
        each = pipeline.check_each(Path(path), path, env)
        estimates = [(c.environment, cost.estimate(c)) for c in each]
    except BlueprintError as exc:
        return report.refused(exc, "text")
    several = len(estimates) > 1
    if fmt == "json":
        found = {name: cost.as_json(e) for name, e in estimates}
        print(json.dumps(found if several else found[estimates[0][0]], indent=2))
        return EXIT_OK
    for name, estimate in estimates:
        sys.stdout.write(f"environment {name}:\n" if several else "")
        sys.stdout.write(cost.text(estimate))
    return EXIT_OK
