"""What a replacement sets moving, in its own stack and in the stacks after it.

A replaced resource is a new resource: its physical ID is new, so every ``Ref`` of it
changes, and an attribute read with ``Fn::GetAtt`` may (an ARN does, a port need not).
Values cross stacks as an output of one stack and a parameter of another, which deploy.sh
fills from the output (:mod:`generator.split`), so a change of the output's value is a
change of every property that reads the parameter. An output's value changes when a
resource it refers to is replaced or added (a logical ID renamed: the old resource goes,
a new one with a new physical ID comes), or when its ``Value`` is written otherwise than
in the deployed template (another resource, another literal: it changes for certain).
Each property reading such a value is judged as the diff judges any changed property: in
a create-only one, the resource is replaced (the value changes for certain) or may be (it
may change); elsewhere it changes in place. Marks spread until nothing more moves: a
service stack's replaced security group moves the service that names it.

Works on template data and verdicts by (stack, logical ID); the diff turns the marks into
its report (:func:`generator.diff.compare`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import replacement, template

#: stack -> parameter -> (stack, region, output) whose value deploy.sh passes to it
Sources = Mapping[str, Mapping[str, tuple[str, str, str]]]
#: (stack, logical ID)
Key = tuple[str, str]

MOVING = ("replaced", "may_be_replaced")
_RANK = {"in_place": 1, "may_be_replaced": 2, "replaced": 3}
_WORD = {"replaced": "replaced", "may_be_replaced": "may be replaced", "added": "added"}
#: Parameters lead to earlier stacks only; a hand-made cycle stops here.
_MAX_HOPS = 16


@dataclass(frozen=True)
class Mark:
    """A verdict a resource gets from what it refers to, and the path of that reference
    (``Properties.Cluster <- parameter Cluster <- linebot.Cluster replaced``)."""

    verdict: str
    reason: str


def derived_sources(templates: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Where each parameter's value comes from when only the templates are known: the
    output of the same name of another stack (the split names both after the value)."""
    outputs: dict[str, list[str]] = {}
    for stack, body in sorted(templates.items()):
        for name in _section(body, "Outputs"):
            outputs.setdefault(name, []).append(stack)
    out: dict[str, dict[str, Any]] = {}
    for stack, body in sorted(templates.items()):
        for name in _section(body, "Parameters"):
            found = [s for s in outputs.get(name, []) if s != stack]
            if len(found) == 1:
                out.setdefault(stack, {})[name] = (found[0], "", name)
    return out


def _section(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key, {})
    return value if isinstance(value, dict) else {}


def _output(
    templates: Mapping[str, Mapping[str, Any]], source: tuple[str, str, str]
) -> Mapping[str, Any] | None:
    """The output that fills a parameter, as ``templates`` write it; None without it (an
    output new to the stack: only what it refers to tells whether its value is new)."""
    output = _section(templates.get(source[0], {}), "Outputs").get(source[2])
    return output if isinstance(output, dict) else None


def _references(value: Any) -> Iterator[template.Reference]:
    found: list[template.Reference] = []

    def keep(reference: template.Reference) -> template.Reference:
        found.append(reference)
        return reference

    template.replace(value, keep)
    yield from sorted(set(found), key=lambda r: (r.name, r.attribute or ""))


@dataclass
class Spread:
    """Marks spreading from ``verdicts`` (the changes found stack by stack) through the
    ``templates`` to deploy, along references within a stack and ``sources`` across;
    ``old``: the templates deployed before, whose outputs tell a value written anew."""

    templates: Mapping[str, Mapping[str, Any]]
    regions: Mapping[str, str]
    default_region: str
    sources: Sources
    verdicts: dict[Key, str]
    marks: dict[Key, Mark] = field(default_factory=dict)
    old: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def run(self) -> dict[Key, Mark]:
        grew = True
        while grew:
            grew = False
            for stack in sorted(self.templates):
                resources = _section(self.templates[stack], "Resources")
                for logical_id, body in sorted(resources.items()):
                    mark = self._judge(stack, logical_id, body)
                    if mark is not None:
                        self.marks[(stack, logical_id)] = mark
                        self.verdicts[(stack, logical_id)] = mark.verdict
                        grew = True
        return self.marks

    def change(self, stack: str, value: Any, home: str, hops: int = 0) -> tuple[str, str] | None:
        """How surely ``value``, written in ``stack``, changes (replaced: for certain;
        may_be_replaced: it may) and the path to why; None when it does not. ``home`` is
        the stack of the resource judged, whose own IDs are named without their stack."""
        best: tuple[str, str] | None = None
        for reference in _references(value):
            found = self._one(stack, reference, home, hops)
            if found is not None and (best is None or _RANK[found[0]] > _RANK[best[0]]):
                best = found
        return best

    def _one(
        self, stack: str, reference: template.Reference, home: str, hops: int
    ) -> tuple[str, str] | None:
        if reference.name in _section(self.templates.get(stack, {}), "Resources"):
            verdict = self.verdicts.get((stack, reference.name))
            if verdict not in (*MOVING, "added"):
                return None
            where = reference.name if stack == home else f"{stack}.{reference.name}"
            what = where + (f".{reference.attribute}" if reference.attribute else "")
            # an added resource is a new one: its physical ID is new, as a replaced one's
            moved = "replaced" if verdict == "added" else str(verdict)
            sure = moved if reference.attribute is None else "may_be_replaced"
            return sure, f"{what} {_WORD[str(verdict)]}"
        source = self.sources.get(stack, {}).get(reference.name)
        if source is None or hops >= _MAX_HOPS:
            return None
        output = _output(self.templates, source)
        if output is None:
            return None
        found = self.change(source[0], output.get("Value"), home, hops + 1)
        was = _output(self.old, source)
        rewritten = was is not None and was.get("Value") != output.get("Value")
        if rewritten and (found is None or found[0] != "replaced"):
            found = "replaced", f"{source[0]}.Outputs.{source[2]} changed"
        if found is None:
            return None
        return found[0], f"parameter {reference.name} <- {found[1]}"

    def _judge(self, stack: str, logical_id: str, body: Any) -> Mark | None:
        """A stronger verdict for this resource than it has, from what it refers to."""
        current = self.verdicts.get((stack, logical_id))
        if current == "added" or not isinstance(body, dict):
            return None
        kind = str(body.get("Type", ""))
        props = body.get("Properties", {})
        region = self.regions.get(stack, self.default_region)
        best: Mark | None = None
        for pointer in replacement.create_only(region, kind):
            for value in replacement.values_at(props, pointer):
                found = self.change(stack, value, stack)
                if found and (best is None or _RANK[found[0]] > _RANK[best.verdict]):
                    best = Mark(found[0], f"Properties.{'.'.join(pointer)} <- {found[1]}")
        if best is not None:
            return best if _RANK[best.verdict] > _RANK.get(current or "", 0) else None
        if current is not None or not isinstance(props, dict):
            return None
        for key, value in sorted(props.items()):
            found = self.change(stack, value, stack)
            if found is not None:
                return Mark("in_place", f"Properties.{key} <- {found[1]}")
        return None
