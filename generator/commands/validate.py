"""``blueprint validate``: check the blueprint, write nothing."""

from __future__ import annotations

from pathlib import Path

from .. import environments, pipeline, report
from ..errors import BlueprintError
from ..exits import EXIT_INVALID, EXIT_OK


def run(
    path: str, fmt: report.Format = "text", strict: bool = False, env: str | None = None
) -> int:
    """Validate ``path`` (as typed: messages show it so) and render it in memory, without
    lint: names that collide as logical IDs and pins that name nothing are found there.
    A blueprint with environments: the one ``env`` names, or each of them."""
    try:
        builds = pipeline.render_each(pipeline.check_each(Path(path), path, env))
    except BlueprintError as exc:
        return report.refused(exc, fmt)
    checked = [b.checked for b in builds]
    warnings = environments.together([(b.checked.environment, b.warnings) for b in builds])
    report.problems_stream(fmt).write(report.formatted(warnings, fmt))
    if report.failed(warnings, strict):
        return EXIT_INVALID
    if fmt == "text":
        named = [c.environment for c in checked if c.environment]
        where = f" (environment{'s' if len(named) > 1 else ''} {', '.join(named)})" if named else ""
        print(f"{path}: valid{where} ({len(warnings)} warning(s))")
    return EXIT_OK
