"""``overrides:``, the last resort: values written into resources of the rendered templates.

Applied after logical IDs are pinned and the templates split into stacks (each override
finds its resource's stack by logical ID), before the stack checks, serialization and
lint: what is written is checked and linted like the rest, and ``blueprint diff`` shows it.
Each override is checked first: the logical ID must be one the build makes, the property
one the type's provider schema (cfn-lint's copy) describes, as deep as it describes it,
and the path one that can be followed in the rendered resource. ``Delete`` is refused as a
deletion policy of a resource blueprint retains or snapshots, or of a type that holds data.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import replacement
from .codes import Code
from .errors import Issue, Path, file_shown, shown, suggest
from .loader import Document
from .model.overrides import POLICIES
from .rendered import Rendered, RenderedStack, Template

#: The deletion policies CloudFormation takes
#: (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
POLICY_VALUES = ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot")

#: why a change is refused: its code and message (None: it is not)
Refusal = tuple[Code, str] | None


@dataclass(frozen=True)
class Applied:
    """One override written into a stack."""

    #: the override's key in the blueprint: ``("overrides", logical ID, path)``
    where: Path
    stack: str
    logical_id: str
    #: the path in the resource, split at its dots
    segments: tuple[str, ...]
    #: how many of ``segments`` were there before: what lies under the first one that was
    #: not (a mapping the override made on the way) is the override's too
    found: int | None = None

    @property
    def owns(self) -> tuple[str, ...]:
        """The path under which everything is this override's."""
        return self.segments if self.found is None else self.segments[: self.found + 1]


def _is_index(segment: str) -> bool:
    """Whether a path segment is a list index: ASCII digits only (the path's shape,
    :mod:`generator.model.overrides`)."""
    return segment.isascii() and segment.isdigit()


def apply(
    rendered: Rendered, overrides: Mapping[str, Mapping[str, Any]]
) -> tuple[Rendered, list[Issue], list[Applied]]:
    """``rendered`` with every override that passes its checks written in; an issue for
    each one that does not; what was applied, in the order of logical IDs and then as
    written."""
    if not overrides:
        return rendered, [], []
    homes: dict[str, int] = {}
    shared: dict[str, str] = {}
    for index, stack in enumerate(rendered.stacks):
        for logical_id in stack.data.get("Resources", {}):
            if stack.shared:
                shared[logical_id] = stack.name
            else:
                homes.setdefault(logical_id, index)
    stacks, templates = list(rendered.stacks), list(rendered.templates)
    issues: list[Issue] = []
    applied: list[Applied] = []
    for logical_id, changes in sorted(overrides.items()):
        if logical_id not in homes:
            issues.append(_unknown(logical_id, homes, shared))
            continue
        stack = stacks[homes[logical_id]]
        body, done, found = _resource(stack.region, stack.data["Resources"][logical_id], changes)
        issues.extend(
            Issue(("overrides", logical_id, p), m, code=c, at_key=True) for p, c, m in found
        )
        if not done:
            continue
        stacks[homes[logical_id]] = _with(stack, logical_id, body)
        written = {p: changes[p] for p, _ in done}
        templates = [_in_template(t, logical_id, stack.region, written) for t in templates]
        applied.extend(
            Applied(("overrides", logical_id, p), stack.name, logical_id, tuple(p.split(".")), n)
            for p, n in done
        )
    return dataclasses.replace(rendered, stacks=stacks, templates=templates), issues, applied


def _unknown(logical_id: str, homes: Iterable[str], shared: Mapping[str, str]) -> Issue:
    where = ("overrides", logical_id)
    if logical_id in shared:
        message = (
            f"'{logical_id}' is in the stack {shared[logical_id]}, which every blueprint in "
            "the account and region shares: an override there would change it for all of them"
        )
    else:
        close = difflib.get_close_matches(logical_id, sorted(homes), n=3, cutoff=0.6)
        hint = "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else ""
        message = f"no resource of this build has the logical ID '{logical_id}'{hint}"
    return Issue(where, message, code=Code.OVERRIDE_ID_UNKNOWN, at_key=True)


def _resource(
    region: str, body: Mapping[str, Any], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, int | None]], list[tuple[str, Code, str]]]:
    """Check each change to one resource and write those that pass into a copy of it, in
    the order written: the copy, the paths written (each with how many of its segments
    were there before, when it made mappings on the way), and (path, code, message) for
    each change refused."""
    work: dict[str, Any] = copy.deepcopy(dict(body))
    done: list[tuple[str, int | None]] = []
    refused: list[tuple[str, Code, str]] = []
    for path, value in changes.items():
        parts = tuple(path.split("."))
        trial = copy.deepcopy(work)  # a change refused half-way leaves nothing behind
        found = _check(region, work, parts, value) or _write(
            trial, parts, copy.deepcopy(value), _tags_are_list(region, work)
        )
        if found is None:
            there = _there(work, parts)
            work = trial
            done.append((path, there if there < len(parts) - 1 else None))
        else:
            refused.append((path, *found))
    return work, done, refused


def _there(body: Any, parts: tuple[str, ...]) -> int:
    """How many leading segments of ``parts`` are in ``body``."""
    for depth, name in enumerate(parts):
        if isinstance(body, dict) and name in body:
            body = body[name]
        elif isinstance(body, list) and _is_index(name) and int(name) < len(body):
            body = body[int(name)]
        else:
            return depth
    return len(parts)


def _with(stack: RenderedStack, logical_id: str, body: dict[str, Any]) -> RenderedStack:
    """``stack`` with the resource ``logical_id`` replaced (a new stack: its text is made
    afresh)."""
    resources = {**stack.data["Resources"], logical_id: body}
    return dataclasses.replace(stack, data={**stack.data, "Resources": resources})


def _in_template(
    template: Template, logical_id: str, region: str, written: Mapping[str, Any]
) -> Template:
    """``template`` (as rendered, before the split) with the overrides written into its
    resource too, so that the checks that read it see them. The paths passed the same
    checks on the split resource, whose shape split does not change."""
    body = template.data.get("Resources", {}).get(logical_id)
    if body is None:
        return template
    work, _, _ = _resource(region, body, written)
    resources = {**template.data["Resources"], logical_id: work}
    return dataclasses.replace(template, data={**template.data, "Resources": resources})


def _check(region: str, body: Mapping[str, Any], parts: tuple[str, ...], value: Any) -> Refusal:
    if parts[0] in POLICIES:
        return _policy(body, parts[0], value)
    return _property(region, body.get("Type", ""), parts[1:])


def _policy(body: Mapping[str, Any], name: str, value: Any) -> Refusal:
    """A deletion policy must be one CloudFormation takes, and not ``Delete`` (or
    removed: Delete is CloudFormation's default for most types) on a resource that
    blueprint keeps, or whose type holds data."""
    if value is not None and value not in POLICY_VALUES:
        expected = ", ".join(f"'{v}'" for v in POLICY_VALUES)
        return Code.VALUE_CHOICE, f"{shown(value)} is not a {name}; expected one of {expected}"
    if value not in (None, "Delete"):
        return None
    current, kind = body.get(name), body.get("Type", "")
    if current not in (None, "Delete"):
        why = f"blueprint keeps {kind} with {name} '{current}'"
    elif current is None and replacement.is_stateful(kind):
        why = f"{kind} holds data"
    else:
        return None
    when = "the stack is deleted" if name == "DeletionPolicy" else "an update replaces it"
    what = "'Delete'" if value else "removing it (CloudFormation's default is Delete)"
    return Code.OVERRIDE_UNPROTECTS, (
        f"{why}; {what} would lose its data when {when} (what a snapshot or a retained "
        "resource keeps stays in the account: delete it there once it is not needed)"
    )


def _property(region: str, kind: str, names: tuple[str, ...]) -> Refusal:
    """``Properties.<names>`` must be a property the provider schema of ``kind``
    describes, followed as far as the schema describes it, and not a read-only one."""
    schema = replacement._schema(region, kind)
    props = schema.get("properties")
    if not isinstance(props, dict):
        return None  # a type the schemas do not describe: cfn-lint has its say
    top = names[0]
    if top not in props:
        return Code.OVERRIDE_PROPERTY_UNKNOWN, f"{kind} has no property {shown(top)}" + suggest(
            top, props
        )
    if f"/properties/{top}" in schema.get("readOnlyProperties", ()):
        return Code.OVERRIDE_PROPERTY_UNKNOWN, f"{kind}'s {top} is read-only: AWS sets it"
    node = props[top]
    for depth, name in enumerate(names[1:], start=1):
        node = _resolved(schema, node)
        here = ".".join(names[:depth])
        if _is(node, "array") and (_is_index(name) or not _is(node, "object")):
            if not _is_index(name):
                return Code.OVERRIDE_PATH_INVALID, (
                    f"{kind}'s {here} is a list: the step after it is an item's index, "
                    f"as in '{here}.0'"
                )
            node = node.get("items", {})
            continue
        inner = node.get("properties")
        if not isinstance(inner, dict) or node.get("additionalProperties") is not False:
            return None  # the schema describes no further
        if name not in inner:
            return Code.OVERRIDE_PROPERTY_UNKNOWN, (
                f"{kind}'s {here} has no property {shown(name)}" + suggest(name, inner)
            )
        node = inner[name]
    return None


def _resolved(schema: Mapping[str, Any], node: Any) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        node = replacement._follow(dict(schema), node["$ref"])
    return node if isinstance(node, dict) else {}


def _is(node: Mapping[str, Any], kind: str) -> bool:
    declared = node.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)


def _tags_are_list(region: str, body: Mapping[str, Any]) -> bool:
    """Does the type take ``Tags`` as a list of Key/Value pairs (most), rather than as
    a mapping (a few, such as ``AWS::SSM::Parameter``)?"""
    schema = replacement._schema(region, body.get("Type", ""))
    tags = _resolved(schema, schema.get("properties", {}).get("Tags"))
    return not _is(tags, "object")


def _write(body: dict[str, Any], parts: tuple[str, ...], value: Any, tags_list: bool) -> Refusal:
    """Write ``value`` at ``parts`` of ``body`` (null: remove what is there), making the
    mappings on the way that are not there; why it cannot be, or None."""
    if parts == ("Properties", "Tags") and isinstance(value, dict):
        return _merge_tags(body.setdefault("Properties", {}), value, tags_list)
    node: Any = body
    for depth, name in enumerate(parts[:-1]):
        create = value is not None
        node, problem = _step(node, name, ".".join(parts[:depth]), create, parts[depth + 1])
        if problem is not None:
            return Code.OVERRIDE_PATH_INVALID, problem
    last, parent = parts[-1], ".".join(parts[:-1])
    if isinstance(node, list):
        problem = _index_problem(node, last, parent)
        if problem is not None:
            return Code.OVERRIDE_PATH_INVALID, problem
        if value is None:
            del node[int(last)]
        else:
            node[int(last)] = value
    elif value is not None:
        node[last] = value
    elif last in node:
        del node[last]
    else:
        return Code.OVERRIDE_PATH_INVALID, f"nothing at {'.'.join(parts)} to remove"
    return None


def _step(node: Any, name: str, parent: str, create: bool, after: str) -> tuple[Any, str | None]:
    """One step along a path: a list's item, a mapping's value (an empty mapping made
    when it is absent and ``create``, unless the step ``after`` it is an index: a list
    is not made item by item); why it cannot be taken, or None."""
    here = f"{parent}.{name}" if parent else name
    if isinstance(node, list):
        problem = _index_problem(node, name, parent)
        if problem is not None:
            return None, problem
        child = node[int(name)]
    elif name in node:
        child = node[name]
    elif create and _is_index(after):
        return None, f"there is no list at {here} to index: write the whole list at {here}"
    elif create:
        child = node[name] = {}
    else:
        return None, f"nothing at {here} to remove"
    if isinstance(child, dict) and len(child) == 1 and _intrinsic(next(iter(child))):
        return None, (
            f"{here} is worked out by {next(iter(child))} when the stack deploys: "
            f"override {here} whole"
        )
    if not isinstance(child, dict | list):
        return None, f"{here} is {shown(child)}, not a mapping or a list"
    return child, None


def _intrinsic(key: str) -> bool:
    return key == "Ref" or key.startswith("Fn::")


def _index_problem(items: list[Any], name: str, parent: str) -> str | None:
    if _is_index(name) and int(name) < len(items):
        return None
    if not items:
        return f"{parent} is an empty list: override {parent} whole"
    if len(items) == 1:
        return f"{parent} holds one item: its index is 0"
    return f"{parent} holds {len(items)} items: their indexes are 0 to {len(items) - 1}"


def _merge_tags(props: dict[str, Any], tags: Mapping[str, Any], as_list: bool) -> Refusal:
    """A mapping at ``Properties.Tags`` adds or changes those tags (null removes one) and
    keeps the others, in a list of Key/Value pairs or a mapping as the type takes them."""
    current = props.get("Tags")
    keys = set(current) if isinstance(current, dict) else set()
    if isinstance(current, list):
        keys = {t.get("Key") for t in current if isinstance(t, dict)}
    missing = sorted(k for k, v in tags.items() if v is None and k not in keys)
    if missing:
        return Code.OVERRIDE_PATH_INVALID, f"no tag {shown(missing[0])} to remove"
    if isinstance(current, dict) or (current is None and not as_list):
        merged = {**(current or {}), **tags}
        props["Tags"] = {k: v for k, v in merged.items() if v is not None}
        return None
    if current is not None and not isinstance(current, list):
        return Code.OVERRIDE_PATH_INVALID, f"Properties.Tags is {shown(current)}, not a list"
    items = []
    for tag in current or []:
        key = tag.get("Key") if isinstance(tag, dict) else None
        if not isinstance(key, str) or key not in tags:
            items.append(tag)
        elif tags[key] is not None:
            items.append({"Key": key, "Value": tags[key]})
    items += [{"Key": k, "Value": v} for k, v in tags.items() if k not in keys and v is not None]
    props["Tags"] = items
    return None


def origin(applied: Sequence[Applied], stack: str, path: Sequence[str | int]) -> Path | None:
    """The key of the override that wrote what a lint finding at ``path`` (from the
    template's root) points into, or None: the finding is the rendered resource's."""
    best: Applied | None = None
    found = [str(p) for p in path]
    for a in applied:
        mine = ["Resources", a.logical_id, *a.owns]
        longer = best is None or len(a.owns) > len(best.owns)
        if a.stack == stack and found[: len(mine)] == mine and longer:
            best = a
    return None if best is None else best.where


def note(applied: Applied, document: Document) -> str:
    """The line a build prints for an override it applied."""
    line, column = document.positions.of(applied.where, at_key=True)
    return (
        f"{file_shown(document.file)}:{line}:{column}: override applied: "
        f"{applied.stack}/{applied.logical_id} {'.'.join(applied.segments)}"
    )
