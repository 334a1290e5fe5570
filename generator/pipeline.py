"""load -> validate -> resolve -> render -> check_stacks -> serialize -> lint -> write, as
one-way steps.

Each step takes what the one before produced and returns values; only :func:`load`
(first) and :func:`write` (last) touch files. A step that finds problems raises
:class:`BlueprintError` carrying all of them, located in the blueprint. :func:`render`
runs the three steps from a checked blueprint to the files of a build: render
(:func:`render_stacks`), check_stacks (:mod:`generator.stack_checks`) and :func:`serialize`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from . import deploy, loader, naming, pinning, replacement, split, stack_checks
from .codes import Code
from .errors import BlueprintError, InternalError, Issue, Problem, Severity, dotted, shown
from .files import NotRegular, Oversize, read_text
from .model.blueprint import Blueprint
from .model.references import CODE_HINT, USER_DATA_HINT, secret_lines, user_data_file_issues
from .model.resolve import Resolved, resolve
from .model.validate import validate
from .output import write_all
from .rendered import Rendered, RenderedStack, Template
from .sections.distributions.model import BucketOrigin
from .sections.functions.model import INLINE_LIMIT, InlineCode
from .sections.instances.model import USER_DATA_LIMIT

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


def check(
    path: FsPath, display: str | None = None, last_priorities: Mapping[str, int] | None = None
) -> Checked:
    """Load, validate and resolve; raise with every problem found. ``last_priorities``:
    the route priorities of the last build (:func:`generator.previous.route_priorities`),
    which routes without ``priority:`` keep; none for a fresh build."""
    document = loader.load(path, display)
    model, issues = validate(document.data)
    if model is None:
        raise BlueprintError(sorted(document.locate(i) for i in issues))
    resolved, issues = resolve(model, last_priorities)
    problems = sorted(document.locate(i) for i in issues)
    if resolved is None:
        raise BlueprintError(problems)
    includes, errors, warnings = _read_includes(model, path.parent)
    if errors:
        raise BlueprintError(sorted(document.locate(i) for i in errors))
    problems = sorted([*problems, *(document.locate(i) for i in warnings)])
    return Checked(document, model, resolved, problems, includes)


def _read_includes(bp: Blueprint, base: FsPath) -> tuple[dict[str, str], list[Issue], list[Issue]]:
    """Read the files a blueprint names (user data, inline function code), relative to the
    blueprint: part of the load step, so that later steps touch no files."""
    wanted: list[tuple[tuple[str | int, ...], str, int, str]] = []
    for name, group in sorted(bp.instances.items()):
        if group.user_data_file is not None:
            where: tuple[str | int, ...] = ("instances", name, "user_data_file")
            wanted.append((where, group.user_data_file, USER_DATA_LIMIT, USER_DATA_HINT))
    for name, fn in sorted(bp.functions.items()):
        if isinstance(fn.code, InlineCode):
            where = ("functions", name, "code", "inline_file")
            wanted.append((where, fn.code.inline_file, INLINE_LIMIT, CODE_HINT))
    out: dict[str, str] = {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    root = base.resolve()
    for where, relative, limit, hint in wanted:
        try:
            out[relative] = _read_include(root, relative, limit)
        except _Refused as exc:
            errors.append(Issue(where, exc.message, code=exc.code))
            continue
        warnings += _secrets_in(where, relative, out[relative], hint)
        if where[-1] == "user_data_file":
            errors += user_data_file_issues(bp, where, relative, out[relative])
    for name, dist in sorted(bp.distributions.items()):
        if isinstance(dist.origin, BucketOrigin) and dist.origin.folder is not None:
            try:
                _site_folder(root, dist.origin.folder)
            except _Refused as exc:
                where = ("distributions", name, "origin", "folder")
                errors.append(Issue(where, exc.message, code=exc.code))
    return out, errors, warnings


def _site_folder(root: FsPath, relative: str) -> None:
    """A folder deploy.sh uploads: inside the blueprint's folder, as an included file is, a
    folder, and not the blueprint's folder itself (whatever lies beside it would be served)."""
    target = _inside(root, relative)
    if target == root:
        message = f"{shown(relative)} is the blueprint's own folder, which would put the blueprint"
        raise _Refused(
            f"{message} and everything beside it on the site; give the folder of the site's "
            "files, such as 'site'",
            Code.INCLUDE_OUTSIDE,
        )
    if not target.is_dir():
        raise _Refused(f"{shown(relative)} is not a folder", Code.INCLUDE_UNREADABLE)


def _secrets_in(where: tuple[str | int, ...], relative: str, text: str, hint: str) -> list[Issue]:
    """A secret in an included file ends up in the template as plain text, as one written
    in the blueprint would: a warning naming the file's line, never the value."""
    return [
        Issue(
            where,
            f"line {number} of {shown(relative)} holds what looks like {kind}, in plain "
            f"text, and the file goes into the template; {hint}",
            Severity.WARNING,
            code=Code.SECRET_IN_PLAIN_TEXT,
        )
        for number, kind in secret_lines(text)
    ]


class _Refused(Exception):
    def __init__(self, message: str, code: Code) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


#: Kernel pseudo-files: regular by their mode, but their content is the machine's state
#: (``/proc/self/environ`` is the build's environment), never part of a project.
_PSEUDO = (FsPath("/proc"), FsPath("/sys"))

_INSIDE = (
    ": a blueprint includes files from its own folder only; give a path relative to the "
    "blueprint, such as 'files/boot.sh'"
)


def _inside(root: FsPath, relative: str) -> FsPath:
    """The path ``relative`` names under ``root`` (the blueprint's folder, resolved), once
    it is known to stay inside: lexically and once symbolic links are followed."""
    named = shown(relative)
    if FsPath(relative).is_absolute():
        raise _Refused(f"{named} is an absolute path{_INSIDE}", Code.INCLUDE_OUTSIDE)
    depth = 0
    for part in FsPath(relative).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            message = f"{named} goes up out of the blueprint's folder{_INSIDE}"
            raise _Refused(message, Code.INCLUDE_OUTSIDE)
    try:
        target = (root / relative).resolve()
    except RuntimeError:  # a loop of symbolic links
        raise _Refused(
            f"{named}: too many levels of symbolic links", Code.INCLUDE_UNREADABLE
        ) from None
    except ValueError:  # a NUL, or text no file name can hold
        raise _Refused(f"{named} is not a file name", Code.INCLUDE_UNREADABLE) from None
    if not target.is_relative_to(root):
        message = f"{named} leads out of the blueprint's folder through a symbolic link{_INSIDE}"
        raise _Refused(message, Code.INCLUDE_OUTSIDE)
    if any(target.is_relative_to(p) for p in _PSEUDO):  # a blueprint kept at /
        message = f"{named} is a kernel pseudo-file, not part of a project{_INSIDE}"
        raise _Refused(message, Code.INCLUDE_OUTSIDE)
    return target


def _read_include(root: FsPath, relative: str, limit: int) -> str:
    """The text of the file ``relative`` names under ``root`` (the blueprint's folder,
    resolved). A blueprint is untrusted input (CI builds those of pull requests): the file
    must stay inside the folder, lexically and once symbolic links are followed, and be a
    regular file, of which at most ``limit`` + 1 bytes are read."""
    target = _inside(root, relative)
    named = shown(relative)
    try:
        return read_text(target, limit, follow=False)
    except NotRegular as exc:
        raise _Refused(
            f"{named} is {exc.kind}, not a regular file; user data and inline code are read "
            "from a regular file",
            Code.INCLUDE_UNREADABLE,
        ) from None
    except Oversize as exc:
        size = f"is {exc.size:,} bytes" if exc.exact else f"holds more than {limit:,} bytes"
        raise _Refused(
            f"{named} {size}; at most {limit:,} fit inline (use an S3 object or an image for "
            "larger code)",
            Code.INCLUDE_TOO_LARGE,
        ) from None
    except UnicodeDecodeError:
        raise _Refused(f"{named} is not UTF-8 text", Code.INCLUDE_UNREADABLE) from None
    except OSError as exc:
        reason = (exc.strerror or "cannot be read").lower()
        raise _Refused(f"{named}: {reason}", Code.INCLUDE_UNREADABLE) from None


def render(checked: Checked) -> Build:
    """render -> check_stacks -> serialize: the stacks are rendered, checked as a whole
    (quotas, stack limits, pins; see :mod:`generator.stack_checks`), then serialized."""
    rendered = render_stacks(checked)
    issues = stack_checks.check_stacks(rendered)
    if issues:
        raise BlueprintError(sorted(checked.document.locate(i) for i in issues))
    return serialize(checked, rendered)


def render_stacks(checked: Checked) -> Rendered:
    """Render every template, pin its logical IDs and split it into stacks; turn
    troposphere's complaints into reported bugs and an entry that cannot be placed into
    a located error."""
    # Imported here: troposphere is only needed once the blueprint is valid.
    from .render import stacks as stack_renderer
    from .render.context import IdCollision

    doc = checked.document
    templates: list[Template] = []
    stacks: list[RenderedStack] = []
    made: set[str] = set()
    try:
        bp = checked.blueprint
        rendered = stack_renderer.render(bp, checked.resolved, checked.includes)
        drawn = [(stack, stack.template.to_dict()) for stack in rendered]
        made = {k for _, data in drawn for k in data.get("Resources", {})}
        # Only pins that overwrite nothing are applied; the stack checks report the others.
        pins = pinning.usable(bp.logical_ids, made)
        for stack, rendered_data in drawn:
            data = pinning.apply(rendered_data, pins)
            origins = {pins.get(k, k): v for k, v in stack.origins.items()}
            sources = {k: (v.stack, v.region, v.output) for k, v in stack.parameter_sources.items()}
            templates.append(Template(data, origins))
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
    """The files of the build: each stack's canonical text and the deploy script."""
    planned = [
        deploy.Planned(
            s.name, s.region, s.file, len(s.text.encode()), s.data, s.parameter_sources, s.shared
        )
        for s in rendered.stacks
    ]
    bp, source = checked.blueprint, checked.document.file
    script = deploy.script(planned, source, bp.name, _job_runs(bp), _site_uploads(bp, source))
    return Build(checked=checked, stacks=rendered.stacks, deploy_script=script)


def _job_runs(bp: Blueprint) -> list[deploy.JobRun]:
    """The jobs deploy.sh runs after the deploy, with the outputs of the main stack that
    the jobs' renderer writes for it (:mod:`generator.sections.jobs.render`)."""
    runs = []
    for name, job in sorted(bp.jobs.items()):
        if job.run != "after_deploy":
            continue
        outputs = ["Cluster", "TaskDefinitionArn", "Capacity", "LogGroup"]
        if job.ec2_capacity is None:
            outputs.append("Network")
        runs.append(
            deploy.JobRun(
                job=name,
                family=naming.job_family(bp.name, name),
                stack=bp.name,
                region=bp.region,
                outputs={what: naming.job(name, what) for what in outputs},
                containers=tuple(sorted(c for c, ct in job.containers.items() if ct.essential)),
            )
        )
    return runs


def _site_uploads(bp: Blueprint, source: str) -> list[deploy.SiteUpload]:
    """The folders deploy.sh uploads into the buckets distributions serve, with the main
    stack's outputs naming each bucket and distribution (distributions/site.py)."""
    root = str(FsPath(source).parent)
    return [
        deploy.SiteUpload(name, bp.name, bp.region, root, dist.origin.folder, *outputs)
        for name, dist in sorted(bp.distributions.items())
        if isinstance(dist.origin, BucketOrigin) and dist.origin.folder is not None
        for outputs in [
            (naming.output(name, "site-bucket"), naming.output(name, "distribution-id"))
        ]
    ]


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
                        code=Code.CFN_LINT,
                        at_key=True,
                    )
                )
            )
    build.lint_problems.sort()


def write(build: Build, out_dir: FsPath) -> None:
    """Write every file of the build atomically into ``out_dir``."""
    write_all(out_dir, build.files, modes={"deploy.sh": 0o755})
