"""What the render step hands on, as plain data: each template as rendered (its logical
IDs pinned) and the stacks it was split into. The stack checks read it, then serialize."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import Path
from .output import canonical_json


@dataclass(frozen=True)
class Template:
    """One template as rendered, logical IDs pinned, before it is split into stacks."""

    data: dict[str, Any]
    #: logical ID -> blueprint path that produced it
    origins: dict[str, Path]


@dataclass(frozen=True)
class RenderedStack:
    """One stack to deploy: its template as data, and the canonical text of it."""

    name: str
    region: str
    file: str
    data: dict[str, Any]
    resources: int
    origins: dict[str, Path]
    #: parameter -> (stack, region, output) whose value deploy.sh passes to it
    parameter_sources: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: shared by every blueprint in the account and region: deployed without their tags
    shared: bool = False

    @functools.cached_property
    def text(self) -> str:
        """The canonical JSON written to disk and linted; made once, when first read (the
        byte quota of the stack checks reads it before serialize writes it)."""
        return canonical_json(self.data)


@dataclass(frozen=True)
class Rendered:
    """Every stack of a blueprint, rendered and split, not yet checked or serialized."""

    templates: list[Template]
    stacks: list[RenderedStack]
    #: the blueprint's ``logical_ids`` (new -> old); pinning applied those that do not
    #: conflict (:func:`generator.pinning.usable`), the stack checks report the others
    pins: Mapping[str, str]
    #: every logical ID the renderers made, before pinning
    made: frozenset[str]
