"""Draw a validated blueprint's architecture as a Mermaid flowchart or a Graphviz digraph.

The drawing is read off the validated model and what resolution worked out, never off
the templates (no troposphere here), yet its traffic edges are the ones the templates
open:

* **nodes**: the internet (and each CIDR block other than ``0.0.0.0/0`` that a listener
  or SSH admits), CloudFront distributions, load balancers, WebSocket APIs, ECS services,
  EC2 capacity, instance groups, Lambda functions, databases, caches, file systems,
  buckets, tables, S3 buckets outside the blueprint that a permission names, schedules,
  and the event rule and DNS-updater function behind a service's ``public_dns``;
* **subgraphs**: the VPC, split into its public and private subnets; whatever runs in a
  subnet sits in that tier (services, EC2 capacity, instances, load balancers by scheme,
  databases and caches in the private tier, file systems where their mount targets are),
  everything regional (functions, which run outside the VPC, buckets, tables, APIs,
  CloudFront, schedules) outside it;
* **traffic edges** (solid, labelled with ports), one per security-group rule the
  renderers make: clients -> load balancer on 443/80, load balancer -> route target on
  its port (the dynamic host port range for a service on EC2 capacity), ``allow_from``
  and mounts -> database, cache or file system on its engine's port or NFS 2049,
  ``ssh_from`` -> hosts on 22, CloudFront -> origin service on the origin port; plus the
  public endpoints of CloudFront and API Gateway. Tasks on EC2 capacity share their hosts'
  security group, so what they may reach is drawn from the capacity's node;
* **access edges** (dashed): named permissions, e.g. ``service -> bucket "read"``;
* **control edges** (thick): schedules setting a desired count, API routes invoking
  functions, event rules, and a service running on EC2 capacity.

The output is deterministic: every section is walked in sorted order, so reordering the
blueprint's entries changes no byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .model.blueprint import Blueprint
from .model.permissions import (
    BucketPermission,
    DatabasePermission,
    ExternalBucketPermission,
    Permission,
    TablePermission,
    WebSocketPermission,
)
from .model.ports import DYNAMIC_PORTS
from .model.resolve import Resolved
from .model.types import is_cidr
from .pipeline import Checked
from .sections.services.model import Service

FORMATS = ("mermaid", "dot")

#: (section, name): the same key the model and ``Reach`` use for an entry.
Key = tuple[str, str]
Shape = Literal["box", "round", "stadium", "cylinder", "circle", "hexagon"]
Style = Literal["traffic", "access", "control"]
Place = Literal["outside", "public", "private"]
#: An edge as drawn: (source id, target id, style, label).
Edge = tuple[str, str, Style, str]

INTERNET: Key = ("internet", "")
_ANYWHERE = "0.0.0.0/0"
_PROVIDERS = {"FARGATE": "Fargate", "FARGATE_SPOT": "Fargate Spot"}
_NAT = {"none": "no NAT", "single": "one NAT gateway", "per_az": "a NAT gateway per zone"}


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
        if cidr == _ANYWHERE:
            return self.node(INTERNET, "circle", "outside", "Internet")
        return self.node(("cidr", cidr), "stadium", "outside", cidr)


def render(checked: Checked, fmt: str = "mermaid") -> str:
    """The architecture of a checked blueprint as Mermaid (``flowchart LR``) or DOT text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format '{fmt}': use mermaid or dot")
    graph = build(checked.blueprint, checked.resolved)
    labels = _subgraph_labels(checked.blueprint, checked.resolved)
    return _mermaid(graph, labels) if fmt == "mermaid" else _dot(graph, labels)


def build(bp: Blueprint, resolved: Resolved) -> Graph:
    """Every node and edge of the drawing, independent of the output format."""
    g = Graph()
    _compute(g, bp)
    _data(g, bp)
    _load_balancers(g, bp, resolved)
    _edge_services(g, bp, resolved)
    _reach(g, bp, resolved)
    _permissions(g, bp)
    _schedules_and_events(g, bp)
    return g


# --- nodes and edges -----------------------------------------------------------------------


def _capacity(svc: Service) -> str:
    ec2 = svc.ec2_capacity
    if ec2 is not None:
        return f"EC2 capacity {ec2}"
    return " + ".join(_PROVIDERS[p] for p in sorted({s.provider for s in svc.capacity}))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _compute(g: Graph, bp: Blueprint) -> None:
    for name, cap in sorted(bp.ec2_capacity.items()):
        g.node(
            ("ec2_capacity", name),
            "box",
            cap.subnets,
            f"EC2 capacity {name} ({cap.instance_type})",
            f"{cap.min_size}-{cap.max_size} container instances",
        )
    for name, svc in sorted(bp.services.items()):
        ec2 = svc.ec2_capacity
        place = bp.ec2_capacity[ec2].subnets if ec2 else svc.subnets
        key = g.node(
            ("services", name),
            "box",
            place,
            f"ECS service {name} ({_capacity(svc)})",
            _plural(svc.desired_count, "task"),
        )
        if ec2:
            g.edge(key, ("ec2_capacity", ec2), "control", "runs on")
    for name, group in sorted(bp.instances.items()):
        g.node(
            ("instances", name),
            "box",
            group.subnets,
            f"EC2 instances {name} ({group.instance_type})",
            _plural(group.count, "instance"),
        )
    for name, fn in sorted(bp.functions.items()):
        g.node(("functions", name), "round", "outside", f"Lambda {name} ({fn.runtime or 'image'})")


def _mount_tier(bp: Blueprint, name: str) -> Place:
    """Where a file system's mount targets are: the subnets of the services that mount it,
    private when none do or they disagree (as the data renderer places them)."""
    tiers = {
        svc.subnets
        for svc in bp.services.values()
        for container in svc.containers.values()
        for mount in container.mounts
        if mount.file_system == name
    }
    return tiers.pop() if len(tiers) == 1 else "private"


def _data(g: Graph, bp: Blueprint) -> None:
    for name, db in sorted(bp.databases.items()):
        label = f"RDS {name} ({db.engine} {db.version})"
        g.node(("databases", name), "cylinder", "private", label)
    for name, cache in sorted(bp.caches.items()):
        label = f"ElastiCache {name} ({cache.engine} {cache.version})"
        g.node(("caches", name), "cylinder", "private", label)
    for name in sorted(bp.file_systems):
        g.node(("file_systems", name), "cylinder", _mount_tier(bp, name), f"EFS {name}")
    for name, bucket in sorted(bp.buckets.items()):
        lines = [f"S3 bucket {name}"] + ([bucket.name] if bucket.name else [])
        g.node(("buckets", name), "cylinder", "outside", *lines)
    for name in sorted(bp.tables):
        g.node(("tables", name), "cylinder", "outside", f"DynamoDB table {name}")


def _ports(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _load_balancers(g: Graph, bp: Blueprint, resolved: Resolved) -> None:
    for name, lb in sorted(bp.load_balancers.items()):
        place: Place = "public" if lb.scheme == "internet-facing" else "private"
        lines = [f"Load balancer {name} ({lb.scheme})", *sorted(lb.aliases)]
        key = g.node(("load_balancers", name), "box", place, *lines)
        ports = ([443] if lb.https else []) + ([80] if lb.http != "off" else [])
        for cidr in sorted(lb.allowed_cidrs):
            for port in ports:
                g.edge(g.client(cidr), key, "traffic", str(port))
    for target in resolved.routes.values():
        lb_key: Key = ("load_balancers", target.lb)
        if target.route.instances is not None:
            g.edge(lb_key, ("instances", target.route.instances), "traffic", str(target.port))
            continue
        assert target.route.service is not None
        service = bp.services[target.route.service]
        label = str(target.port)
        if service.ec2_capacity:
            label = f"{_ports(*DYNAMIC_PORTS)} (host ports for {target.port})"
        g.edge(lb_key, ("services", target.route.service), "traffic", label)


def _edge_services(g: Graph, bp: Blueprint, resolved: Resolved) -> None:
    """CloudFront with its origins, and WebSocket APIs with the functions they invoke."""
    origin_services = {dist: (svc, port) for dist, svc, port in resolved.origin_services}
    aliases = {a: name for name, lb in bp.load_balancers.items() for a in lb.aliases}
    for name, dist in sorted(bp.distributions.items()):
        lines = [f"CloudFront {name}", *sorted(dist.aliases)]
        key = g.node(("distributions", name), "stadium", "outside", *lines)
        for port in (80, 443):  # viewers on 80 are redirected to HTTPS
            g.edge(g.client(_ANYWHERE), key, "traffic", str(port))
        origin = dist.origin
        port = origin.http_port if origin.protocol == "http" else origin.https_port
        if name in origin_services:
            svc, svc_port = origin_services[name]
            label = f"{svc_port} (open to {_ANYWHERE})"
            g.edge(key, ("services", svc), "traffic", label)
        elif origin.domain in aliases:
            g.edge(key, ("load_balancers", aliases[origin.domain]), "traffic", str(port))
        else:
            label = f"origin {origin.domain}"
            target = g.node(("origins", origin.domain), "stadium", "outside", label)
            g.edge(key, target, "traffic", str(port))
    for name, api in sorted(bp.websocket_apis.items()):
        lines = [f"WebSocket API {name}"] + ([api.domain.name] if api.domain else [])
        key = g.node(("websocket_apis", name), "stadium", "outside", *lines)
        g.edge(g.client(_ANYWHERE), key, "traffic", "443")
        for route_key, function in sorted(api.routes.items()):
            g.edge(key, ("functions", function), "control", route_key)


def _reach(g: Graph, bp: Blueprint, resolved: Resolved) -> None:
    """``allow_from``, mounts and ``ssh_from`` between entries, and SSH from CIDR blocks."""
    for r in resolved.reach:
        g.edge(r.source, r.target, "traffic", _ports(r.low, r.high))
    hosts = [("instances", n, i.ssh_from) for n, i in bp.instances.items()]
    hosts += [("ec2_capacity", n, c.ssh_from) for n, c in bp.ec2_capacity.items()]
    for section, name, ssh_from in sorted(hosts):
        for source in sorted(s for s in ssh_from if is_cidr(s)):
            g.edge(g.client(source), (section, name), "traffic", "22")


def _permission_edge(g: Graph, source: Key, permission: Permission) -> None:
    if isinstance(permission, BucketPermission):
        g.edge(source, ("buckets", permission.bucket), "access", permission.access)
    elif isinstance(permission, ExternalBucketPermission):
        bucket = permission.s3_bucket
        target = g.node(("s3", bucket), "cylinder", "outside", f"S3 bucket {bucket} (external)")
        g.edge(source, target, "access", permission.access)
    elif isinstance(permission, TablePermission):
        g.edge(source, ("tables", permission.table), "access", permission.access)
    elif isinstance(permission, WebSocketPermission):
        g.edge(source, ("websocket_apis", permission.websocket_api), "access", "manage connections")
    elif isinstance(permission, DatabasePermission):
        g.edge(source, ("databases", permission.database), "access", "read secret")


def _permissions(g: Graph, bp: Blueprint) -> None:
    holders: list[tuple[str, str, Iterable[Permission]]] = []
    holders += [("services", n, s.permissions) for n, s in bp.services.items()]
    holders += [("instances", n, i.permissions) for n, i in bp.instances.items()]
    holders += [("functions", n, f.permissions) for n, f in bp.functions.items()]
    for section, name, permissions in sorted(holders, key=lambda h: h[:2]):
        for permission in permissions:
            _permission_edge(g, (section, name), permission)


def _schedules_and_events(g: Graph, bp: Blueprint) -> None:
    for name, sched in sorted(bp.schedules.items()):
        lines = [f"Schedule {name}", sched.timezone] + ([] if sched.enabled else ["disabled"])
        key = g.node(("schedules", name), "hexagon", "outside", *lines)
        label = f"desired {sched.desired_count} at {sched.expression}"
        g.edge(key, ("services", sched.service), "control", label)
    for name, svc in sorted(bp.services.items()):
        if svc.public_dns is None:
            continue
        rule = g.node(("events", name), "hexagon", "outside", f"Event rule {name} task state")
        lines = [f"Lambda {name}-dns (DNS updater)", f"A record {svc.public_dns.name}"]
        updater = g.node(("dns_updaters", name), "round", "outside", *lines)
        g.edge(("services", name), rule, "control", "task state change")
        g.edge(rule, updater, "control", "invoke")


# --- output --------------------------------------------------------------------------------


def _subgraph_labels(bp: Blueprint, resolved: Resolved) -> dict[str, str]:
    net = bp.network
    return {
        "vpc": f"VPC {net.cidr}",
        "public": "public subnets " + ", ".join(resolved.public_subnets),
        "private": f"private subnets {', '.join(resolved.private_subnets)} ({_NAT[net.nat]})",
    }


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


def _mermaid(graph: Graph, labels: dict[str, str]) -> str:
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


def _dot(graph: Graph, labels: dict[str, str]) -> str:
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
