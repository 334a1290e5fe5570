"""The drawing as values: nodes with shapes and places, edges with styles and labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: (section, name): the blueprint entry a node stands for, as :mod:`generator.facts` names it.
Key = tuple[str, str]
Shape = Literal["box", "round", "stadium", "cylinder", "circle", "hexagon"]
Style = Literal["traffic", "access", "control"]
Place = Literal["outside", "public", "private"]
#: An edge as drawn: (source id, target id, style, label).
Edge = tuple[str, str, Style, str]

INTERNET: Key = ("internet", "")
ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True)
class Node:
    """One box of the drawing: its label lines, its shape, and the subnet tier it sits in."""

    key: Key
    lines: tuple[str, ...]
    shape: Shape
    place: Place


@dataclass
class Graph:
    """Nodes by key, and edges with the set of label parts each one gathered."""

    nodes: dict[Key, Node] = field(default_factory=dict)
    edges: dict[tuple[Key, Key, Style], set[str]] = field(default_factory=dict)

    def node(self, key: Key, shape: Shape, place: Place, *lines: str) -> Key:
        self.nodes.setdefault(key, Node(key, lines, shape, place))
        return key

    def edge(self, source: Key, target: Key, style: Style, label: str) -> None:
        self.edges.setdefault((source, target, style), set()).add(label)

    def client(self, cidr: str) -> Key:
        """The node traffic from a CIDR block comes from: the internet for 0.0.0.0/0."""
        if cidr == ANYWHERE:
            return self.node(INTERNET, "circle", "outside", "Internet")
        return self.node(("cidr", cidr), "stadium", "outside", cidr)
