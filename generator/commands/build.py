"""``blueprint build``: validate, render, lint every template and only then write them.

A build whose inputs and output folder are those of the last one prints what that one
printed and writes nothing, without importing pydantic, troposphere or cfn-lint (see
:mod:`generator.uptodate`): this module imports the pipeline only past that point.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import report, runtime, uptodate
from ..errors import BlueprintError
from ..exits import EXIT_INVALID, EXIT_LINT, EXIT_OK, EXIT_STALE, EXIT_WORKER_LOST

if TYPE_CHECKING:
    from ..errors import Problem
    from ..pipeline import Build
    from ..runtime import Workers


@dataclass(frozen=True)
class Options:
    """``blueprint build [PATH] [--out DIR] [--format F] [--strict] [--check] [--env E]``."""

    #: the blueprint, as typed (messages and deploy.sh show it so)
    path: str = "blueprint.yaml"
    #: where templates go, as typed (an environment's go into its folder there)
    out: str = "templates_out"
    format: report.Format = "text"
    #: warnings fail the build
    strict: bool = False
    #: write nothing; exit 5 when ``out`` differs from what this build writes
    check: bool = False
    #: the one environment to build (all of them, when the blueprint has some, if None)
    env: str | None = None

    @property
    def folder(self) -> str:
        """Where this build writes: ``out``, or the environment's folder in it."""
        return str(Path(self.out) / self.env) if self.env else self.out

    @property
    def key(self) -> str:
        """The options that change what a build writes or prints (see
        :func:`generator.uptodate.key`)."""
        return uptodate.key(self.path, self.folder, self.format, self.strict)


def run(options: Options) -> int:
    """Build, or replay the last build when nothing it read or wrote has changed."""
    path = Path(options.path)
    if not options.check:
        record = uptodate.recorded(path, Path(options.folder), options.key)
        if record is not None:
            sys.stderr.write(record.stderr)
            sys.stdout.write(record.stdout)
            return EXIT_OK
    try:
        with runtime.lint_workers(path) as workers:
            return _full(options, path, workers)
    except runtime.LintWorkerLost as exc:  # said once its workers have all ended
        print(f"blueprint: {exc}; nothing was written", file=sys.stderr)
        return EXIT_WORKER_LOST


def _full(options: Options, path: Path, workers: Workers | None) -> int:
    from .. import environments, pipeline, previous

    out = Path(options.out)
    last: dict[str | None, dict[str, dict[str, Any]] | None] = {}

    def priorities(env: str | None) -> pipeline.Last:
        last[env] = _last_build(_folder(out, env))
        was = last[env] or {}
        return previous.route_priorities(was), previous.zone_stacks(was), previous.rule_ids(was)

    try:
        builds = pipeline.render_each(
            pipeline.check_each(path, options.path, options.env, priorities)
        )
    except BlueprintError as exc:
        return report.refused(exc, options.format)
    shown = sum(len(b.stacks) for b in builds) > 1 and sys.stderr.isatty()
    for build in builds:
        with _Progress() as progress:
            pipeline.lint(build, progress if shown else None, workers)
    found = [(b.checked.environment, [*b.warnings, *b.lint_problems]) for b in builds]
    moved = _stacks_renamed(path, options.path, out, builds)
    printed = report.formatted([*environments.together(found), *moved], options.format)
    report.problems_stream(options.format).write(printed)
    if any(report.failed(b.lint_problems, options.strict) for b in builds):
        print(f"{options.path}: cfn-lint found problems; nothing was written", file=sys.stderr)
        return EXIT_LINT
    if any(report.failed(b.warnings, options.strict) for b in builds):
        return EXIT_INVALID
    if options.check:
        return max(_check_fresh(b, _folder(out, b), options.path, options.format) for b in builds)
    for build in builds:
        _warn_data_loss(build, last[build.checked.environment], _folder(out, build))
    pipeline.write_each([(b, _folder(out, b)) for b in builds])
    summary = "".join(_summary(b, _folder(out, b)) for b in builds)
    report.summary_stream(options.format).write(summary)
    if len(builds) == 1:  # a build of several environments is not replayed
        # replayed as printed: problems on their stream, the summary on the other
        stdout, stderr = (summary, printed) if options.format == "text" else (printed, summary)
        folder = _folder(out, builds[0])
        uptodate.remember(path, folder, options.key, builds[0], stdout=stdout, stderr=stderr)
    return EXIT_OK


def _stacks_renamed(path: Path, display: str, out: Path, builds: list[Build]) -> list[Problem]:
    """A warning, at ``environments``, when ``out`` holds a build of this blueprint made
    before it had environments: each environment's stacks have names of their own
    (``notes-dev``), so the stacks deployed from that build (``notes``) are left behind
    and new ones made; ``name:`` in an environment keeps the old ones."""
    from .. import environments, loader
    from ..codes import Code
    from ..errors import Issue, Severity

    if not builds or builds[0].checked.environment is None:
        return []
    document = loader.load(path, display)
    base = document.data.get("name")
    if not isinstance(base, str) or not (out / f"{base}.json").is_file():
        return []
    if any(b.checked.blueprint.name == base for b in builds):
        return []  # an environment keeps the stacks
    names = ", ".join(b.checked.blueprint.name for b in builds)
    message = (
        f"{out}/ holds this blueprint's build without environments, stack {base}; with "
        f"environments its stacks are new ones ({names}) and the deployed {base} is left "
        f"behind: to keep deploying to it, set 'name: {base}' in the environment that "
        "should keep it"
    )
    issue = Issue(
        (environments.KEY,), message, Severity.WARNING, code=Code.ENVIRONMENTS_RENAME, at_key=True
    )
    return [document.locate(issue)]


def _folder(out: Path, of: Build | str | None) -> Path:
    """The folder of an environment's build: its own, in ``out``."""
    env = of if of is None or isinstance(of, str) else of.checked.environment
    return out / env if env else out


class _Progress:
    """A one-line lint counter on a terminal. A build stopped part-way (Ctrl-C, an
    internal error) ends the counter's line first, so that the message saying why stands
    on a line of its own."""

    def __init__(self) -> None:
        self.open = False

    def __call__(self, done: int, total: int) -> None:
        self.open = done < total
        end = "" if self.open else "\n"
        sys.stderr.write(f"\rcfn-lint: {done}/{total} templates{end}")
        sys.stderr.flush()

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.open = False


def _check_fresh(build: Build, out: Path, source: str, fmt: report.Format) -> int:
    from ..output import differences

    stale = differences(out, build.files)
    if stale:
        print(
            f"{out}/ is stale: {', '.join(stale)} differ from what {source} builds; "
            "run `blueprint build` and commit the result",
            file=sys.stderr,
        )
        return EXIT_STALE
    print(f"{out}/ is fresh", file=report.summary_stream(fmt))
    return EXIT_OK


def _last_build(out: Path) -> dict[str, dict[str, Any]] | None:
    """The templates the last build wrote into ``out``: what the data-loss warning compares
    with, and the route priorities and zones' stacks this build keeps. None, after one
    line saying why, when they cannot be read: the build goes on as a fresh one."""
    from .. import previous

    try:
        return previous.from_folder(out)
    except BlueprintError as exc:
        print(
            f"warning: cannot compare with the last build, and routes without 'priority:' "
            f"get theirs afresh (and created zones go to the zones stack): "
            f"{exc.problems[0].text()}",
            file=sys.stderr,
        )
        return None


def _warn_data_loss(build: Build, last: dict[str, dict[str, Any]] | None, out: Path) -> None:
    """One line when this build would replace or remove stateful resources."""
    from .. import previous

    if last is None:
        return
    changes = previous.compare(build, last)
    if changes.data_loss:
        names = ", ".join(f"{stack}/{r.logical_id}" for stack, r in changes.data_loss)
        print(
            f"warning: compared with {out}/, this build replaces or removes stateful "
            f"resources ({names}); run `blueprint diff` before deploying",
            file=sys.stderr,
        )


def _summary(build: Build, out: Path) -> str:
    """What a build that wrote ``out`` prints: a line per stack, then how to deploy."""
    lines = []
    for stack in build.stacks:
        findings = build.lint.get(stack.name, [])
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = len(findings) - errors
        verdict = f"cfn-lint {errors} error(s) {warnings} warning(s)"
        if stack.name in build.lint_by_shape:  # clean: cfn-lint did not lint this one
            lead = build.lint_by_shape[stack.name]
            verdict = f"clean by shape of {lead}" if lead else "clean by shape of an earlier build"
        lines.append(
            f"stack {stack.name} ({stack.region}): {stack.resources} resources, "
            f"{verdict} -> {out / stack.file}\n"
        )
    lines.extend(f"{note}\n" for note in build.override_notes)
    lines.append(f"deploy: bash {out / 'deploy.sh'}\n")
    return "".join(lines)
