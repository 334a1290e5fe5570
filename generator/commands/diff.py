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
    env: str | None = None,
    live: bool = False,
) -> int:
    """Build ``path`` in memory and compare it with the last build in ``out`` (or with
    ``out`` as it was at the git revision ``against``, or with the stacks as deployed when
    ``live``), routes keeping the priorities they have there. An environment is compared
    with its own folder in ``out`` (or its own stacks); without ``env``, each environment
    in turn. The exit code is the report's (the highest of the environments'): 0 no
    changes, 10 changes, 11 a data-loss risk, 12 the deploy would fail."""
    try:
        old = _deployed(path, env) if live else {}

        def priorities(name: str | None) -> pipeline.Last:
            if not live:
                old[name] = previous.read(Path(out) / name if name else Path(out), against)
            was = old.get(name, {})  # live: only the environment compared was read
            return previous.route_priorities(was), previous.zone_stacks(was), previous.rule_ids(was)

        builds = pipeline.render_each(pipeline.check_each(Path(path), path, env, priorities))
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
            if fmt == "tsv":
                sys.stdout.write(diff.tsv(c))
                continue
            sys.stdout.write(f"environment {name}:\n" if several else "")
            sys.stdout.write(diff.text(c))
    return max(c.exit_code for _, c in changes)


def _deployed(path: str, env: str | None) -> dict[str | None, dict[str, dict[str, Any]]]:
    """Per environment, the deployed templates of the stacks it makes, and of the others
    tagged as its own. Which stacks it makes is known once it is built, and the build needs
    the route priorities the deployed stacks hold: a first build without them names the
    stacks (the priorities change no stack's name or region)."""
    first = pipeline.render_each(pipeline.check_each(Path(path), path, env))
    for b in first:
        if b.checked.account is not None:
            deployed.check_account(
                b.checked.environment, b.checked.account, b.checked.blueprint.region
            )
    return {
        b.checked.environment: deployed.read(
            b.checked.blueprint.name, [(s.name, s.region) for s in b.stacks]
        )
        for b in first
    }
