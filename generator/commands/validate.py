"""``blueprint validate``: check the blueprint, write nothing."""

from __future__ import annotations

from pathlib import Path

from .. import pipeline, report
from ..errors import BlueprintError
from ..exits import EXIT_INVALID, EXIT_OK


def run(path: str, fmt: report.Format = "text", strict: bool = False) -> int:
    """Validate ``path`` (as typed: messages show it so) and render it in memory, without
    lint: names that collide as logical IDs and pins that name nothing are found there."""
    try:
        checked = pipeline.check(Path(path), path)
        pipeline.render(checked)
    except BlueprintError as exc:
        return report.refused(exc, fmt)
    report.problems_stream(fmt).write(report.formatted(checked.warnings, fmt))
    if report.failed(checked.warnings, strict):
        return EXIT_INVALID
    if fmt == "text":
        print(f"{path}: valid ({len(checked.warnings)} warning(s))")
    return EXIT_OK
