"""load -> validate -> resolve -> render -> overrides -> check_stacks -> serialize -> lint ->
write, as one-way steps.

Each step takes what the one before produced and returns values; only :func:`load`
(first) and :func:`write` (last) touch files. A step that finds problems raises
:class:`BlueprintError` carrying all of them, located in the blueprint. :func:`render`
runs the three steps from a checked blueprint to the files of a build: render
(:func:`render_stacks`), check_stacks (:mod:`generator.stack_checks`) and :func:`serialize`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath
from typing import TYPE_CHECKING

from . import (
    environments,
    loader,
    override_risks,
    overrides,
    pinning,
    replacement,
    split,
    stack_checks,
)
from .codes import Code
from .errors import BlueprintError, InternalError, Issue, Problem, Severity, dotted
from .includes import read_includes
from .model.blueprint import Blueprint
from .model.checker import LastRule
from .model.resolve import Resolved, resolve
from .model.validate import validate
from .output import write_all, write_folders
from .rendered import Rendered, RenderedStack, Template

if TYPE_CHECKING:
    from .lint import Finding
    from .runtime import Workers


#: What a build keeps from the last build of the same environment (:mod:`generator.previous`):
#: route priorities, each hosted zone's stack, security group rule IDs; ``None`` when fresh.
Last = tuple[Mapping[str, LastRule] | None, Mapping[str, str] | None, Mapping[str, str] | None]


@dataclass(frozen=True)
class Checked:
    """A blueprint that passed validation and resolution, with the files it names."""

    document: loader.Document
    blueprint: Blueprint
    resolved: Resolved
    warnings: list[Problem]
    #: path as written in the blueprint -> the file's text
    includes: dict[str, str] = field(default_factory=dict)
    #: the environment checked (:mod:`generator.environments`), and the account it names
    environment: str | None = None
    account: str | None = None
    #: hosted zone logical ID -> the stack that held it in the last build
    last_zones: Mapping[str, str] = field(default_factory=dict)
    #: rule -> logical ID of the last build's security group rules (:mod:`.fixed_names`)
    last_rules: Mapping[str, str] = field(default_factory=dict)
    #: the blueprint's other environments, when ``--env`` named one (their stacks must
    #: not be this one's), and the file they are read from
    siblings: tuple[tuple[environments.Environment, Last], ...] = ()
    path: FsPath | None = None


@dataclass
class Build:
    """Everything a build produced, before anything is written."""

    checked: Checked
    stacks: list[RenderedStack]
    lint: dict[str, list[Finding]] = field(default_factory=dict)
    lint_problems: list[Problem] = field(default_factory=list)
    #: stacks found clean by the shape of another (:mod:`generator.lint_shape`), not
    #: linted: stack -> the stack linted in its stead (None: found clean by an earlier build)
    lint_by_shape: dict[str, str | None] = field(default_factory=dict)
    #: the overrides written into the stacks (:mod:`generator.overrides`)
    overridden: list[overrides.Applied] = field(default_factory=list)
    #: the blueprint's warnings and those of what its overrides open
    #: (:mod:`generator.override_risks`)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def override_notes(self) -> list[str]:
        """One line per override applied, for the build's summary."""
        return [overrides.note(a, self.checked.document) for a in self.overridden]

    @functools.cached_property
    def deploy_script(self) -> str:
        """The text of deploy.sh: made when first read, as each stack's text is
        (:attr:`RenderedStack.text`); validate, cost and graph never read it."""
        # Imported here: only a build that writes or reads deploy.sh needs its modules.
        from . import deploy_plan

        return deploy_plan.script(self.checked, self.stacks)

    @property
    def files(self) -> dict[str, bytes]:
        out = {s.file: s.text.encode() for s in self.stacks}
        out["deploy.sh"] = self.deploy_script.encode()
        return out


def check(
    path: FsPath,
    display: str | None = None,
    last_priorities: Mapping[str, LastRule] | None = None,
    env: str | None = None,
    last_zones: Mapping[str, str] | None = None,
) -> Checked:
    """Load, validate and resolve; raise with every problem found. ``last_priorities``:
    the route priorities of the last build (:func:`generator.previous.route_priorities`),
    which routes without ``priority:`` keep; ``last_zones``: the stack of each hosted
    zone there (:func:`generator.previous.zone_stacks`), which a zone in the main stack
    keeps; none for a fresh build. A blueprint with environments is checked as the one
    ``env`` names, which it needs."""
    document = loader.load(path, display)
    chosen = environments.select(document, env)
    if chosen[0].name is not None and env is None:
        message = (
            f"this blueprint has environments ({', '.join(environments.names(document))}); "
            "name one with --env"
        )
        issue = Issue((environments.KEY,), message, code=Code.ENVIRONMENT_UNKNOWN, at_key=True)
        raise BlueprintError([document.locate(issue)])
    return _check_one(chosen[0], path, last_priorities, last_zones)


def check_each(
    path: FsPath,
    display: str | None = None,
    env: str | None = None,
    last: Callable[[str | None], Last] = lambda _: (None, None, None),
) -> list[Checked]:
    """Every environment of the blueprint checked (only ``env``, when named; a blueprint
    without environments is one), in name order, each keeping the route priorities, zone
    stacks and rule IDs ``last`` gives for it; raise with the problems of all of them, each
    said once."""
    document = loader.load(path, display)
    checked: list[Checked] = []
    failed: list[tuple[str | None, list[Problem]]] = []
    chosen = environments.select(document, env)
    siblings: tuple[tuple[environments.Environment, Last], ...] = ()
    if env is not None:
        others = [e for e in environments.select(document, None) if e.name != env]
        siblings = tuple((e, _kept(last, e.name)) for e in others)
    for environment in chosen:
        try:
            one = _check_one(environment, path, *last(environment.name))
            checked.append(replace(one, siblings=siblings, path=path))
        except BlueprintError as exc:
            failed.append((environment.name, exc.problems))
    if failed:
        raise BlueprintError(environments.together(failed))
    return checked


def _kept(last: Callable[[str | None], Last], name: str | None) -> Last:
    """What another environment's last build keeps; a fresh build's when it cannot be read
    (that environment's own build says why)."""
    try:
        return last(name)
    except BlueprintError:
        return (None, None, None)


def _check_one(
    environment: environments.Environment,
    path: FsPath,
    last_priorities: Mapping[str, LastRule] | None,
    last_zones: Mapping[str, str] | None,
    last_rules: Mapping[str, str] | None = None,
) -> Checked:
    document = environment.document
    model, issues = validate(document.data)
    if model is None or environment.issues:
        raise BlueprintError(sorted(document.locate(i) for i in [*environment.issues, *issues]))
    resolved, issues = resolve(model, last_priorities, environment.account)
    problems = sorted(document.locate(i) for i in issues)
    if resolved is None:
        raise BlueprintError(problems)
    includes, errors, warnings = read_includes(model, path.parent)
    if errors:
        raise BlueprintError(sorted(document.locate(i) for i in errors))
    problems = sorted([*problems, *(document.locate(i) for i in warnings)])
    return Checked(
        document,
        model,
        resolved,
        problems,
        includes,
        environment.name,
        environment.account,
        dict(last_zones or {}),
        dict(last_rules or {}),
    )


def render(checked: Checked) -> Build:
    """render -> overrides -> check_stacks -> serialize: the stacks are rendered, the
    blueprint's ``overrides`` written into them (:mod:`generator.overrides`), the stacks
    checked as a whole (quotas, stack limits, pins; see :mod:`generator.stack_checks`),
    then serialized."""
    plain = render_stacks(checked)
    rendered, issues, applied = overrides.apply(plain, checked.blueprint.overrides)
    issues += stack_checks.check_stacks(rendered)
    if issues:
        raise BlueprintError(sorted(checked.document.locate(i) for i in issues))
    build = serialize(checked, rendered)
    build.overridden = applied
    opened = override_risks.risks(plain, rendered, applied)
    build.warnings = sorted([*checked.warnings, *(checked.document.locate(i) for i in opened)])
    return build


def render_each(checked: Sequence[Checked]) -> list[Build]:
    """:func:`render` for each environment; raise with the problems of all of them."""
    builds: list[Build] = []
    failed: list[tuple[str | None, list[Problem]]] = []
    for one in checked:
        try:
            builds.append(render(one))
        except BlueprintError as exc:
            failed.append((one.environment, exc.problems))
    if failed:
        raise BlueprintError(environments.together(failed))
    footprints = [
        environments.footprint(b.checked, b.stacks) for b in builds if b.checked.environment
    ]
    footprints += _sibling_footprints(checked)
    footprints.sort(key=lambda f: f.environment)
    built = frozenset(b.checked.environment for b in builds if b.checked.environment)
    clashes = environments.collisions(footprints, built)
    if clashes:
        raise BlueprintError(clashes)
    return builds


def _sibling_footprints(checked: Sequence[Checked]) -> list[environments.Footprint]:
    """The footprints of the environments ``--env`` left out, so that the one it names is
    refused when its stacks are one of theirs, as a build of every environment refuses it:
    each checked (keeping what its own last build keeps: a zone held in its main stack stays
    there) and rendered, without lint. One that does not pass is left out: building it
    reports its problems."""
    out: list[environments.Footprint] = []
    for sibling, kept in checked[0].siblings if checked else ():
        try:
            one = _check_one(sibling, checked[0].path or FsPath(), *kept)
            rendered = render_stacks(one)
        except BlueprintError:
            continue
        out.append(environments.footprint(one, rendered.stacks))
    return out


def render_stacks(checked: Checked) -> Rendered:
    """Render every template, pin its logical IDs and split it into stacks; turn
    troposphere's complaints into reported bugs and an entry that cannot be placed into
    a located error."""
    # Imported here: troposphere is only needed once the blueprint is valid.
    from . import fixed_names
    from .render import stacks as stack_renderer
    from .render.context import IdCollision

    doc = checked.document
    templates: list[Template] = []
    stacks: list[RenderedStack] = []
    made: set[str] = set()
    try:
        bp = checked.blueprint
        rendered = stack_renderer.render(bp, checked.resolved, checked.includes, checked.last_zones)
        drawn = [(stack, stack.template.to_dict()) for stack in rendered]
        made = {k for _, data in drawn for k in data.get("Resources", {})}
        # Only pins that overwrite nothing are applied; the stack checks report the others.
        pins = pinning.usable(bp.logical_ids, made)
        taken = {pins.get(k, k) for k in made}
        for stack, rendered_data in drawn:
            data = pinning.apply(rendered_data, pins)
            origins = {pins.get(k, k): v for k, v in stack.origins.items()}
            data, origins = fixed_names.keep_rules(data, origins, checked.last_rules, taken)
            sources = {k: (v.stack, v.region, v.output) for k, v in stack.parameter_sources.items()}
            templates.append(Template(data, origins))
            if stack.placement is None:
                parts = [split.Part.whole(stack.name, stack.region, data, origins, sources)]
            else:
                parts = split.Split(
                    data,
                    main=split.Home(stack.name, data.get("Description", "")),
                    region=stack.region,
                    origins=origins,
                    output_origins=stack.output_origins,
                    placement=stack.placement,
                    is_list=functools.partial(replacement.attribute_is_list, stack.region),
                    sources=sources,
                ).run()
            version = data.get("AWSTemplateFormatVersion", "")
            stacks.extend(_stack(part, version, stack.shared) for part in parts)
    except IdCollision as exc:
        first = dotted(exc.first) or "another entry"
        issue = Issue(
            exc.second,
            f"makes the {exc.what} '{exc.logical_id}', which {first} makes too; rename one of them",
            code=Code.OUTPUT_COLLISION if exc.what == "output" else Code.LOGICAL_ID_COLLISION,
            at_key=True,
        )
        raise BlueprintError([doc.locate(issue)]) from None
    except split.SplitError as exc:
        issue = Issue(exc.origin, exc.message, code=Code.STACK_SPLIT, at_key=True)
        raise BlueprintError([doc.locate(issue)]) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InternalError(f"rendering failed: {exc!r}") from exc
    return Rendered(templates, stacks, checked.blueprint.logical_ids, frozenset(made))


def serialize(checked: Checked, rendered: Rendered) -> Build:
    """The files of the build: each stack's canonical text and the deploy script, each
    made when first read (:attr:`Build.files`)."""
    return Build(checked=checked, stacks=rendered.stacks)


def _stack(part: split.Part, version: str, shared: bool) -> RenderedStack:
    return RenderedStack(
        name=part.name,
        region=part.region,
        file=f"{part.name}.json",
        data=part.template(version),
        resources=len(part.resources),
        origins=part.origins,
        parameter_sources=dict(sorted(part.sources.items())),
        shared=shared,
    )


def lint(
    build: Build,
    progress: Callable[[int, int], None] | None = None,
    workers: Workers | None = None,
) -> None:
    """Lint each stack's exact text (in ``workers`` when started); map each finding back
    to the blueprint entry."""
    from .lint import lint_all

    doc = build.checked.document
    by_shape: dict[int, int | None] = {}
    every = lint_all(
        [(stack.text, stack.region) for stack in build.stacks],
        progress,
        workers,
        [_entry_names(stack) for stack in build.stacks],
        by_shape,
        [stack.file for stack in build.stacks],
    )
    build.lint_by_shape = {
        build.stacks[i].name: None if lead is None else build.stacks[lead].name
        for i, lead in sorted(by_shape.items())
    }
    for stack, findings in zip(build.stacks, every, strict=True):
        build.lint[stack.name] = findings
        for f in findings:
            origin = overrides.origin(build.overridden, stack.name, f.path) or stack.origins.get(
                f.logical_id or "", ()
            )
            where = "/".join(str(p) for p in f.path)
            severity = Severity.ERROR if f.severity == "error" else Severity.WARNING
            build.lint_problems.append(
                doc.locate(
                    Issue(
                        origin,
                        f"cfn-lint {f.rule} in {stack.file} line {f.line} ({where}): {f.message}",
                        severity,
                        code=Code.CFN_LINT,
                        at_key=True,
                    )
                )
            )
    build.lint_problems.sort()


def _entry_names(stack: RenderedStack) -> set[str]:
    """The names of the blueprint entries a stack's resources come from (``svc001`` of
    ``services.svc001``): what lint shapes generalise."""
    return {str(o[1]) for o in stack.origins.values() if len(o) > 1 and isinstance(o[1], str)}


def write(build: Build, out_dir: FsPath) -> None:
    """Write every file of the build atomically into ``out_dir``."""
    write_all(out_dir, build.files, modes={"deploy.sh": 0o755})


def write_each(builds: Sequence[tuple[Build, FsPath]]) -> None:
    """Write several builds (a blueprint's environments), each into its folder: every
    file staged before any folder is replaced (:func:`generator.output.write_folders`)."""
    write_folders([(out, b.files) for b, out in builds], modes={"deploy.sh": 0o755})
