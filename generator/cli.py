"""The command line: ``blueprint build``, ``validate``, ``diff``, ``schema``, ``init``,
``graph`` and ``cost``. Exit codes: :mod:`generator.exits`; problems are printed by
:mod:`generator.report`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import report, runtime, uptodate
from .errors import BlueprintError, InternalError
from .exits import EXIT_INVALID, EXIT_LINT, EXIT_OK, EXIT_STALE, EXIT_USAGE

if TYPE_CHECKING:  # the pipeline is imported lazily, by the commands that need it
    from .lint import Workers
    from .pipeline import Build, Checked


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="blueprint",
        description="One blueprint.yaml in, linted "
        "CloudFormation templates and a deploy script out.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, text in (
        ("build", "validate, render, lint and write the templates"),
        ("validate", "check the blueprint only; write nothing"),
    ):
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument(
            "path",
            nargs="?",
            default="blueprint.yaml",
            help="the blueprint (default: ./blueprint.yaml)",
        )
        cmd.add_argument(
            "--format",
            choices=report.FORMATS,
            default="text",
            help="how problems are printed (default: text)",
        )
        cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
        if name == "build":
            cmd.add_argument(
                "--out",
                default="templates_out",
                help="where templates go (default: templates_out/)",
            )
            cmd.add_argument(
                "--check",
                action="store_true",
                help="write nothing; exit 5 if --out differs from what this build writes "
                "(for CI and pre-commit)",
            )
    diff = sub.add_parser(
        "diff",
        help="what deploying this blueprint would change, offline",
        description="Build in memory and compare with the last build (or with it as it was "
        "at a git revision): per resource added, removed, changed in place, replaced or maybe "
        "replaced, with data-loss risks. Exit codes: 0 no changes, 10 changes, 11 data-loss "
        "risk; 1, 3 and 4 as for build.",
    )
    diff.add_argument("path", nargs="?", default="blueprint.yaml", help="the blueprint")
    diff.add_argument(
        "--out", default="templates_out", help="the last build (default: templates_out/)"
    )
    diff.add_argument(
        "--against", metavar="REF", help="compare with --out as it was at this git revision"
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")
    schema = sub.add_parser(
        "schema",
        help="write the blueprint JSON schema (for editors and CI)",
        description="Write the JSON schema of blueprint files, generated from the models. "
        "Point an editor at it with the first line "
        "'# yaml-language-server: $schema=blueprint.schema.json'.",
    )
    schema.add_argument(
        "--out",
        default="blueprint.schema.json",
        help="where to write it (default: blueprint.schema.json; - for stdout)",
    )
    init = sub.add_parser(
        "init",
        help="start a blueprint from one of the shipped examples",
        description="Write a starter blueprint from a shipped example, with its JSON schema "
        "beside it and the files it names. Nothing that is already there is overwritten "
        "unless --force says so.",
    )
    init.add_argument("path", nargs="?", default="blueprint.yaml", help="where to write it")
    init.add_argument("--example", default=None, help="which example (see --list)")
    init.add_argument("--list", action="store_true", help="name the examples and stop")
    init.add_argument("--force", action="store_true", help="replace files already there")
    graph = sub.add_parser(
        "graph",
        help="draw the architecture (Mermaid or Graphviz DOT)",
        description="Draw the validated blueprint: entry points, compute, data, schedules "
        "and events, and the traffic the security groups allow, by subnet tier.",
    )
    graph.add_argument("path", nargs="?", default="blueprint.yaml", help="the blueprint")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    cost = sub.add_parser(
        "cost",
        help="estimate the monthly cost",
        description="Estimate what the blueprint costs a month, per component, from the "
        "dated price table shipped with blueprint; usage-driven prices are shown per unit.",
    )
    cost.add_argument("path", nargs="?", default="blueprint.yaml", help="the blueprint")
    cost.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _write_schema(out: str) -> int:
    from .output import write_all
    from .schema import schema_text

    text = schema_text()
    if out == "-":
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(out)
    write_all(target.parent, {target.name: text.encode()}, modes={}, manifest=False)
    print(f"wrote {target}")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from . import starter
    from .schema import schema_text

    if args.list:
        for found in starter.examples():
            print(f"{found.name:32} {found.summary}")
        return EXIT_OK
    try:
        files = starter.plan(args.example or starter.DEFAULT, Path(args.path), schema_text())
        written = starter.write(files, args.force)
    except starter.StarterError as exc:
        print(f"blueprint init: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"wrote {path}")
    print(f"next: blueprint build {args.path}")
    return EXIT_OK


def _checked_or_exit(path: str) -> Checked | int:
    """The checked blueprint, or the exit code after printing why it is not valid."""
    from . import pipeline

    try:
        return pipeline.check(Path(path), path)
    except BlueprintError as exc:
        return report.refused(exc, "text")


def _graph(args: argparse.Namespace) -> int:
    from . import graph

    checked = _checked_or_exit(args.path)
    if isinstance(checked, int):
        return checked
    sys.stdout.write(graph.render(checked, args.format))
    return EXIT_OK


def _cost(args: argparse.Namespace) -> int:
    from . import cost

    checked = _checked_or_exit(args.path)
    if isinstance(checked, int):
        return checked
    try:
        estimate = cost.estimate(checked)
    except cost.UnknownRegion as exc:
        print(f"blueprint cost: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps(cost.as_json(estimate), indent=2))
    else:
        sys.stdout.write(cost.text(estimate))
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from . import diff, pipeline, previous

    try:
        checked = pipeline.check(Path(args.path), args.path)
        changes = previous.changes(pipeline.render(checked), Path(args.out), args.against)
    except BlueprintError as exc:
        return report.refused(exc, "text")
    if args.format == "json":
        print(json.dumps(diff.as_json(changes), indent=2))
    else:
        sys.stdout.write(diff.text(changes))
    return changes.exit_code


def _warn_data_loss(build: Build, out: Path) -> None:
    """One line when this build would replace or remove stateful resources."""
    from . import previous

    try:
        changes = previous.changes(build, out)
    except BlueprintError as exc:
        print(
            f"warning: cannot compare with the last build: {exc.problems[0].text()}",
            file=sys.stderr,
        )
        return
    if changes.data_loss:
        names = ", ".join(f"{stack}/{r.logical_id}" for stack, r in changes.data_loss)
        print(
            f"warning: compared with {out}/, this build replaces or removes stateful "
            f"resources ({names}); run `blueprint diff` before deploying",
            file=sys.stderr,
        )


def _run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    if args.command == "build" and not args.check:
        record = uptodate.recorded(path, Path(args.out), _options(args))
        if record is not None:
            sys.stderr.write(record.stderr)
            sys.stdout.write(record.stdout)
            return EXIT_OK
    if args.command != "build":
        return _full(args, path, None)
    with runtime.lint_workers(path) as workers:
        return _full(args, path, workers)


def _full(args: argparse.Namespace, path: Path, workers: Workers | None) -> int:
    from . import pipeline

    try:
        checked = pipeline.check(path, args.path)
        # validate renders too (in memory, without lint): names that collide as logical IDs
        # and pins that name nothing are found there.
        build = pipeline.render(checked)
    except BlueprintError as exc:
        return report.refused(exc, args.format)
    if args.command == "validate":
        sys.stderr.write(report.formatted(checked.warnings, args.format))
        if report.failed(checked.warnings, args.strict):
            return EXIT_INVALID
        if args.format == "text":
            print(f"{args.path}: valid ({len(checked.warnings)} warning(s))")
        return EXIT_OK
    pipeline.lint(build, _progress() if len(build.stacks) > 1 else None, workers)
    problems = [*checked.warnings, *build.lint_problems]
    printed = report.formatted(problems, args.format)
    sys.stderr.write(printed)
    if report.failed(build.lint_problems, args.strict):
        print(f"{args.path}: cfn-lint found problems; nothing was written", file=sys.stderr)
        return EXIT_LINT
    if report.failed(checked.warnings, args.strict):
        return EXIT_INVALID
    out = Path(args.out)
    if args.check:
        return _check_fresh(build, out, args.path)
    _warn_data_loss(build, out)
    pipeline.write(build, out)
    summary = _summary(build, out) if args.format == "text" else ""
    sys.stdout.write(summary)
    uptodate.remember(path, out, _options(args), build, stdout=summary, stderr=printed)
    return EXIT_OK


def _options(args: argparse.Namespace) -> str:
    return uptodate.options(args.path, args.out, args.format, args.strict)


def _progress() -> Callable[[int, int], None] | None:
    """A one-line lint counter on a terminal; nothing when output goes elsewhere."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rcfn-lint: {done}/{total} templates{end}")
        sys.stderr.flush()

    return show


def _check_fresh(build: Build, out: Path, source: str) -> int:
    from .output import differences

    stale = differences(out, build.files)
    if stale:
        print(
            f"{out}/ is stale: {', '.join(stale)} differ from what {source} builds; "
            "run `blueprint build` and commit the result",
            file=sys.stderr,
        )
        return EXIT_STALE
    print(f"{out}/ is fresh")
    return EXIT_OK


def _summary(build: Build, out: Path) -> str:
    lines = []
    for stack in build.stacks:
        findings = build.lint.get(stack.name, [])
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = len(findings) - errors
        lines.append(
            f"stack {stack.name} ({stack.region}): {stack.resources} resources, "
            f"cfn-lint {errors} error(s) {warnings} warning(s) -> {out / stack.file}\n"
        )
    lines.append(f"deploy: bash {out / 'deploy.sh'}\n")
    return "".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    runtime.pace_collector()
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            return _write_schema(args.out)
        if args.command == "diff":
            return _diff(args)
        if args.command == "init":
            return _init(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "cost":
            return _cost(args)
        return _run(args)
    except (InternalError, KeyboardInterrupt, OSError) as exc:
        return report.stopped(exc)


if __name__ == "__main__":
    sys.exit(main())
