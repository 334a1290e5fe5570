"""The templates a diff compares against: the last build in a folder, or that folder as it
was at a git revision. Part of the load step: the only place ``diff`` reads files.
:func:`compare` compares a build with them (for ``blueprint diff``, and for the warning
``blueprint build`` gives before it replaces stateful resources); :func:`route_priorities`
reads from them the priorities routes keep from one build to the next."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import diff
from .codes import Code
from .errors import BlueprintError, Problem, Severity
from .output import MANIFEST

if TYPE_CHECKING:
    from .pipeline import Build


def _refuse(where: str, message: str) -> BlueprintError:
    return BlueprintError(
        [Problem(where, 1, 1, "", message, Severity.ERROR, code=Code.PREVIOUS_UNREADABLE)]
    )


def _parse(where: str, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(where, f"not a JSON template: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict):
        raise _refuse(where, "not a template (the top level is not an object)")
    return data


def _names(listing: list[str]) -> list[str]:
    return sorted(n for n in listing if n.endswith(".json"))


def from_folder(folder: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> template, for the files the last build wrote into ``folder`` (every
    ``*.json`` there when it has no manifest). A missing folder is an empty build."""
    if not folder.is_dir():
        return {}
    manifest = folder / MANIFEST
    if manifest.is_file():
        names = _names(manifest.read_text("utf-8").splitlines())
    else:
        names = _names([p.name for p in folder.iterdir()])
    out = {}
    for name in names:
        path = folder / name
        if path.is_file():
            out[name.removesuffix(".json")] = _parse(str(path), path.read_text("utf-8"))
    return out


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise _refuse(str(cwd), f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def from_git(folder: Path, revision: str) -> dict[str, dict[str, Any]]:
    """Stack name -> template, for ``folder`` as it was at ``revision``."""
    anchor = folder if folder.is_dir() else folder.parent
    anchor = anchor.resolve()
    top = Path(_git(anchor, "rev-parse", "--show-toplevel").strip())
    relative = folder.resolve().relative_to(top).as_posix()
    listing = _git(top, "ls-tree", "--name-only", f"{revision}:{relative}").splitlines()
    out = {}
    for name in _names(listing):
        text = _git(top, "show", f"{revision}:{relative}/{name}")
        out[name.removesuffix(".json")] = _parse(f"{revision}:{relative}/{name}", text)
    return out


def read(folder: Path, revision: str | None = None) -> dict[str, dict[str, Any]]:
    """The last build in ``folder`` (or that folder as it was at ``revision``)."""
    return from_git(folder, revision) if revision else from_folder(folder)


_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


def route_priorities(templates: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Listener rule logical ID -> its ``Priority``, for every rule of ``templates`` (a
    previous build): what routes without ``priority:`` keep (see
    :mod:`generator.sections.load_balancers.priorities`). Anything else in a hand-edited
    template (no number, an ID in two stacks with two numbers) is not state: left out."""
    found: dict[str, set[int]] = {}
    for template in templates.values():
        resources = template.get("Resources")
        for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
            if not isinstance(resource, dict) or resource.get("Type") != _RULE:
                continue
            properties = resource.get("Properties")
            number = properties.get("Priority") if isinstance(properties, dict) else None
            if isinstance(number, int) and not isinstance(number, bool):
                found.setdefault(logical_id, set()).add(number)
    return {k: next(iter(v)) for k, v in sorted(found.items()) if len(v) == 1}


def compare(build: Build, old: dict[str, dict[str, Any]]) -> diff.Report:
    """What ``build`` changes compared with the templates ``old`` (:func:`read`)."""
    new = {s.name: s.data for s in build.stacks}
    regions = {s.name: s.region for s in build.stacks}
    return diff.compare(old, new, regions, build.checked.blueprint.region)
