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


def run(path: str, fmt: Format = "text") -> int:
    """Print the monthly estimate for ``path``, per component, as a table or JSON."""
    try:
        # Rendered: the estimate prices what the templates make.
        estimate = cost.estimate(pipeline.check(Path(path), path))
    except BlueprintError as exc:
        return report.refused(exc, "text")
    if fmt == "json":
        print(json.dumps(cost.as_json(estimate), indent=2))
    else:
        sys.stdout.write(cost.text(estimate))
    return EXIT_OK
