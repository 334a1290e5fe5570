"""`blueprint graph`: the architecture drawn as Mermaid or DOT.

Each output is read back by a strict parser of the subset the module writes, so a stray
quote or an edge to an undeclared node fails here rather than on GitHub. The traffic edges
are compared with the security-group rules of the rendered templates, and a few edges per
example are spelled out from reading the YAML by hand.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import graph, pipeline

from .conftest import HERE, ROOT, first_environment

EXAMPLES = ROOT / "examples"
SOURCES = [
    ROOT / "blueprint.yaml",
    *sorted(EXAMPLES.glob("*.yaml")),
    *sorted((HERE / "golden").glob("*.yaml")),
]
#: Sections whose every entry must be a node.
DRAWN = (
    "services",
    "instances",
    "ec2_capacity",
    "functions",
    "databases",
    "caches",
    "buckets",
    "tables",
    "file_systems",
    "load_balancers",
    "distributions",
    "websocket_apis",
    "schedules",
)
ARROWS = {"-->": "traffic", "-.->": "access", "==>": "control"}
DOT_STYLES = {"solid": "traffic", "dashed": "access", "bold": "control"}


@functools.cache
def checked(path: Path) -> pipeline.Checked:
    return pipeline.check(path, path.name, env=first_environment(path))


def node_id(section: str, name: str) -> str:
    return f"{section}_{re.sub(r'[^a-z0-9_]', '_', name)}"


# --- strict readers of what the module writes ----------------------------------------------


@dataclass
class Diagram:
    """What a drawing declares, whichever the format."""

    #: node id -> (shape, label lines, enclosing subgraph ids from the outside in)
    nodes: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    #: subgraph id -> label
    subgraphs: dict[str, str] = field(default_factory=dict)
    #: (source, style, label, target)
    edges: set[tuple[str, str, str, str]] = field(default_factory=set)

    def edge_labels(self, source: str, target: str) -> dict[str, str]:
        """style -> label of the edges from source to target."""
        return {s: lbl for a, s, lbl, b in self.edges if (a, b) == (source, target)}

    def place(self, ident: str) -> tuple[str, ...]:
        return self.nodes[ident][2]


_ID = r"[A-Za-z][A-Za-z0-9_]*"
_MERMAID_SHAPES = {"[": "]", "(": ")", "([": "])", "[(": ")]", "((": "))", "{{": "}}"}
_MERMAID_NODE = re.compile(
    rf'^({_ID})(\(\(|\(\[|\[\(|\{{\{{|\[|\()"([^"]*)"(\)\)|\]\)|\)\]|\}}\}}|\]|\))$'
)
_MERMAID_EDGE = re.compile(rf'^({_ID}) (-->|-\.->|==>)\|"([^"]*)"\| ({_ID})$')
_MERMAID_SUBGRAPH = re.compile(rf'^subgraph ({_ID})\["([^"]*)"\]$')
_ENTITIES = {"#quot;": '"', "#35;": "#", "#lt;": "<", "#gt;": ">", "#124;": "|"}
_RESERVED = {"end", "subgraph", "graph", "flowchart", "class", "classDef", "style", "click"}


def _mermaid_lines(text: str) -> tuple[str, ...]:
    """A label's lines with the entity codes read back; raw ``< > | #`` are refused."""
    lines = []
    for line in text.split("<br/>"):
        assert not re.search(r"[<>|]", line), f"unescaped character in {text!r}"
        rest = re.sub("|".join(map(re.escape, _ENTITIES)), "", line)
        assert "#" not in rest, f"unescaped '#' in {text!r}"
        lines.append(re.sub("|".join(map(re.escape, _ENTITIES)), lambda m: _ENTITIES[m[0]], line))
    return tuple(lines)


def parse_mermaid(text: str) -> Diagram:
    assert text.endswith("\n") and not text.endswith("\n\n")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    d = Diagram()
    stack: list[str] = []
    for number, raw in enumerate(lines[1:], start=2):
        where = f"line {number}: {raw!r}"
        line = raw.strip()
        depth = len(stack) if line == "end" else len(stack) + 1
        assert raw == "    " * depth + line, f"{where}: indented wrongly"
        if m := _MERMAID_SUBGRAPH.match(line):
            assert m[1] not in d.subgraphs and m[1] not in d.nodes, where
            d.subgraphs[m[1]] = _mermaid_lines(m[2])[0]
            stack.append(m[1])
        elif line == "end":
            assert stack, f"{where}: 'end' without 'subgraph'"
            stack.pop()
        elif m := _MERMAID_EDGE.match(line):
            assert not stack, f"{where}: edges are written outside subgraphs"
            source, arrow, label, target = m.groups()
            for end in (source, target):
                assert end in d.nodes, f"{where}: '{end}' is not a declared node"
            d.edges.add((source, ARROWS[arrow], "\n".join(_mermaid_lines(label)), target))
        elif m := _MERMAID_NODE.match(line):
            ident, opening, label, closing = m.groups()
            assert _MERMAID_SHAPES[opening] == closing, f"{where}: mismatched shape"
            assert ident not in d.nodes and ident not in d.subgraphs, f"{where}: declared twice"
            assert ident not in _RESERVED, where
            d.nodes[ident] = (opening, _mermaid_lines(label), tuple(stack))
        else:
            raise AssertionError(f"{where}: not a statement of the drawing")
    assert not stack, f"subgraphs left open: {stack}"
    return d


_DOT_STRING = r'"(?:[^"\\]|\\.)*"'
_DOT_ATTR = re.compile(rf"(\w+)=({_DOT_STRING}|[\w.]+)")
_DOT_NODE = re.compile(rf"^({_ID}) \[(.*)\];$")
_DOT_EDGE = re.compile(rf"^({_ID}) -> ({_ID}) \[(.*)\];$")
_DOT_SUBGRAPH = re.compile(rf"^subgraph (cluster_{_ID}) \{{$")
_DOT_LABEL = re.compile(rf"^label=({_DOT_STRING});$")
_DOT_DEFAULTS = re.compile(r"^(graph|node|edge) \[(.*)\];$")


def _dot_attrs(text: str) -> dict[str, str]:
    """``a="x", b=y`` -> {a: x, b: y}; anything left over is an error."""
    attrs = {}
    pos = 0
    for m in _DOT_ATTR.finditer(text):
        assert text[pos : m.start()] in ("", ", "), f"stray text in {text!r}"
        value = m[2]
        if value.startswith('"'):
            value = re.sub(r"\\(.)", lambda e: "\n" if e[1] == "n" else e[1], value[1:-1])
        attrs[m[1]] = value
        pos = m.end()
    assert pos == len(text), f"stray text in {text!r}"
    return attrs


def parse_dot(text: str) -> Diagram:
    lines = text.splitlines()
    assert lines[0] == "digraph blueprint {" and lines[-1] == "}"
    assert text.count("{") == text.count("}")
    d = Diagram()
    stack: list[str] = []
    declared_edges: list[tuple[str, str, str, str]] = []
    for number, raw in enumerate(lines[1:-1], start=2):
        where = f"line {number}: {raw!r}"
        line = raw.strip()
        if m := _DOT_SUBGRAPH.match(line):
            stack.append(m[1])
        elif line == "}":
            assert stack, f"{where}: unbalanced brace"
            stack.pop()
        elif m := _DOT_LABEL.match(line):
            assert stack, f"{where}: a label outside a subgraph"
            d.subgraphs[stack[-1]] = _dot_attrs(f"label={m[1]}")["label"]
        elif m := _DOT_DEFAULTS.match(line):
            assert not stack, where
            _dot_attrs(m[2])
        elif m := _DOT_EDGE.match(line):
            attrs = _dot_attrs(m[3])
            assert set(attrs) == {"label", "style"}, where
            declared_edges.append((m[1], DOT_STYLES[attrs["style"]], attrs["label"], m[2]))
        elif m := _DOT_NODE.match(line):
            attrs = _dot_attrs(m[2])
            assert m[1] not in d.nodes, f"{where}: declared twice"
            assert {"label", "shape"} <= set(attrs) <= {"label", "shape", "style"}, where
            d.nodes[m[1]] = (attrs["shape"], tuple(attrs["label"].split("\n")), tuple(stack))
        else:
            raise AssertionError(f"{where}: not a statement of the drawing")
    assert not stack, f"subgraphs left open: {stack}"
    for source, style, label, target in declared_edges:
        # DOT would quietly make a node of a misspelt endpoint: every one must be declared.
        assert source in d.nodes and target in d.nodes, (source, target)
        d.edges.add((source, style, label, target))
    return d


# --- every blueprint -----------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_mermaid_draws_every_entry(source: Path) -> None:
    c = checked(source)
    diagram = parse_mermaid(graph.render(c))
    bp = c.blueprint
    for section in DRAWN:
        for name in getattr(bp, section):
            ident = node_id(section, name)
            assert ident in diagram.nodes, f"{section}.{name} is not drawn"
            assert name in diagram.nodes[ident][1][0]
    in_vpc = [i for i, (_, _, place) in diagram.nodes.items() if place]
    for ident in in_vpc:
        assert diagram.place(ident) in (("vpc", "subnets_public"), ("vpc", "subnets_private"))
    assert ("vpc" in diagram.subgraphs) == bool(in_vpc)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_dot_draws_what_mermaid_draws(source: Path) -> None:
    c = checked(source)
    text = graph.render(c, "dot")
    dot = parse_dot(text)
    mermaid = parse_mermaid(graph.render(c, "mermaid"))
    assert {i: (n[1], len(n[2])) for i, n in dot.nodes.items()} == {
        i: (n[1], len(n[2])) for i, n in mermaid.nodes.items()
    }
    assert dot.edges == mermaid.edges
    if shutil.which("dot"):
        done = subprocess.run(
            ["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=30, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "<svg" in done.stdout and not done.stderr


# --- what each example shows, read off its YAML by hand ------------------------------------

EXPECTED_EDGES = {
    "chatbot-fargate-spot": [
        ("internet", "traffic", "80, 443", "load_balancers_web"),
        ("load_balancers_web", "traffic", "8080", "services_bot"),
        # the tasks' group lets them out to anywhere (image pulls, SSM, the bot's API calls)
        ("services_bot", "traffic", "all traffic", "internet"),
        (
            "schedules_weekend_start",
            "control",
            "desired 1 at cron(0 8 ? * SAT,SUN *)",
            "services_bot",
        ),
        (
            "schedules_weekend_stop",
            "control",
            "desired 0 at cron(0 9 ? * SAT,SUN *)",
            "services_bot",
        ),
        ("services_bot", "access", "read", "s3_linebot_news_data"),
    ],
    "ghost-fargate-efs-cloudfront": [
        ("internet", "traffic", "80, 443", "distributions_blog"),
        ("distributions_blog", "traffic", "80 (CloudFront only)", "services_ghost"),
        ("services_ghost", "traffic", "2049", "file_systems_content"),
        ("services_ghost", "control", "task state change", "events_ghost"),
        ("events_ghost", "control", "invoke", "dns_updaters_ghost"),
    ],
    "rails-ec2-rds": [
        ("internet", "traffic", "80, 443", "load_balancers_web"),
        ("load_balancers_web", "traffic", "3000", "instances_web"),
        ("cidr_203_0_113_0_24", "traffic", "22", "instances_bastion"),
        ("instances_bastion", "traffic", "22", "instances_web"),
        ("instances_web", "traffic", "3306", "databases_main"),
        ("instances_web", "access", "read_write", "buckets_images"),
    ],
    "spring-ecs-ec2-redis": [
        ("internet", "traffic", "80, 443", "load_balancers_web"),
        # the rule is on the hosts' group, which the tasks of app1 and app2 share
        ("load_balancers_web", "traffic", "32768-61000", "ec2_capacity_hosts"),
        ("ec2_capacity_hosts", "traffic", "all traffic", "internet"),
        ("ec2_capacity_hosts", "traffic", "6379", "caches_sessions"),
        ("services_app1", "control", "runs on", "ec2_capacity_hosts"),
    ],
    "websocket-lambda-dynamodb": [
        ("internet", "traffic", "443", "websocket_apis_chat"),
        ("websocket_apis_chat", "control", "$connect", "functions_connect"),
        ("websocket_apis_chat", "control", "$default, sendmessage", "functions_message"),
        ("functions_connect", "access", "write", "tables_connections"),
        ("functions_message", "access", "read_write", "tables_connections"),
        ("functions_message", "access", "manage connections", "websocket_apis_chat"),
    ],
    "internal_http_only": [("cidr_10_0_0_0_8", "traffic", "80", "load_balancers_inside")],
}

EXPECTED_PLACES = {
    "chatbot-fargate-spot": {
        "load_balancers_web": "subnets_public",
        "services_bot": "subnets_public",
        "schedules_weekend_start": None,
        "s3_linebot_news_data": None,
    },
    "ghost-fargate-efs-cloudfront": {
        "services_ghost": "subnets_public",
        "file_systems_content": "subnets_public",  # mount targets follow the service
        "distributions_blog": None,
    },
    "rails-ec2-rds": {
        "instances_bastion": "subnets_public",
        "instances_web": "subnets_private",
        "databases_main": "subnets_private",
        "buckets_images": None,
    },
    "spring-ecs-ec2-redis": {
        "ec2_capacity_hosts": "subnets_private",
        "services_app1": "subnets_private",  # on its capacity's hosts
        "caches_sessions": "subnets_private",
    },
    "websocket-lambda-dynamodb": {"functions_message": None, "tables_connections": None},
    "internal_http_only": {"load_balancers_inside": "subnets_private"},
}


def _source(stem: str) -> Path:
    return next(p for p in SOURCES if p.stem == stem)


@pytest.mark.parametrize("stem", sorted(EXPECTED_EDGES))
def test_expected_edges(stem: str) -> None:
    diagram = parse_mermaid(graph.render(checked(_source(stem))))
    for source, style, label, target in EXPECTED_EDGES[stem]:
        assert diagram.edge_labels(source, target).get(style) == label, (source, target)


@pytest.mark.parametrize("stem", sorted(EXPECTED_PLACES))
def test_expected_places(stem: str) -> None:
    diagram = parse_mermaid(graph.render(checked(_source(stem))))
    for ident, subnets in EXPECTED_PLACES[stem].items():
        assert diagram.place(ident) == (("vpc", subnets) if subnets else ())


def test_chatbot_whole_drawing() -> None:
    """Nothing beyond what the YAML asks for and its security groups allow: six edges, six
    nodes."""
    diagram = parse_mermaid(graph.render(checked(EXAMPLES / "chatbot-fargate-spot.yaml")))
    assert diagram.edges == {tuple(e) for e in EXPECTED_EDGES["chatbot-fargate-spot"]}
    assert sorted(diagram.nodes) == [
        "internet",
        "load_balancers_web",
        "s3_linebot_news_data",
        "schedules_weekend_start",
        "schedules_weekend_stop",
        "services_bot",
    ]
    assert diagram.nodes["services_bot"][1] == ("ECS service bot (Fargate Spot)", "1 task")
    assert diagram.subgraphs == {
        "vpc": "VPC 10.0.0.0/16",
        "subnets_public": "public subnets 10.0.0.0/20, 10.0.16.0/20, 10.0.32.0/20",
    }


def test_websocket_example_has_no_vpc() -> None:
    diagram = parse_mermaid(graph.render(checked(EXAMPLES / "websocket-lambda-dynamodb.yaml")))
    assert diagram.subgraphs == {}


# --- determinism, identifiers, escaping ----------------------------------------------------

#: Lists whose order means something.
ORDERED = re.compile(r"(^|\.)(command|public_subnets|private_subnets)$")


def reversed_order(data: Any, path: str = "") -> Any:
    if isinstance(data, dict):
        items = reversed(list(data.items()))
        return {k: reversed_order(v, f"{path}.{k}" if path else k) for k, v in items}
    if isinstance(data, list):
        items = [reversed_order(v, path) for v in data]
        return items if ORDERED.search(path) else items[::-1]
    return data


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_order_in_the_yaml_changes_no_byte(source: Path, tmp_path: Path) -> None:
    c = checked(source)
    drawn = {fmt: graph.render(c, fmt) for fmt in graph.FORMATS}
    assert drawn == {fmt: graph.render(c, fmt) for fmt in graph.FORMATS}
    if (source.parent / "files").is_dir():  # files the blueprint names, relative to it
        shutil.copytree(source.parent / "files", tmp_path / "files")
    data = yaml.safe_load(source.read_text())
    mixed = reversed_order(data)
    assert yaml.safe_dump(mixed, sort_keys=False) != yaml.safe_dump(data, sort_keys=False)
    target = tmp_path / source.name
    target.write_text(yaml.safe_dump(mixed, sort_keys=False))
    again = pipeline.check(target, source.name, env=first_environment(target))
    assert {fmt: graph.render(again, fmt) for fmt in graph.FORMATS} == drawn


def test_names_that_differ_only_in_separators_get_distinct_ids(tmp_path: Path) -> None:
    # Entry names that differ only in - and _ make the same logical ID, which the build
    # refuses; S3 buckets outside the blueprint make no resource, so their names can.
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        "name: ids\nregion: eu-west-1\n"
        "functions:\n  f:\n    code: {image: example/f:1}\n    permissions:\n"
        "      - {s3_bucket: a-b}\n      - {s3_bucket: a.b, access: write}\n"
    )
    diagram = parse_mermaid(graph.render(pipeline.check(path)))
    assert diagram.nodes["s3_a_b"][1] == ("S3 bucket a-b (external)",)
    assert diagram.nodes["s3_a_b_2"][1] == ("S3 bucket a.b (external)",)
    assert diagram.edge_labels("functions_f", "s3_a_b") == {"access": "read"}
    assert diagram.edge_labels("functions_f", "s3_a_b_2") == {"access": "write"}


def test_labels_are_escaped() -> None:
    lines = ('say "hi" #1 <b>', "a|b \\ c")
    mermaid = f"flowchart LR\n    x[{graph.mermaid_text(*lines)}]\n"
    assert parse_mermaid(mermaid).nodes["x"][1] == lines
    dot = f"digraph blueprint {{\n    x [label={graph.dot_text(*lines)}, shape=box];\n}}\n"
    assert parse_dot(dot).nodes["x"][1] == lines
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True, check=True)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown graph format 'svg'"):
        graph.render(checked(ROOT / "blueprint.yaml"), "svg")
