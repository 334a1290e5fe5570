"""The drawing as Mermaid or Graphviz DOT text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .shapes import Edge, Graph, Key, Node, Place, Shape, Style


def _ids(keys: Iterable[Key]) -> dict[Key, str]:
    """A readable identifier per key (``services_weekend_start``), made unique in sorted
    key order, so that it never depends on the blueprint's order."""
    out: dict[Key, str] = {}
    taken: set[str] = set()
    for section, name in sorted(keys):
        base = re.sub(r"[^A-Za-z0-9_]", "_", f"{section}_{name}" if name else section)
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}_{n}"
        taken.add(ident)
        out[(section, name)] = ident
    return out


def _sort_key(part: str) -> tuple[int, str]:
    """Label parts sort by their leading port number, then as text."""
    match = re.match(r"\d+", part)
    return (int(match.group()) if match else -1, part)


def _label(parts: set[str]) -> str:
    return ", ".join(sorted(parts, key=_sort_key))


def _layout(graph: Graph) -> tuple[dict[Key, str], dict[Place, list[Node]], list[Edge]]:
    """Identifiers, nodes by place in identifier order, and edges in identifier order."""
    ids = _ids(graph.nodes)
    by_place: dict[Place, list[Node]] = {"outside": [], "public": [], "private": []}
    for node in sorted(graph.nodes.values(), key=lambda n: ids[n.key]):
        by_place[node.place].append(node)
    edges = sorted(
        (ids[source], ids[target], style, _label(parts))
        for (source, target, style), parts in graph.edges.items()
    )
    return ids, by_place, edges


# Mermaid: entity codes stand for the characters that would end or confuse a label.
_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;"}
_MERMAID_SHAPES: dict[Shape, tuple[str, str]] = {
    "box": ("[", "]"),
    "round": ("(", ")"),
    "stadium": ("([", "])"),
    "cylinder": ("[(", ")]"),
    "circle": ("((", "))"),
    "hexagon": ("{{", "}}"),
}
_MERMAID_ARROWS: dict[Style, str] = {"traffic": "-->", "access": "-.->", "control": "==>"}


def mermaid_text(*lines: str) -> str:
    """Lines as one quoted Mermaid label: special characters as entity codes."""
    escaped = ("".join(_MERMAID_ESCAPES.get(ch, ch) for ch in line) for line in lines)
    return '"' + "<br/>".join(escaped) + '"'


def mermaid(graph: Graph, labels: dict[str, str]) -> str:
    ids, by_place, edges = _layout(graph)

    def node_line(node: Node, indent: str) -> str:
        open_, close = _MERMAID_SHAPES[node.shape]
        return f"{indent}{ids[node.key]}{open_}{mermaid_text(*node.lines)}{close}"

    out = ["flowchart LR"]
    out += [node_line(n, "    ") for n in by_place["outside"]]
    if by_place["public"] or by_place["private"]:
        out.append(f"    subgraph vpc[{mermaid_text(labels['vpc'])}]")
        for place in ("public", "private"):
            if by_place[place]:
                out.append(f"        subgraph subnets_{place}[{mermaid_text(labels[place])}]")
                out += [node_line(n, "            ") for n in by_place[place]]
                out.append("        end")
        out.append("    end")
    for source, target, style, label in edges:
        out.append(f"    {source} {_MERMAID_ARROWS[style]}|{mermaid_text(label)}| {target}")
    return "\n".join(out) + "\n"


_DOT_SHAPES: dict[Shape, str] = {
    "box": "shape=box",
    "round": 'shape=box, style="rounded"',
    "stadium": "shape=oval",
    "cylinder": "shape=cylinder",
    "circle": "shape=circle",
    "hexagon": "shape=hexagon",
}
_DOT_STYLES: dict[Style, str] = {"traffic": "solid", "access": "dashed", "control": "bold"}


def dot_text(*lines: str) -> str:
    """Lines as one quoted DOT string, one label line each."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def dot(graph: Graph, labels: dict[str, str]) -> str:
    ids, by_place, edges = _layout(graph)

    def node_line(node: Node, indent: str) -> str:
        label = dot_text(*node.lines)
        return f"{indent}{ids[node.key]} [label={label}, {_DOT_SHAPES[node.shape]}];"

    out = [
        "digraph blueprint {",
        '    graph [rankdir=LR, fontname="Helvetica"];',
        '    node [fontname="Helvetica", fontsize=11];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    out += [node_line(n, "    ") for n in by_place["outside"]]
    if by_place["public"] or by_place["private"]:
        out += ["    subgraph cluster_vpc {", f"        label={dot_text(labels['vpc'])};"]
        for place in ("public", "private"):
            if by_place[place]:
                out.append(f"        subgraph cluster_subnets_{place} {{")
                out.append(f"            label={dot_text(labels[place])};")
                out += [node_line(n, "            ") for n in by_place[place]]
                out.append("        }")
        out.append("    }")
    for source, target, style, label in edges:
        attrs = f"label={dot_text(label)}, style={_DOT_STYLES[style]}"
        out.append(f"    {source} -> {target} [{attrs}];")
    out.append("}")
    return "\n".join(out) + "\n"
