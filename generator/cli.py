"""The command line: ``blueprint build``, ``validate``, ``diff``, ``schema``, ``init``,
``graph`` and ``cost``. It parses the arguments and hands them, typed, to the command's
module in :mod:`generator.commands`, imported only when that command runs. Exit codes:
:mod:`generator.exits`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__, report, runtime
from .errors import InternalError, file_shown
from .exits import EXIT_USAGE

#: Each command's one-line help, and the longer description its own --help shows.
_COMMANDS = {
    "build": ("validate, render, lint and write the templates", ""),
    "validate": ("check the blueprint only; write nothing", ""),
    "diff": (
        "what deploying this blueprint would change, offline",
        "Build in memory and compare with the last build (or with it as it was at a git "
        "revision, or with the stacks as deployed): per resource added, removed, changed in "
        "place, replaced or maybe replaced, with data-loss risks, across stacks. Exit codes: 0 "
        "no changes, 10 changes, 11 data-loss risk, 12 the deploy would fail (a replaced "
        "resource keeps its custom name, or a security group rule is added unchanged under a "
        "new ID); 1, 3 and 4 as for build.",
    ),
    "schema": (
        "write the blueprint JSON schema (for editors and CI)",
        "Write the JSON schema of blueprint files, generated from the models. Point an editor "
        "at it with the first line '# yaml-language-server: $schema=blueprint.schema.json'.",
    ),
    "init": (
        "start a blueprint from one of the shipped examples",
        "Write a starter blueprint from a shipped example, with its JSON schema beside it and "
        "the files it names. Nothing that is already there is overwritten unless --force says "
        "so.",
    ),
    "graph": (
        "draw the architecture (Mermaid or Graphviz DOT)",
        "Draw the validated blueprint: entry points, compute, data, schedules and events, and "
        "the traffic the security groups allow, by subnet tier.",
    ),
    "cost": (
        "estimate the monthly cost",
        "Estimate what the blueprint costs a month, per component, from the dated price table "
        "shipped with blueprint; usage-driven prices are shown per unit.",
    ),
}
_BLUEPRINT = "the blueprint (default: ./blueprint.yaml)"
_FORMAT = "how problems are printed (default: text)"
_OUT = "where templates go (default: templates_out/)"
_CHECK = (
    "write nothing; exit 5 if --out differs from what this build writes (for CI and pre-commit)"
)
_LAST = "the last build (default: templates_out/)"
_AGAINST = "compare with --out as it was at this git revision"
_DEPLOYED = "compare with the stacks as deployed (read with the AWS CLI: aws cloudformation)"
_ENV = "the environment (default: each of the blueprint's, in its folder under --out)"
_SCHEMA_OUT = "where to write it (default: blueprint.schema.json; - for stdout)"


def _named(text: str) -> str:
    """A file or folder to write: an empty name would mean the current folder, and one
    that is not UTF-8 cannot be named in deploy.sh and the messages."""
    if not text:
        raise argparse.ArgumentTypeError("the name is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"'{file_shown(text)}' is not UTF-8") from None
    return text


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmd = {
        name: sub.add_parser(name, help=text, description=more or text)
        for name, (text, more) in _COMMANDS.items()
    }
    for name in ("build", "validate"):
        cmd[name].add_argument("path", nargs="?", default="blueprint.yaml", help=_BLUEPRINT)
        cmd[name].add_argument("--format", choices=report.FORMATS, default="text", help=_FORMAT)
        cmd[name].add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd["build"].add_argument("--out", default="templates_out", type=_named, help=_OUT)
    cmd["build"].add_argument("--check", action="store_true", help=_CHECK)
    for name in ("diff", "graph", "cost"):
        cmd[name].add_argument("path", nargs="?", default="blueprint.yaml", help="the blueprint")
    for name in ("build", "validate", "diff", "graph", "cost"):
        cmd[name].add_argument("--env", metavar="NAME", help=_ENV)
    cmd["diff"].add_argument("--out", default="templates_out", type=_named, help=_LAST)
    against = cmd["diff"].add_mutually_exclusive_group()
    against.add_argument("--against", metavar="REF", help=_AGAINST)
    against.add_argument("--deployed", action="store_true", help=_DEPLOYED)
    cmd["diff"].add_argument("--format", choices=("text", "json", "tsv"), default="text")
    cmd["graph"].add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    cmd["cost"].add_argument("--format", choices=("text", "json"), default="text")
    cmd["schema"].add_argument(
        "--out", default="blueprint.schema.json", type=_named, help=_SCHEMA_OUT
    )
    init = cmd["init"]
    init.add_argument(
        "path", nargs="?", default="blueprint.yaml", type=_named, help="where to write it"
    )
    init.add_argument("--example", default=None, help="which example (see --list)")
    init.add_argument("--list", action="store_true", help="name the examples and stop")
    init.add_argument("--force", action="store_true", help="replace files already there")
    return parser


def _run(args: argparse.Namespace) -> int:
    """The command's module, imported now (so that a command imports only what it needs),
    run with the arguments it takes."""
    if args.command == "build":
        from .commands import build

        options = build.Options(args.path, args.out, args.format, args.strict, args.check, args.env)
        return build.run(options)
    if args.command == "validate":
        from .commands import validate

        return validate.run(args.path, args.format, args.strict, args.env)
    if args.command == "diff":
        from .commands import diff

        return diff.run(args.path, args.out, args.against, args.format, args.env, args.deployed)
    if args.command == "schema":
        from .commands import schema

        return schema.run(args.out)
    if args.command == "init":
        from .commands import init

        return init.run(args.path, args.example, args.list, args.force)
    if args.command == "graph":
        from .commands import graph

        return graph.run(args.path, args.format, args.env)
    from .commands import cost

    return cost.run(args.path, args.format, args.env)


def main(argv: Sequence[str] | None = None) -> int:
    runtime.pace_collector()
    runtime.no_pydantic_plugins()
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (InternalError, KeyboardInterrupt, OSError) as exc:
        return report.stopped(exc)
    except Exception as exc:  # anything else is a bug: said in one line, never a traceback
        return report.stopped(InternalError.unexpected(exc))


if __name__ == "__main__":
    sys.exit(main())
