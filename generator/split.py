"""One logical template split into the stacks that deploy it.

Every blueprint renders into one logical template first; this step then gives each
resource and output a stack, as a function of the blueprint entry that made it (see
:func:`placement`), never of how many entries there are: adding or removing a service
moves nothing else, because moving a resource to another stack replaces it.

- A service's own resources, the routes that send traffic to it through a listener rule,
  and the outputs of those routes live in the service's stack.
- A created hosted zone lives in the zones stack, deployed before the main stack, unless
  the last build held it in the main stack (see :func:`generator.render.stacks.placement`).
- Everything else lives in the main stack, except a resource that refers to something in
  a service's stack (a schedule that scales the service, a database rule that admits its
  security group): it joins that stack, since the main stack deploys before it.

Values cross stacks as an output of the stack that makes them and a parameter of the one
that uses them, which deploy.sh fills from ``describe-stacks``. There are no exports: a
removed service's stack can always be deleted, as nothing imports from it.

Works on template data (no troposphere), after logical IDs are pinned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Path
from .template import Level, Reference, depends_on, references, replace

#: Headroom below CloudFormation's quotas for one stack: 500 resources, 1 MB of template
#: in S3, 200 parameters, 200 outputs.
MAX_RESOURCES = 450
MAX_BYTES = 900_000
MAX_PARAMETERS = 180
MAX_OUTPUTS = 180


@dataclass
class Part:
    """One stack's share of the logical template."""

    name: str
    region: str
    description: str
    resources: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    #: logical ID -> blueprint path that produced it
    origins: dict[str, Path] = field(default_factory=dict)
    #: parameter -> (stack, region, output) of an earlier stack
    sources: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @classmethod
    def whole(
        cls,
        name: str,
        region: str,
        data: dict[str, Any],
        origins: dict[str, Path],
        sources: dict[str, tuple[str, str, str]],
    ) -> Part:
        """A template that is not split: one stack holds all of it."""
        part = cls(name, region, data.get("Description", ""), origins=origins, sources=sources)
        part.parameters = dict(data.get("Parameters", {}))
        part.resources = dict(data.get("Resources", {}))
        part.outputs = dict(data.get("Outputs", {}))
        return part

    def template(self, version: str) -> dict[str, Any]:
        out: dict[str, Any] = {"AWSTemplateFormatVersion": version, "Description": self.description}
        if self.parameters:
            out["Parameters"] = dict(sorted(self.parameters.items()))
        out["Resources"] = self.resources
        if self.outputs:
            out["Outputs"] = dict(sorted(self.outputs.items()))
        return out


class SplitError(Exception):
    """An entry whose resources cannot be placed: named at its blueprint path."""

    def __init__(self, origin: Path, message: str) -> None:
        super().__init__(message)
        self.origin = origin
        self.message = message


@dataclass(frozen=True)
class Home:
    """Where an entry's resources go: a stack name and its description, or the main one.
    ``first``: the stack deploys before the main stack (the hosted zones: the main stack
    reads from it, and it refers to nothing there); else after it."""

    stack: str
    description: str
    first: bool = False


def _parameter_name(logical_id: str, attribute: str | None) -> str:
    return logical_id + (attribute or "").replace(".", "")


@dataclass
class Split:
    """Splitting ``template`` into stacks: ``Split(...).run()`` gives them in deploy order,
    the stacks deployed first (:attr:`Home.first`) by name, the main stack, then the others
    by name; a stack refers only to stacks before it.

    ``placement`` maps a blueprint path to the stack of its entry (None: the main stack);
    ``is_list(type, attribute)`` says whether a GetAtt value is a list; ``sources`` are
    the template's parameters that another stack's outputs fill."""

    template: Mapping[str, Any]
    main: Home
    region: str
    origins: Mapping[str, Path]
    output_origins: Mapping[str, Path]
    placement: Callable[[Path], Home | None]
    is_list: Callable[[str, str], bool]
    sources: Mapping[str, tuple[str, str, str]]

    def __post_init__(self) -> None:
        for key in ("Conditions", "Mappings", "Transform"):
            if key in self.template:
                raise ValueError(f"splitting a template with {key} is not supported")
        self.resources: Mapping[str, Any] = self.template.get("Resources", {})
        self.outputs: Mapping[str, Any] = self.template.get("Outputs", {})
        self.parameters: Mapping[str, Any] = self.template.get("Parameters", {})
        self.where: dict[str, str] = {}
        self.parts: dict[str, Part] = {}
        self.rank: dict[str, int] = {}

    # --- placing ---------------------------------------------------------------------------
    def run(self) -> list[Part]:
        homes = {self.main.stack: self.main}
        for logical_id in self.resources:
            home = self.placement(self.origins.get(logical_id, ())) or self.main
            homes.setdefault(home.stack, home)
            self.where[logical_id] = home.stack
        early = sorted(s for s, h in homes.items() if h.first and s != self.main.stack)
        late = sorted(s for s, h in homes.items() if not h.first and s != self.main.stack)
        order = [*early, self.main.stack, *late]
        self.rank = {name: i for i, name in enumerate(order)}
        self._pull()
        self.parts = {name: Part(name, self.region, homes[name].description) for name in order}
        for logical_id, body in self.resources.items():
            part = self.parts[self.where[logical_id]]
            at = self.origins.get(logical_id, ())
            local = {k: v for k, v in body.items() if k != "DependsOn"}
            local = self._localize(local, part, at, "resource")
            for dep in depends_on(body):
                if dep in self.where and self.rank[self.where[dep]] > self.rank[part.name]:
                    raise SplitError(
                        at, f"waits for '{dep}' in stack {self.where[dep]}, which deploys later"
                    )
            deps = [d for d in depends_on(body) if self.where.get(d, part.name) == part.name]
            if deps:
                local["DependsOn"] = deps if isinstance(body["DependsOn"], list) else deps[0]
            part.resources[logical_id] = local
            if logical_id in self.origins:
                part.origins[logical_id] = self.origins[logical_id]
        for name, body in self.outputs.items():
            at = self.output_origins.get(name, ())
            placed = self.placement(at)
            stack = placed.stack if placed is not None and placed.stack in self.parts else None
            if stack is None:
                stack = max(
                    (self.where[r] for r in references(body, "output") if r in self.resources),
                    key=self.rank.__getitem__,
                    default=self.main.stack,
                )
            part = self.parts[stack]
            if name in part.outputs:
                raise SplitError(at, f"output '{name}' is also a value another stack reads")
            part.outputs[name] = self._localize(body, part, at, "output")
        return list(self.parts.values())

    def _needs(self, logical_id: str) -> set[str]:
        return references(self.resources[logical_id], "resource") & self.resources.keys()

    def _pull(self) -> None:
        """A main-stack resource that refers to something in a stack deployed after it
        joins that stack, until nothing in the main stack refers forward. (A stack deployed
        before the main one is read through parameters, as every earlier stack is.)"""
        needs = {logical_id: self._needs(logical_id) for logical_id in self.resources}
        main = self.rank[self.main.stack]
        moved = True
        while moved:
            moved = False
            for logical_id in self.resources:
                if self.where[logical_id] != self.main.stack:
                    continue
                homes = {self.where[n] for n in needs[logical_id]}
                ahead = sorted(h for h in homes if self.rank[h] > main)
                if len(ahead) > 1:
                    raise SplitError(
                        self.origins.get(logical_id, ()),
                        f"'{logical_id}' joins resources of stacks {' and '.join(ahead)}; "
                        "blueprint cannot place it in either",
                    )
                if ahead:
                    self.where[logical_id] = ahead[0]
                    moved = True

    # --- rewriting references ----------------------------------------------------------------
    def _localize(self, value: Any, part: Part, at: Path, level: Level) -> Any:
        """``value`` as ``part`` can hold it: what another stack makes arrives through a
        parameter (a GetAtt becomes a Ref of it, a Sub variable names it)."""

        def one(reference: Reference) -> Reference:
            if self._reach(reference.name, reference.attribute, part, at):
                return Reference(_parameter_name(reference.name, reference.attribute))
            return reference

        return replace(value, one, level)

    def _reach(self, name: str, attribute: str | None, part: Part, at: Path) -> bool:
        """Make ``name`` (with ``attribute``) available in ``part``; True when it comes
        from another stack, through a parameter."""
        if name in self.parameters:
            part.parameters[name] = self.parameters[name]
            if name in self.sources:
                part.sources[name] = self.sources[name]
            return False
        home = self.where.get(name)
        if home is None or home == part.name:
            return False
        if self.rank[home] > self.rank[part.name]:
            raise SplitError(
                at,
                f"refers to '{name}' in stack {home}, which deploys after stack {part.name}",
            )
        key = _parameter_name(name, attribute)
        if part.sources.get(key, (home, self.region, key)) != (home, self.region, key):
            raise SplitError(at, f"two values from other stacks would both be named '{key}'")
        kind = self.resources[name]["Type"]
        listed = attribute is not None and self.is_list(kind, attribute)
        what = f"{attribute} of {name}" if attribute else name
        part.parameters[key] = {
            "Type": "CommaDelimitedList" if listed else "String",
            "Description": f"{what}, from stack {home} (deploy.sh passes it)",
        }
        part.sources[key] = (home, self.region, key)
        value: Any = {"Fn::GetAtt": [name, attribute]} if attribute else {"Ref": name}
        if listed:
            value = {"Fn::Join": [",", value]}
        source = self.parts[home]
        offered = {"Description": f"{what}, for other stacks of this blueprint", "Value": value}
        if source.outputs.setdefault(key, offered) != offered:
            raise SplitError(at, f"output '{key}' is also a value another stack reads")
        return True
