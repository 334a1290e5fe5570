"""What a deploy would do, offline: templates before and after, compared resource by
resource, with replacements predicted from the provider schemas and data-loss risks named.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import fixed_names, propagation, replacement, template
from .propagation import Sources

#: Exit codes of ``blueprint diff``, so CI can fail on data-loss risk alone; 12: the deploy
#: would fail (a replaced resource keeps its custom name, a security group rule is renamed
#: unchanged: :mod:`generator.fixed_names`), which stops it partway.
EXIT_NO_CHANGES, EXIT_CHANGES, EXIT_DATA_LOSS, EXIT_FAILS = 0, 10, 11, 12
RENAME_SIMILARITY = 0.8

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ResourceChange:
    """One resource's fate: added, removed, in_place, replaced or may_be_replaced."""

    logical_id: str
    type: str
    verdict: str
    #: changed property paths, like ``Properties.DBName``
    paths: tuple[str, ...] = ()
    #: why it is (or may be) replaced
    reasons: tuple[str, ...] = ()
    data_loss: bool = False
    #: for a removed resource: the added one that likely replaces it under a new name
    renamed_to: str | None = None
    #: why CloudFormation would refuse this change and fail the deploy
    error: str | None = None


@dataclass(frozen=True)
class StackDiff:
    stack: str
    region: str
    resources: tuple[ResourceChange, ...] = ()
    #: "+Name", "-Name", "~Name" for parameters and outputs
    parameters: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    status: str = "changed"  # added, removed, changed, unchanged


@dataclass(frozen=True)
class Report:
    stacks: tuple[StackDiff, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return any(s.status != "unchanged" for s in self.stacks)

    @property
    def data_loss(self) -> list[tuple[str, ResourceChange]]:
        return [(s.stack, r) for s in self.stacks for r in s.resources if r.data_loss]

    @property
    def errors(self) -> list[tuple[str, ResourceChange]]:
        return [(s.stack, r) for s in self.stacks for r in s.resources if r.error]

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_FAILS
        if self.data_loss:
            return EXIT_DATA_LOSS
        return EXIT_CHANGES if self.changed else EXIT_NO_CHANGES


# --- comparing values ----------------------------------------------------------------------


def changed_paths(old: Any, new: Any, path: Path = ()) -> Iterator[Path]:
    """Every innermost path where ``old`` and ``new`` differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                yield from changed_paths(old.get(key), new.get(key), (*path, key))
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                yield from changed_paths(a, b, (*path, i))
    elif old != new:
        yield path


#: What every reference becomes when renamed twins are compared: their names differ.
_ANY = template.Reference("<ref>")


def _leaves(value: Any, path: Path = ()) -> set[tuple[Path, str]]:
    """Flattened (path, value) pairs, references blanked, to compare renamed twins."""
    if isinstance(value, dict):
        if set(value) & {"Ref", "Fn::GetAtt"}:
            return {(path, "<ref>")}
        out: set[tuple[Path, str]] = set()
        for key, item in value.items():
            out |= _leaves(item, (*path, key))
        return out
    if isinstance(value, list):
        out = set()
        for i, item in enumerate(value):
            out |= _leaves(item, (*path, i))
        return out
    return {(path, value if isinstance(value, str) else repr(value))}


def similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    def blanked(resource: Mapping[str, Any]) -> set[tuple[Path, str]]:
        return _leaves(template.replace(resource.get("Properties", {}), lambda _: _ANY))

    left, right = blanked(a), blanked(b)
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


# --- comparing templates -------------------------------------------------------------------


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _resource(
    logical_id: str, old: dict[str, Any], new: dict[str, Any], region: str
) -> ResourceChange | None:
    kind = new["Type"]
    if old["Type"] != kind:
        return ResourceChange(
            logical_id,
            kind,
            "replaced",
            ("Type",),
            (f"type changed from {old['Type']}",),
            replacement.is_stateful(old["Type"]),
        )
    paths = list(changed_paths(old, new))
    if not paths:
        return None
    forced = sorted(
        {
            "/".join(str(p) for p in pointer)
            for path in paths
            if len(path) > 1 and path[0] == "Properties"
            for pointer in replacement.create_only(region, kind)
            if replacement.matches(path[1:], pointer)
        }
        | set(replacement.in_prose(kind, old.get("Properties"), new.get("Properties")))
    )
    verdict = "replaced" if forced else "in_place"
    loss = bool(forced) and replacement.is_stateful(kind)
    return ResourceChange(
        logical_id, kind, verdict, tuple(_dotted(p) for p in paths), tuple(forced), loss
    )


def _renames(changes: dict[str, ResourceChange], old: dict[str, Any], new: dict[str, Any]) -> None:
    added = [i for i, c in changes.items() if c.verdict == "added"]
    for logical_id in sorted(i for i, c in changes.items() if c.verdict == "removed"):
        twins = sorted(
            (similarity(old[logical_id], new[a]), a)
            for a in added
            if new[a]["Type"] == old[logical_id]["Type"]
        )
        if twins and twins[-1][0] >= RENAME_SIMILARITY:
            c = changes[logical_id]
            changes[logical_id] = ResourceChange(
                c.logical_id, c.type, c.verdict, c.paths, c.reasons, c.data_loss, twins[-1][1]
            )


def _named(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    out = [f"+{k}" for k in sorted(set(new) - set(old))]
    out += [f"-{k}" for k in sorted(set(old) - set(new))]
    out += [f"~{k}" for k in sorted(set(old) & set(new)) if old[k] != new[k]]
    return tuple(out)


def compare_stack(
    stack: str, region: str, old: dict[str, Any] | None, new: dict[str, Any] | None
) -> StackDiff:
    old_res = (old or {}).get("Resources", {})
    new_res = (new or {}).get("Resources", {})
    changes: dict[str, ResourceChange] = {}
    for logical_id in sorted(set(old_res) | set(new_res)):
        if logical_id not in old_res:
            kind = new_res[logical_id]["Type"]
            changes[logical_id] = ResourceChange(logical_id, kind, "added")
        elif logical_id not in new_res:
            kind = old_res[logical_id]["Type"]
            changes[logical_id] = ResourceChange(
                logical_id, kind, "removed", data_loss=replacement.is_stateful(kind)
            )
        else:
            change = _resource(logical_id, old_res[logical_id], new_res[logical_id], region)
            if change is not None:
                changes[logical_id] = change
    _renames(changes, old_res, new_res)
    for logical_id, message in fixed_names.duplicate_rules(old_res, new_res).items():
        changes[logical_id] = replace(changes[logical_id], error=message)
    params = _named((old or {}).get("Parameters", {}), (new or {}).get("Parameters", {}))
    outputs = _named((old or {}).get("Outputs", {}), (new or {}).get("Outputs", {}))
    status = "added" if old is None else "removed" if new is None else "changed"
    if status == "changed" and not (changes or params or outputs):
        status = "unchanged"
    return StackDiff(
        stack, region, tuple(changes[k] for k in sorted(changes)), params, outputs, status
    )


def compare(
    old: Mapping[str, dict[str, Any]],
    new: Mapping[str, dict[str, Any]],
    regions: Mapping[str, str],
    default_region: str,
    sources: Sources | None = None,
) -> Report:
    """Compare stacks by name: ``old`` and ``new`` map stack names to templates.
    ``sources``: where the parameters of ``new`` get their values (stack -> parameter ->
    (stack, region, output)); by default the output of the same name of another stack."""
    stacks = []
    for name in sorted(set(old) | set(new)):
        region = regions.get(name, default_region)
        stacks.append(compare_stack(name, region, old.get(name), new.get(name)))
    if sources is None:
        sources = propagation.derived_sources(new)
    spread = propagation.Spread(new, regions, default_region, sources, {}, old=old)
    stacks = _spread(stacks, old, new, spread)
    return Report(tuple(_moves(stacks)))


def _spread(
    stacks: list[StackDiff],
    old: Mapping[str, dict[str, Any]],
    new: Mapping[str, dict[str, Any]],
    spread: propagation.Spread,
) -> list[StackDiff]:
    """The changes references carry, within a stack and across stacks
    (:mod:`generator.propagation`), and the replacements CloudFormation refuses
    (:mod:`generator.fixed_names`)."""
    for s in stacks:
        spread.verdicts.update({(s.stack, r.logical_id): r.verdict for r in s.resources})
    marks = spread.run()
    errors = fixed_names.blocked(old, spread, spread.verdicts)
    out = []
    for s in stacks:
        changes = {r.logical_id: r for r in s.resources}
        for (stack, logical_id), mark in sorted(marks.items()):
            if stack == s.stack:
                kind = new[stack]["Resources"][logical_id]["Type"]
                paths = changes[logical_id].paths if logical_id in changes else ()
                loss = mark.verdict in propagation.MOVING and replacement.is_stateful(kind)
                changes[logical_id] = ResourceChange(
                    logical_id, kind, mark.verdict, paths, (mark.reason,), loss
                )
        for (stack, logical_id), message in errors.items():
            if stack == s.stack:
                changes[logical_id] = replace(changes[logical_id], error=message)
        status = "changed" if s.status == "unchanged" and changes else s.status
        out.append(replace(s, resources=tuple(changes[k] for k in sorted(changes)), status=status))
    return out


def _moves(stacks: list[StackDiff]) -> list[StackDiff]:
    """A logical ID removed from one stack and added to another has moved: CloudFormation
    sees two unrelated resources, deletes the old one and creates a new one."""
    removed = {r.logical_id: s.stack for s in stacks for r in s.resources if r.verdict == "removed"}
    added = {r.logical_id: s.stack for s in stacks for r in s.resources if r.verdict == "added"}
    moved = removed.keys() & added.keys()
    if not moved:
        return stacks
    out = []
    for s in stacks:
        resources = []
        for r in s.resources:
            change = r
            if r.logical_id in moved and r.verdict == "removed":
                why = f"moves to stack {added[r.logical_id]}: deleted here, created new there"
                change = replace(r, reasons=(why,), renamed_to=None)
            elif r.logical_id in moved and r.verdict == "added":
                change = replace(r, reasons=(f"moved from stack {removed[r.logical_id]}",))
            resources.append(change)
        out.append(replace(s, resources=tuple(resources)))
    return out


# --- reporting -----------------------------------------------------------------------------

_MARK = {"added": "+", "removed": "-", "in_place": "~", "replaced": "!", "may_be_replaced": "?"}
_WORD = {
    "added": "added",
    "removed": "removed",
    "in_place": "changed in place",
    "replaced": "REPLACED",
    "may_be_replaced": "MAY BE REPLACED",
}


def text(report: Report) -> str:
    """The report for people: one line per changed resource, data-loss risks loudest."""
    lines = []
    for s in report.stacks:
        if s.status == "unchanged":
            continue
        lines.append(f"stack {s.stack} ({s.region}): {s.status}")
        for r in s.resources:
            line = f"  {_MARK[r.verdict]} {r.logical_id} ({r.type}): {_WORD[r.verdict]}"
            if r.reasons and r.verdict == "replaced":
                line += f" (create-only: {', '.join(r.reasons)})"
            elif r.reasons:
                line += f" ({'; '.join(r.reasons)})"
            elif r.paths and r.verdict == "in_place":
                shown = ", ".join(r.paths[:4]) + (" ..." if len(r.paths) > 4 else "")
                line += f": {shown}"
            if r.renamed_to:
                line += (
                    f"; likely renamed to {r.renamed_to}: keep the old logical ID with "
                    f"'logical_ids: {{{r.renamed_to}: {r.logical_id}}}'"
                )
            if r.data_loss:
                line += "  << DATA LOSS RISK"
            lines.append(line)
            if r.error:
                lines.append(f"    error: {r.error}")
        for label, items in (("parameters", s.parameters), ("outputs", s.outputs)):
            if items:
                lines.append(f"  {label}: {' '.join(items)}")
    risks = report.data_loss
    if not report.changed:
        lines.append("no changes")
    elif risks:
        names = ", ".join(f"{stack}/{r.logical_id}" for stack, r in risks)
        lines.append(f"DATA LOSS RISK: {names} would be replaced or removed")
    else:
        lines.append("changes, none of them a data-loss risk")
    if report.errors:
        names = ", ".join(f"{stack}/{r.logical_id}" for stack, r in report.errors)
        lines.append(f"DEPLOY WOULD FAIL: CloudFormation would refuse to replace {names}")
    return "\n".join(lines) + "\n"


def tsv(report: Report) -> str:
    """One ``stack<TAB>logical ID<TAB>verdict`` line per changed resource, for scripts
    (deploy.sh --review compares them with CloudFormation's change sets)."""
    return "".join(
        f"{s.stack}\t{r.logical_id}\t{r.verdict}\n" for s in report.stacks for r in s.resources
    )


def as_json(report: Report) -> dict[str, Any]:
    return {
        "changed": report.changed,
        "data_loss": bool(report.data_loss),
        "fails": bool(report.errors),
        "stacks": [
            {
                "stack": s.stack,
                "region": s.region,
                "status": s.status,
                "parameters": list(s.parameters),
                "outputs": list(s.outputs),
                "resources": [
                    {
                        "logical_id": r.logical_id,
                        "type": r.type,
                        "verdict": r.verdict,
                        "paths": list(r.paths),
                        "reasons": list(r.reasons),
                        "data_loss": r.data_loss,
                        "renamed_to": r.renamed_to,
                        "error": r.error,
                    }
                    for r in s.resources
                ],
            }
            for s in report.stacks
        ],
    }
