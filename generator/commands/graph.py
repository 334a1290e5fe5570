"""``blueprint graph``: draw the architecture of the validated blueprint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from .. import graph, pipeline, report
from ..errors import BlueprintError
from ..exits import EXIT_OK

Format = Literal["mermaid", "dot"]


def run(path: str, fmt: Format = "mermaid") -> int:
    """Print the architecture of ``path`` as Mermaid or Graphviz DOT."""
    try:
        # Rendered: the edges are the templates' security-group rules.
        drawing = graph.render(pipeline.check(Path(path), path), fmt)
    except BlueprintError as exc:
        return report.refused(exc, "text")
    sys.stdout.write(drawing)
    return EXIT_OK
