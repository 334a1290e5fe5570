"""Resources of rendered stacks, the entries behind them, and references between them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import template

if TYPE_CHECKING:
    from ..rendered import RenderedStack

#: (section, name) of the blueprint entry behind a resource; name "" for a section-wide one.
Entry = tuple[str, str]


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    entry: Entry
    origin: tuple[str | int, ...]
    properties: Mapping[str, Any]


def entry_of(origin: tuple[str | int, ...]) -> Entry:
    return (str(origin[0]) if origin else "", str(origin[1]) if len(origin) > 1 else "")


class Stacks:
    """Rendered stacks by name, and where a reference in one of them points."""

    def __init__(self, stacks: list[RenderedStack]) -> None:
        self.by_name = {s.name: s for s in stacks}

    def target(self, stack: str, value: Any) -> tuple[str, str] | None:
        """(stack, logical ID) of the resource a Ref/GetAtt names, across stacks."""
        ref = template.target(value)
        if ref is None:
            return None
        here = self.by_name[stack]
        name = ref.name
        if name in here.data.get("Resources", {}):
            return (stack, name)
        if ref.attribute is None and name in here.parameter_sources:
            source, _, output = here.parameter_sources[name]
            return self.target(source, self.by_name[source].data["Outputs"][output]["Value"])
        return None

    def resource(self, stack: str, value: Any) -> Resource | None:
        found = self.target(stack, value)
        if found is None:
            return None
        s = self.by_name[found[0]]
        body = s.data["Resources"][found[1]]
        origin = s.origins.get(found[1], ())
        return Resource(
            s.name, found[1], body["Type"], entry_of(origin), origin, body.get("Properties", {})
        )


def resources(stacks: list[RenderedStack]) -> Iterator[Resource]:
    for s in stacks:
        for name, body in s.data.get("Resources", {}).items():
            origin = s.origins.get(name, ())
            yield Resource(
                s.name, name, body["Type"], entry_of(origin), origin, body.get("Properties", {})
            )


def number(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else default
