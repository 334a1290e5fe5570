"""The templates a diff compares against: the last build in a folder, or that folder as it
was at a git revision. Part of the load step: the only place ``diff`` reads files.
:func:`compare` compares a build with them (for ``blueprint diff``, and for the warning
``blueprint build`` gives before it replaces stateful resources); :func:`route_priorities`
reads from them the priorities routes keep from one build to the next, :func:`zone_stacks`
the stack each hosted zone keeps, :func:`rule_ids` the IDs security group rules keep."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import diff, fixed_names
from .codes import Code
from .errors import BlueprintError, Problem, Severity
from .files import MAX_BYTES, NotRegular, Oversize, read_regular
from .model.checker import LastRule
from .output import MANIFEST, plain

if TYPE_CHECKING:
    from .pipeline import Build


def _refuse(where: str, message: str) -> BlueprintError:
    return BlueprintError(
        [Problem(where, 1, 1, "", message, Severity.ERROR, code=Code.PREVIOUS_UNREADABLE)]
    )


#: The deepest nesting a previous template may have: the builds write a dozen levels at
#: most, and the comparison walks the values recursively.
MAX_DEPTH = 64


def parse_template(where: str, raw: bytes) -> dict[str, Any]:
    """The template in ``raw``, a previous build's file: untrusted input (hand-edited,
    truncated, or anything at all), so every shape the comparison relies on is checked
    here and anything else refused."""
    if len(raw) > MAX_BYTES:
        raise _refuse(where, f"larger than {MAX_BYTES:,} bytes, more than a template may be")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _refuse(where, f"not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _refuse(where, f"not a JSON template: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise _refuse(where, "not a JSON template: nested too deeply") from None
    except ValueError as exc:  # a number too long to convert
        raise _refuse(where, f"not a JSON template: {str(exc).split(':')[0]}") from None
    problem = _shape(data)
    if problem or not isinstance(data, dict):
        raise _refuse(where, f"not a template ({problem})")
    return data


def _shape(data: Any) -> str | None:
    """What makes ``data`` no template the comparison can read, or None."""
    if not isinstance(data, dict):
        return "the top level is not an object"
    for section in ("Parameters", "Resources", "Outputs"):
        if not isinstance(data.get(section, {}), dict):
            return f"'{section}' is not an object"
    for logical_id, resource in data.get("Resources", {}).items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            return f"resource {logical_id[:80]} is not an object with a 'Type' text"
        if not isinstance(resource.get("Properties", {}), dict):
            return f"the 'Properties' of resource {logical_id[:80]} are not an object"
    return None if _depth(data) <= MAX_DEPTH else f"nested deeper than {MAX_DEPTH} levels"


def _depth(data: Any) -> int:
    deepest, level = 0, [data]
    while level and deepest <= MAX_DEPTH:
        deepest += 1
        level = [
            item
            for value in level
            if isinstance(value, dict | list)
            for item in (value.values() if isinstance(value, dict) else value)
        ]
    return deepest


def _names(listing: list[str]) -> list[str]:
    return sorted(n for n in listing if plain(n) and n.endswith(".json"))


def _read(path: Path) -> bytes:
    """A file of the last build: a regular file in the folder itself (a symbolic link is
    refused: it may point anywhere), at most :data:`MAX_BYTES` bytes, below the 1 MB a
    template may have in S3 (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html)."""
    try:
        return read_regular(path, MAX_BYTES, follow=False)
    except NotRegular as exc:
        raise _refuse(str(path), f"not a regular file ({exc.kind})") from None
    except Oversize:
        raise _refuse(str(path), f"larger than {MAX_BYTES:,} bytes") from None
    except OSError as exc:
        raise _refuse(str(path), f"cannot be read: {exc.strerror or exc}") from None


def from_folder(folder: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> template, for the files the last build wrote into ``folder`` (every
    ``*.json`` there when it has no manifest). A missing folder is an empty build."""
    if not folder.is_dir():
        return {}
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            listing = _read(manifest).decode("utf-8").splitlines()
        except UnicodeDecodeError:
            raise _refuse(str(manifest), "not UTF-8 text") from None
        names = _names(listing)
    else:
        names = _names([p.name for p in folder.iterdir()])
    out = {}
    for name in names:
        path = folder / name
        if path.exists() or path.is_symlink():
            out[name.removesuffix(".json")] = parse_template(str(path), _read(path))
    return out


def _git(cwd: Path, *args: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip() or "failed"
        raise _refuse(str(cwd), f"git {' '.join(args)}: {why}")
    return done.stdout


def from_git(folder: Path, revision: str) -> dict[str, dict[str, Any]]:
    """Stack name -> template, for ``folder`` as it was at ``revision``."""
    anchor = folder if folder.is_dir() else folder.parent
    anchor = anchor.resolve()
    top = Path(_git(anchor, "rev-parse", "--show-toplevel").decode().strip())
    relative = folder.resolve().relative_to(top).as_posix()
    listed = _git(top, "ls-tree", "--name-only", f"{revision}:{relative}")
    listing = listed.decode("utf-8", "replace").splitlines()
    out = {}
    for name in _names(listing):
        text = _git(top, "show", f"{revision}:{relative}/{name}")
        out[name.removesuffix(".json")] = parse_template(f"{revision}:{relative}/{name}", text)
    return out


def read(folder: Path, revision: str | None = None) -> dict[str, dict[str, Any]]:
    """The last build in ``folder`` (or that folder as it was at ``revision``)."""
    return from_git(folder, revision) if revision else from_folder(folder)


_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


def route_priorities(templates: dict[str, dict[str, Any]]) -> dict[str, LastRule]:
    """Listener rule logical ID -> its ``Priority``, the stack that holds it and the
    listener it is on, for every rule of ``templates`` (a previous build): what routes
    without ``priority:`` keep, and the numbers others must not take (see
    :mod:`generator.sections.load_balancers.priorities`). Anything else in a hand-edited
    template (no number, an ID in two stacks) is not state: left out."""
    found: dict[str, list[LastRule]] = {}
    for stack, template in sorted(templates.items()):
        resources = template.get("Resources")
        for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
            if not isinstance(resource, dict) or resource.get("Type") != _RULE:
                continue
            properties = resource.get("Properties")
            if not isinstance(properties, dict):
                continue
            number, listener = properties.get("Priority"), properties.get("ListenerArn")
            # a listener made by the stack (its logical ID), or an existing one (its ARN)
            ref = listener.get("Ref") if isinstance(listener, dict) else listener
            if isinstance(number, int) and not isinstance(number, bool):
                held = LastRule(number, stack, ref if isinstance(ref, str) else "")
                found.setdefault(logical_id, []).append(held)
    return {k: v[0] for k, v in sorted(found.items()) if len(v) == 1}


def zone_stacks(templates: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Hosted zone logical ID -> the stack that held it in ``templates`` (a previous
    build): a zone the last build held in the main stack stays there (see
    :func:`generator.render.stacks.placement`). An ID in two stacks is not state: left out."""
    found: dict[str, list[str]] = {}
    for stack, template in sorted(templates.items()):
        resources = template.get("Resources")
        for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
            if isinstance(resource, dict) and resource.get("Type") == "AWS::Route53::HostedZone":
                found.setdefault(logical_id, []).append(stack)
    return {k: v[0] for k, v in sorted(found.items()) if len(v) == 1}


def rule_ids(templates: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Rule (:func:`generator.fixed_names.rule_key`) -> logical ID, for the security group
    rules of ``templates`` (a previous build): a rule rendered under another ID keeps its
    deployed one (:func:`generator.fixed_names.kept_rules`). A rule in two stacks is not
    state: left out."""
    found: dict[str, list[str]] = {}
    for _, template in sorted(templates.items()):
        for key, logical_id in fixed_names.rule_ids(template).items():
            found.setdefault(key, []).append(logical_id)
    return {k: v[0] for k, v in sorted(found.items()) if len(v) == 1}


def compare(build: Build, old: dict[str, dict[str, Any]]) -> diff.Report:
    """What ``build`` changes compared with the templates ``old`` (:func:`read`)."""
    new = {s.name: s.data for s in build.stacks}
    regions = {s.name: s.region for s in build.stacks}
    sources = {s.name: s.parameter_sources for s in build.stacks}
    return diff.compare(old, new, regions, build.checked.blueprint.region, sources)
