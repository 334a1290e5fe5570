"""``blueprint graph``: draw the architecture of the validated blueprint."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from .. import graph, pipeline, report
from ..errors import BlueprintError
from ..exits import EXIT_OK

Format = Literal["mermaid", "dot"]

#: A comment line in each format, naming the environment of the drawing that follows.
_COMMENT = {"mermaid": "%% environment {}\n", "dot": "// environment {}\n"}


def run(path: str, fmt: Format = "mermaid", env: str | None = None) -> int:
    """Print the architecture of ``path`` as Mermaid or Graphviz DOT; of each environment
    in turn (each after a comment naming it) unless ``env`` names one."""
    try:
        # Rendered: the edges are the templates' security-group rules.
        each = pipeline.check_each(Path(path), path, env)
        drawings = [(c.environment, graph.render(c, fmt)) for c in each]
    except BlueprintError as exc:
        return report.refused(exc, "text")
    for name, drawing in drawings:
        sys.stdout.write(_COMMENT[fmt].format(name) if name and len(drawings) > 1 else "")
        sys.stdout.write(drawing)
    return EXIT_OK
