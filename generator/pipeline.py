"""load -> validate -> resolve -> render -> serialize -> lint -> write, as one-way steps.

Each step takes what the one before produced and returns values; only :func:`load`
(first) and :func:`write` (last) touch files. A step that finds problems raises
:class:`BlueprintError` carrying all of them, located in the blueprint.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from . import deploy, loader, pinning, replacement, split
from .codes import Code
from .errors import BlueprintError, InternalError, Issue, Problem, Severity, dotted, suggest
from .model.blueprint import Blueprint
from .model.resolve import Resolved, resolve
from .model.validate import validate
from .output import canonical_json, write_all
from .sections.functions.model import INLINE_LIMIT

if TYPE_CHECKING:
    from .lint import Finding, Workers


@dataclass(frozen=True)
class Checked:
    """A blueprint that passed validation and resolution, with the files it names."""

    document: loader.Document
    blueprint: Blueprint
    resolved: Resolved
    warnings: list[Problem]
    #: path as written in the blueprint -> the file's text
    includes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedStack:
    name: str
    region: str
    file: str
    text: str
    data: dict[str, Any]
    resources: int
    origins: dict[str, tuple[str | int, ...]]
    #: parameter -> (stack, region, output) whose value deploy.sh passes to it
    parameter_sources: dict[str, tuple[str, str, str]] = field(default_factory=dict)


@dataclass
class Build:
    """Everything a build produced, before anything is written."""

    checked: Checked
    stacks: list[RenderedStack]
    deploy_script: str
    lint: dict[str, list[Finding]] = field(default_factory=dict)
    lint_problems: list[Problem] = field(default_factory=list)

    @property
    def files(self) -> dict[str, bytes]:
        out = {s.file: s.text.encode() for s in self.stacks}
        out["deploy.sh"] = self.deploy_script.encode()
        return out


def check(path: FsPath, display: str | None = None) -> Checked:
    """Load, validate and resolve; raise with every problem found."""
    document = loader.load(path, display)
    model, issues = validate(document.data)
    if model is None:
        raise BlueprintError(sorted(document.locate(i) for i in issues))
    resolved, issues = resolve(model)
    problems = sorted(document.locate(i) for i in issues)
    if resolved is None:
        raise BlueprintError(problems)
    includes, issues = _read_includes(model, path.parent)
    if issues:
        raise BlueprintError(sorted(document.locate(i) for i in issues))
    return Checked(document, model, resolved, problems, includes)


#: Largest first-boot script EC2 takes.
USER_DATA_LIMIT = 16384


def _read_includes(bp: Blueprint, base: FsPath) -> tuple[dict[str, str], list[Issue]]:
    """Read the files a blueprint names (user data, inline function code), relative to the
    blueprint: part of the load step, so that later steps touch no files."""
    wanted: list[tuple[tuple[str | int, ...], str, int]] = []
    for name, group in sorted(bp.instances.items()):
        if group.user_data_file is not None:
            where: tuple[str | int, ...] = ("instances", name, "user_data_file")
            wanted.append((where, group.user_data_file, USER_DATA_LIMIT))
    for name, fn in sorted(bp.functions.items()):
        inline = getattr(fn.code, "inline_file", None)
        if inline is not None:
            wanted.append((("functions", name, "code", "inline_file"), inline, INLINE_LIMIT))
    out: dict[str, str] = {}
    issues: list[Issue] = []
    for where, relative, limit in wanted:
        try:
            text = (base / relative).read_text("utf-8")
        except UnicodeDecodeError:
            issues.append(
                Issue(where, f"'{relative}' is not UTF-8 text", code=Code.INCLUDE_UNREADABLE)
            )
            continue
        except OSError as exc:
            reason = (exc.strerror or "cannot be read").lower()
            issues.append(Issue(where, f"'{relative}': {reason}", code=Code.INCLUDE_UNREADABLE))
            continue
        size = len(text.encode())
        if size > limit:
            issues.append(
                Issue(
                    where,
                    f"'{relative}' is {size:,} bytes; at most {limit:,} fit inline (use an S3 "
                    "object or an image for larger code)",
                    code=Code.INCLUDE_TOO_LARGE,
                )
            )
            continue
        out[relative] = text
    return out, issues


def render(checked: Checked) -> Build:
    """Render every stack, split the main one, serialize; turn troposphere's complaints
    into reported bugs and a stack over its limits into a located error."""
    # Imported here: troposphere is only needed once the blueprint is valid.
    from .render import stacks as stack_renderer
    from .render.context import IdCollision

    doc = checked.document
    pins = checked.blueprint.logical_ids
    try:
        stacks = stack_renderer.render(checked.blueprint, checked.resolved, checked.includes)
        rendered = []
        for stack in stacks:
            data = pinning.apply(stack.template.to_dict(), pins)
            origins = {pins.get(k, k): v for k, v in stack.origins.items()}
            sources = {k: (v.stack, v.region, v.output) for k, v in stack.parameter_sources.items()}
            _check_group_rules(checked, data, origins)
            if stack.placement is None:
                parts = [_whole(stack.name, stack.region, data, origins, sources)]
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
            for part in parts:
                rendered.append(_serialize(part, data.get("AWSTemplateFormatVersion", "")))
    except IdCollision as exc:
        first = dotted(exc.first) or "another entry"
        issue = Issue(
            exc.second,
            f"makes the logical ID '{exc.logical_id}', which {first} makes too; rename one of them",
            code=Code.LOGICAL_ID_COLLISION,
            at_key=True,
        )
        raise BlueprintError([doc.locate(issue)]) from None
    except split.SplitError as exc:
        issue = Issue(exc.origin, exc.message, code=Code.STACK_SPLIT, at_key=True)
        raise BlueprintError([doc.locate(issue)]) from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InternalError(f"rendering failed: {exc!r}") from exc
    _check_limits(checked, rendered)
    _check_pins(checked, rendered)
    planned = [
        deploy.Planned(s.name, s.region, s.file, len(s.text.encode()), s.data, s.parameter_sources)
        for s in rendered
    ]
    script = deploy.script(planned, checked.document.file, checked.blueprint.name)
    return Build(checked=checked, stacks=rendered, deploy_script=script)


def _whole(
    name: str,
    region: str,
    data: dict[str, Any],
    origins: dict[str, tuple[str | int, ...]],
    sources: dict[str, tuple[str, str, str]],
) -> split.Part:
    part = split.Part(name, region, data.get("Description", ""), origins=origins, sources=sources)
    part.parameters = dict(data.get("Parameters", {}))
    part.resources = dict(data.get("Resources", {}))
    part.outputs = dict(data.get("Outputs", {}))
    return part


def _serialize(part: split.Part, version: str) -> RenderedStack:
    data = part.template(version)
    return RenderedStack(
        name=part.name,
        region=part.region,
        file=f"{part.name}.json",
        text=canonical_json(data),
        data=data,
        resources=len(part.resources),
        origins=part.origins,
        parameter_sources=dict(sorted(part.sources.items())),
    )


#: AWS's default quota of inbound, and of outbound, rules in one security group.
RULES_PER_GROUP = 60


def _check_group_rules(
    checked: Checked, data: dict[str, Any], origins: dict[str, tuple[str | int, ...]]
) -> None:
    """No security group gets more inbound or outbound rules than AWS allows; the rule
    past the quota is reported at the entry that made it."""
    resources = data.get("Resources", {})
    counts: dict[tuple[str, str], int] = {}
    for name, body in resources.items():
        if body["Type"] == "AWS::EC2::SecurityGroup":
            props = body.get("Properties", {})
            counts[(name, "inbound")] = len(props.get("SecurityGroupIngress", []))
            counts[(name, "outbound")] = len(props.get("SecurityGroupEgress", []))
    issues = []
    for name, body in resources.items():
        direction = {
            "AWS::EC2::SecurityGroupIngress": "inbound",
            "AWS::EC2::SecurityGroupEgress": "outbound",
        }.get(body["Type"])
        group = body.get("Properties", {}).get("GroupId")
        if direction is None or not isinstance(group, dict):
            continue
        target = group.get("Ref") or (group.get("Fn::GetAtt") or [None])[0]
        if (target, direction) not in counts:
            continue
        counts[(target, direction)] += 1
        if counts[(target, direction)] == RULES_PER_GROUP + 1:
            issues.append(
                Issue(
                    origins.get(name, ()),
                    f"security group {target} would have more than {RULES_PER_GROUP} "
                    f"{direction} rules, AWS's quota for one group; spread the entries that "
                    "reach it (for a load balancer: its routes) over more of them",
                    code="too-many-rules",
                    at_key=True,
                )
            )
    if issues:
        raise BlueprintError(sorted(checked.document.locate(i) for i in issues))


def _check_limits(checked: Checked, rendered: list[RenderedStack]) -> None:
    """Each stack stays below CloudFormation's quotas, with headroom; a stack over one is
    reported at the entry that made its first resource (or output) past the limit."""
    issues = []
    for stack in rendered:
        size = len(stack.text.encode())
        counts = (
            ("resources", list(stack.data.get("Resources", {})), split.MAX_RESOURCES, "500"),
            ("parameters", list(stack.data.get("Parameters", {})), split.MAX_PARAMETERS, "200"),
            ("outputs", list(stack.data.get("Outputs", {})), split.MAX_OUTPUTS, "200"),
        )
        for what, names, limit, quota in counts:
            if len(names) > limit:
                origin = stack.origins.get(names[limit], ())
                issues.append(
                    Issue(
                        origin,
                        f"stack {stack.name} would hold {len(names)} {what}; blueprint keeps "
                        f"a stack at {limit} or fewer (CloudFormation's quota is {quota}). "
                        "Each service has a stack of its own; the main stack holds every "
                        "other entry: move some of them to a blueprint of their own",
                        code="stack-limit",
                        at_key=True,
                    )
                )
        if size > split.MAX_BYTES:
            issues.append(
                Issue(
                    (),
                    f"stack {stack.name}'s template would be {size:,} bytes; blueprint keeps a "
                    f"template at {split.MAX_BYTES:,} or fewer (CloudFormation's quota is 1 MB)",
                    code="stack-limit",
                )
            )
    if issues:
        raise BlueprintError(sorted(checked.document.locate(i) for i in issues))


def _check_pins(checked: Checked, rendered: list[RenderedStack]) -> None:
    """Each pin must name a resource the build makes, and its old ID must be free."""
    made = {k for s in rendered for k in s.data.get("Resources", {})}
    issues = []
    for new, old in checked.blueprint.logical_ids.items():
        if new not in made and old not in made:
            issues.append(
                Issue(
                    ("logical_ids", new),
                    f"no resource has the logical ID '{new}'{suggest(new, made)}",
                    code="unknown-id",
                    at_key=True,
                )
            )
        elif new in made and old in made:
            issues.append(
                Issue(
                    ("logical_ids", new),
                    f"'{old}' is already the ID of another resource; pin to an ID no resource uses",
                    code="id-taken",
                )
            )
    if issues:
        raise BlueprintError(sorted(checked.document.locate(i) for i in issues))


def lint(
    build: Build,
    progress: Callable[[int, int], None] | None = None,
    workers: Workers | None = None,
) -> None:
    """Lint each stack's exact text (in ``workers`` when started); map each finding back
    to the blueprint entry."""
    from .lint import lint_all

    doc = build.checked.document
    every = lint_all([(stack.text, stack.region) for stack in build.stacks], progress, workers)
    for stack, findings in zip(build.stacks, every, strict=True):
        build.lint[stack.name] = findings
        for f in findings:
            origin = stack.origins.get(f.logical_id or "", ())
            where = "/".join(str(p) for p in f.path)
            severity = Severity.ERROR if f.severity == "error" else Severity.WARNING
            build.lint_problems.append(
                doc.locate(
                    Issue(
                        origin,
                        f"cfn-lint {f.rule} in {stack.file} line {f.line} ({where}): {f.message}",
                        severity,
                        f"cfn-lint-{f.rule}",
                        at_key=True,
                    )
                )
            )
    build.lint_problems.sort()


def write(build: Build, out_dir: FsPath) -> None:
    """Write every file of the build atomically into ``out_dir``."""
    write_all(out_dir, build.files, modes={"deploy.sh": 0o755})
