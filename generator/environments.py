"""Environments: one blueprint, deployed as several (``dev``, ``prod``), each the base
blueprint with its own overrides merged in.

Runs between load and validate, on plain data: each environment becomes a document of
its own, which the rest of the pipeline validates, renders and writes as it does a
blueprint without environments. The merge keeps positions: a value an override wrote is
located at the override's line, every other value at the base's; every problem found in
an environment's document names the environment (:func:`generator.errors.in_environments`).

The merge rule (README, "Environments"): mappings merge key by key, lists and scalars
replace, ``null`` removes the key (what it then is, is its default; a key the base does
not have is an error, a typo's otherwise silent). A value under ``overrides.<LogicalId>``
is a leaf: it replaces, and a ``null`` there is kept (it removes the property from the
template, :mod:`generator.overrides`). ``account`` is the
environment's own, never the blueprint's; ``environments`` cannot be overridden. Each
environment's ``name`` is ``<name>-<environment>`` unless it sets one of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .codes import Code
from .errors import BlueprintError, Issue, Path, Problem, in_environments, shown, suggest
from .loader import Document, Positions

if TYPE_CHECKING:
    from .model.blueprint import Blueprint
    from .pipeline import Checked
    from .rendered import RenderedStack

KEY = "environments"

#: Lower-case letters and digits in words joined by single hyphens, starting with a letter:
#: the environment's name ends its stack names and its output folder's name.
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
NAME_LENGTH = 20
_ACCOUNT = re.compile(r"[0-9]{12}")


@dataclass(frozen=True)
class Environment:
    """One environment of a blueprint: its name, the AWS account it deploys to (if it
    says), and its merged document."""

    name: str | None
    account: str | None
    document: Document
    #: what is wrong with the merge itself (a ``null`` that removes nothing), located in
    #: ``document``
    issues: tuple[Issue, ...] = ()


def names(document: Document) -> list[str]:
    """The environments a blueprint defines, sorted (none for a blueprint without)."""
    found = document.data.get(KEY)
    return sorted(k for k in found if isinstance(k, str)) if isinstance(found, dict) else []


def select(document: Document, wanted: str | None) -> list[Environment]:
    """The environment ``wanted`` (all of them, in name order, when None) of ``document``;
    a blueprint without environments is its one unnamed environment. Raise with every
    problem of the environments' own keys, or when ``wanted`` is not one of them."""
    if KEY not in document.data:
        if wanted is not None:
            raise BlueprintError(
                [_at(document, (), f"--env {wanted}: this blueprint has no environments")]
            )
        return [Environment(None, None, document)]
    issues = list(_heads(document.data[KEY]))
    if issues:
        raise BlueprintError(sorted(document.locate(i) for i in issues))
    known = names(document)
    if wanted is not None and wanted not in known:
        message = f"--env {wanted}: no such environment; the environments are {', '.join(known)}"
        raise BlueprintError([_at(document, (KEY,), message)])
    return [merged(document, name) for name in known if wanted in (None, name)]


def _at(document: Document, path: Path, message: str) -> Problem:
    return document.locate(Issue(path, message, code=Code.ENVIRONMENT_UNKNOWN, at_key=True))


def _heads(environments: Any) -> Iterable[Issue]:
    """What is wrong with the environments' names, their shape and their accounts."""
    where: Path = (KEY,)
    if not isinstance(environments, dict) or not environments:
        found = "an empty mapping" if environments == {} else shown(environments)
        yield Issue(
            where,
            f"environments is a mapping of names to overrides ({{dev: {{region: ...}}}}); "
            f"found {found}",
            code=Code.ENVIRONMENT_INVALID,
        )
        return
    for name, body in environments.items():
        if not _NAME.fullmatch(name) or len(name) > NAME_LENGTH:
            yield Issue(
                (*where, name),
                f"{shown(name)} is not an environment name: at most {NAME_LENGTH} lower-case "
                "letters, digits and single hyphens, starting with a letter",
                code=Code.ENVIRONMENT_INVALID,
                at_key=True,
            )
        if body is not None and not isinstance(body, dict):
            yield Issue(
                (*where, name),
                f"an environment is a mapping of overrides (region:, services:, ...), "
                f"found {shown(body)}",
                code=Code.ENVIRONMENT_INVALID,
            )
            continue
        overrides = body or {}
        if KEY in overrides:
            yield Issue(
                (*where, name, KEY),
                "an environment cannot define environments; each is one of the blueprint's",
                code=Code.ENVIRONMENT_INVALID,
                at_key=True,
            )
        if "account" in overrides and _account(overrides["account"]) is None:
            yield Issue(
                (*where, name, "account"),
                f"{shown(overrides['account'])} is not an AWS account ID: 12 digits, quoted "
                "when it starts with 0 ('012345678901') so that YAML keeps it as written",
                code=Code.ACCOUNT_INVALID,
            )


def _account(value: Any) -> str | None:
    """The account ID as written: 12 digits (YAML reads an unquoted one as a number)."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return text if isinstance(text, str) and _ACCOUNT.fullmatch(text) else None


def merged(document: Document, name: str) -> Environment:
    """The document of environment ``name``: the base with its overrides merged in, the
    positions of what the overrides wrote taken from the overrides."""
    body = dict(document.data[KEY][name] or {})
    account = _account(body.pop("account")) if "account" in body else None
    base = {k: v for k, v in document.data.items() if k != KEY}
    positions = _Positions(document.positions)
    issues: list[Issue] = []
    data = _merge(base, body, (), (KEY, name), positions, issues)
    if "name" not in body and isinstance(base.get("name"), str):
        # the environment's own stack names; a name too long is located at the environment
        data["name"] = f"{base['name']}-{name}"
        at = document.positions.keys.get((KEY, name), (1, 1))
        positions.values[("name",)] = at
    environment = Document(document.file, data, positions.done(), document.source, environment=name)
    return Environment(name, account, environment, tuple(issues))


class _Positions:
    """The positions of a merged document, built from the base's."""

    def __init__(self, base: Positions) -> None:
        self.base = base
        self.values = {p: v for p, v in base.values.items() if p[:1] != (KEY,)}
        self.keys = {p: v for p, v in base.keys.items() if p[:1] != (KEY,)}

    def replace(self, at: Path, source: Path | None) -> None:
        """What is at ``at`` (and under it) now comes from ``source`` (nothing: removed)."""
        for table in (self.values, self.keys):
            for path in [p for p in table if p[: len(at)] == at]:
                del table[path]
        if source is None:
            return
        for mine, theirs in ((self.values, self.base.values), (self.keys, self.base.keys)):
            for path, where in theirs.items():
                if path[: len(source)] == source:
                    mine[(*at, *path[len(source) :])] = where

    def removed(self, at: Path, source: Path) -> None:
        """``at`` was removed by the null at ``source``: what is said of it is said there."""
        if source in self.base.values:
            self.values[at] = self.base.values[source]
        if source in self.base.keys:
            self.keys[at] = self.base.keys[source]

    def done(self) -> Positions:
        return Positions(values=self.values, keys=self.keys)


def _merge(
    base: Any, override: Any, at: Path, source: Path, positions: _Positions, issues: list[Issue]
) -> Any:
    """``override`` over ``base``: mappings merge key by key, anything else replaces, a
    key set to null is removed (one the base does not have: an issue). The properties of
    an override (``overrides.<LogicalId>.<path>``) are leaves, nulls kept."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        positions.replace(at, source)
        return override
    leaves = len(at) == 2 and at[0] == "overrides"
    out = dict(base)
    for key, value in override.items():
        here, there = (*at, key), (*source, key)
        if value is None and not leaves:
            # a problem of the removed key (a required one) is the null's
            out.pop(key, None)
            positions.replace(here, None)
            positions.removed(here, there)
            if key not in base:
                issues.append(_removes_nothing(here, base))
        elif leaves or key not in out:
            out[key] = value
            positions.replace(here, there)
        else:
            # a mapping merged into keeps the base's place: a problem of the entry as a
            # whole is found in every environment, at one place, and said once
            out[key] = _merge(out[key], value, here, there, positions, issues)
    return out


def _removes_nothing(path: Path, base: dict[Any, Any]) -> Issue:
    key = str(path[-1])
    return Issue(
        path,
        f"null removes a key, and '{key}' is not one here to remove"
        + suggest(key, [str(k) for k in base]),
        code=Code.NULL_REMOVES_NOTHING,
        at_key=True,
    )


def together(found: Sequence[tuple[str | None, Sequence[Problem]]]) -> list[Problem]:
    """The problems of several environments, each said once: one found in more than one
    (a mistake in the base, or one every override repeats) names them all."""
    by_problem: dict[Problem, list[str]] = {}
    for environment, problems in found:
        tail = in_environments([environment]) if environment else ""
        for problem in problems:
            plain = problem.message.removesuffix(tail) if tail else problem.message
            key = Problem(
                problem.file,
                problem.line,
                problem.column,
                problem.path,
                plain,
                problem.severity,
                code=problem.code,
            )
            by_problem.setdefault(key, []).extend([environment] if environment else [])
    return sorted(
        Problem(
            p.file,
            p.line,
            p.column,
            p.path,
            p.message + (in_environments(envs) if envs else ""),
            p.severity,
            code=p.code,
        )
        for p, envs in by_problem.items()
    )


@dataclass(frozen=True)
class Footprint:
    """What one environment's deploy holds in AWS that another's must not: its stacks, as
    (region, stack name), and its rules on existing listeners, (listener ARN, priority) ->
    where the blueprint sets that priority."""

    environment: str
    account: str | None
    document: Document
    stacks: frozenset[tuple[str, str]]
    rules: Mapping[tuple[str, int], Path]


def footprint(checked: Checked, stacks: Iterable[RenderedStack]) -> Footprint:
    """What an environment's build (checked, its stacks rendered) holds in AWS."""
    return Footprint(
        checked.environment or "",
        checked.account,
        checked.document,
        frozenset((s.region, s.name) for s in stacks),
        listener_rules(checked.blueprint),
    )


def listener_rules(blueprint: Blueprint) -> dict[tuple[str, int], Path]:
    """The priorities a blueprint sets on existing listeners, (listener ARN, priority) ->
    where it sets it (every route there sets one: ``route-priority-needed``)."""
    rules: dict[tuple[str, int], Path] = {}
    for name, lb in blueprint.load_balancers.items():
        for i, route in enumerate(lb.routes if lb.existing is not None else []):
            if lb.existing is not None and route.priority is not None:
                where = ("load_balancers", name, "routes", i, "priority")
                rules.setdefault((lb.existing.listener_arn, route.priority), where)
    return rules


def collisions(
    footprints: Sequence[Footprint], concerning: frozenset[str] | None = None
) -> list[Problem]:
    """Two environments (in name order) whose deploys would update each other's: a stack of
    one name in one region, unless both name different accounts (a stack is known by
    account, region and name, so ``{dev: {name: shared}, prod: {name: shared}}`` and an
    environment ``dev-zones`` beside ``dev`` each update the other's stacks), or one
    priority on one existing listener (its ARN names the account and region). Each is
    located at the second environment's ``name`` (its key when it sets none) or route.
    With ``concerning``, only the pairs that hold one of those environments."""
    out: list[Problem] = []
    for i, second in enumerate(footprints):
        for first in footprints[:i]:
            if concerning is not None and not {first.environment, second.environment} & concerning:
                continue
            shared = sorted(first.stacks & second.stacks)
            apart = first.account and second.account and first.account != second.account
            if shared and not apart:
                region, stack = shared[0]
                more = f" (and {len(shared) - 1} more)" if len(shared) > 1 else ""
                message = (
                    f"environment {second.environment} makes stack {stack} in {region}{more}, "
                    f"which environment {first.environment} makes too; give one of them "
                    "another 'name:', or each its own 'account:'"
                )
                issue = Issue(("name",), message, code=Code.ENVIRONMENT_STACKS_SHARED)
                out.append(second.document.locate(issue))
            for listener, priority in sorted(first.rules.keys() & second.rules.keys()):
                message = (
                    f"priority {priority} on listener {listener} is also environment "
                    f"{first.environment}'s; set a distinct 'priority:' in one of them"
                )
                where = second.rules[(listener, priority)]
                issue = Issue(where, message, code=Code.ROUTE_PRIORITY_TWICE)
                out.append(second.document.locate(issue))
    return sorted(out)
