"""Draw a validated blueprint's architecture as a Mermaid flowchart or a Graphviz digraph.

Boxes come from the validated model; the traffic between them, and where what runs
sits, from the rendered templates (:mod:`generator.facts`), so that the drawing shows
what the security groups really allow:

* **nodes**: the internet (and each CIDR block other than ``0.0.0.0/0`` that a rule
  admits), CloudFront distributions, load balancers, WebSocket APIs, ECS services,
  jobs, EC2 capacity, instance groups, Lambda functions, databases, caches, file systems,
  buckets, tables, queues, S3 buckets outside the blueprint that a permission names, schedules,
  and the event rule and DNS-updater function behind a service's ``public_dns``;
* **subgraphs**: the VPC, split into its public and private subnets; whatever runs in a
  subnet sits in that tier (services, EC2 capacity, instances, load balancers by scheme,
  databases and caches in the private tier, file systems where the templates put their
  mount targets), everything regional (functions, which run outside the VPC, buckets,
  tables, queues, APIs, CloudFront, schedules) outside it;
* **traffic edges** (solid, labelled with ports), one per security-group rule of the
  templates, inbound and outbound, between the entries that own the groups or from and to
  CIDR blocks ("all traffic" for every protocol). The rule that only removes a group's default
  egress admits nothing and is not drawn. A rule CloudFront's origin needs is drawn from
  the distribution, labelled with the block it opens. Plus the public endpoints of
  CloudFront and API Gateway, which have no security group;
* **access edges** (dashed): named permissions, e.g. ``service -> bucket "read"``;
* **control edges** (thick): schedules setting a desired count or running a job, a job's
  failed runs reaching its topic, API routes invoking functions, queues handing functions
  batches of messages, event rules, and a service or job running on EC2 capacity.

The output is deterministic: every section is walked in sorted order, so reordering the
blueprint's entries changes no byte.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..facts import Facts, Rule
from ..model.blueprint import Blueprint
from ..model.permissions import (
    BucketPermission,
    DatabasePermission,
    ExternalBucketPermission,
    ExternalQueuePermission,
    ExternalTablePermission,
    Permission,
    QueuePermission,
    TablePermission,
    WebSocketPermission,
)
from ..model.resolve import Resolved
from ..sections.distributions.model import BucketOrigin
from ..sections.network import needs
from .formats import dot, dot_text, mermaid, mermaid_text
from .shapes import ANYWHERE, INTERNET, Edge, Graph, Key, Node, Place, Shape, Style

if TYPE_CHECKING:
    from ..pipeline import Checked
    from ..sections.services.model import Service

__all__ = [
    "FORMATS",
    "INTERNET",
    "Edge",
    "Graph",
    "Key",
    "Node",
    "Shape",
    "Style",
    "build",
    "dot_text",
    "mermaid_text",
    "render",
]

FORMATS = ("mermaid", "dot")
_PROVIDERS = {"FARGATE": "Fargate", "FARGATE_SPOT": "Fargate Spot"}
_NAT = {"none": "no NAT", "single": "one NAT gateway", "per_az": "a NAT gateway per zone"}
_TIERS: dict[str, Place] = {"public_subnets": "public", "private_subnets": "private"}


def render(checked: Checked, fmt: str = "mermaid") -> str:
    """The architecture of a checked blueprint as Mermaid (``flowchart LR``) or DOT text."""
    from .. import facts, pipeline

    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format '{fmt}': use mermaid or dot")
    graph = build(checked.blueprint, facts.read(pipeline.render(checked)))
    labels = _subgraph_labels(checked.blueprint, checked.resolved)
    return mermaid(graph, labels) if fmt == "mermaid" else dot(graph, labels)


def build(bp: Blueprint, facts: Facts) -> Graph:
    """Every node and edge of the drawing, independent of the output format."""
    g = Graph()
    _compute(g, bp, facts)
    _data(g, bp, facts)
    _load_balancers(g, bp)
    _edge_services(g, bp, facts)
    _traffic(g, facts, bp)
    _permissions(g, bp)
    _schedules_and_events(g, bp)
    _jobs_control(g, bp)
    return g


# --- nodes and edges -----------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _hosts_of(facts: Facts) -> dict[str, tuple[str, set[str]]]:
    """Service name -> (EC2 capacity it runs on, or "", the Fargate providers it uses)."""
    out: dict[str, tuple[str, set[str]]] = {}
    for svc in facts.services:
        hosts = next((s.hosts[1] for s in svc.strategy if s.hosts is not None), "")
        out[svc.entry[1]] = (hosts, {s.provider for s in svc.strategy if s.hosts is None})
    return out


def _count(svc: Service) -> str:
    """``1 task``, or a scaled service's range and what it tracks: ``1-4 tasks, scaling on
    cpu 70%, 500 requests/target``."""
    if svc.scaling is None:
        return _plural(svc.desired_count, "task")
    units = {
        "cpu": "cpu {}%",
        "memory": "memory {}%",
        "requests_per_target": "{} requests/target",
        "messages_per_task": f"{{}} messages/task of queue {svc.scaling.queue}",
    }
    on = ", ".join(units[k].format(v) for k, v in svc.scaling.targets.items())
    return f"{svc.scaling.min}-{svc.scaling.max} tasks, scaling on {on}"


def _compute(g: Graph, bp: Blueprint, facts: Facts) -> None:
    for name, cap in sorted(bp.ec2_capacity.items()):
        g.node(
            ("ec2_capacity", name),
            "box",
            cap.subnets,
            f"EC2 capacity {name} ({cap.instance_type})",
            f"{cap.min_size}-{cap.max_size} container instances",
        )
    runs_on = _hosts_of(facts)
    for name, svc in sorted(bp.services.items()):
        ec2, providers = runs_on.get(name, ("", set()))
        place = bp.ec2_capacity[ec2].subnets if ec2 else svc.subnets
        capacity = (
            f"EC2 capacity {ec2}"
            if ec2
            else " + ".join(_PROVIDERS.get(p, p) for p in sorted(providers))
        )
        key = g.node(
            ("services", name),
            "box",
            place,
            f"ECS service {name} ({capacity})",
            _count(svc),
        )
        if ec2:
            g.edge(key, ("ec2_capacity", ec2), "control", "runs on")
    _jobs(g, bp)
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


def _jobs(g: Graph, bp: Blueprint) -> None:
    for name, job in sorted(bp.jobs.items()):
        ec2 = job.ec2_capacity
        place = bp.ec2_capacity[ec2].subnets if ec2 else job.subnets
        capacity = (
            f"EC2 capacity {ec2}"
            if ec2
            else " + ".join(sorted(_PROVIDERS.get(s.provider, s.provider) for s in job.capacity))
        )
        when = "after each deploy" if job.run == "after_deploy" else "runs to completion"
        key = g.node(("jobs", name), "box", place, f"ECS job {name} ({capacity})", when)
        if ec2:
            g.edge(key, ("ec2_capacity", ec2), "control", "runs on")


def _jobs_control(g: Graph, bp: Blueprint) -> None:
    """A job's schedule starting it, and its failed runs reaching its topic."""
    for name, job in sorted(bp.jobs.items()):
        if job.schedule is not None:
            lines = [f"Schedule for job {name}", job.timezone]
            lines += [] if job.enabled else ["disabled"]
            key = g.node(("job_schedules", name), "hexagon", "outside", *lines)
            g.edge(key, ("jobs", name), "control", f"run at {job.schedule}")
        topic = g.node(("job_topics", name), "stadium", "outside", f"SNS topic {name} failures")
        g.edge(("jobs", name), topic, "control", "exit code not 0")


def _mount_tier(facts: Facts, name: str) -> Place:
    """Where the templates put a file system's mount targets; private when they span
    both tiers or there are none."""
    tiers = {
        tier
        for entry, type_, tier in facts.placed
        if entry == ("file_systems", name) and type_ == "AWS::EFS::MountTarget"
    }
    return _TIERS[tiers.pop()] if len(tiers) == 1 else "private"


def _data(g: Graph, bp: Blueprint, facts: Facts) -> None:
    for name, db in sorted(bp.databases.items()):
        label = f"RDS {name} ({db.engine} {db.version})"
        g.node(("databases", name), "cylinder", "private", label)
    for name, cache in sorted(bp.caches.items()):
        label = f"ElastiCache {name} ({cache.engine} {cache.version})"
        g.node(("caches", name), "cylinder", "private", label)
    for name in sorted(bp.file_systems):
        g.node(("file_systems", name), "cylinder", _mount_tier(facts, name), f"EFS {name}")
    for name, bucket in sorted(bp.buckets.items()):
        lines = [f"S3 bucket {name}"] + ([bucket.name] if bucket.name else [])
        g.node(("buckets", name), "cylinder", "outside", *lines)
    for name in sorted(bp.tables):
        g.node(("tables", name), "cylinder", "outside", f"DynamoDB table {name}")
    for name, queue in sorted(bp.queues.items()):
        label = f"SQS queue {name}" + (" (FIFO)" if queue.fifo else "")
        dead = f"dead letters after {_plural(queue.max_receive_count, 'receive')}"
        g.node(("queues", name), "cylinder", "outside", label, dead)


def _load_balancers(g: Graph, bp: Blueprint) -> None:
    for name, lb in sorted(bp.load_balancers.items()):
        if lb.existing is not None:
            g.node(("load_balancers", name), "box", "outside", f"Existing load balancer {name}")
            continue
        place: Place = "public" if lb.scheme == "internet-facing" else "private"
        lines = [f"Load balancer {name} ({lb.scheme})", *sorted(lb.aliases)]
        g.node(("load_balancers", name), "box", place, *lines)


def _edge_services(g: Graph, bp: Blueprint, facts: Facts) -> None:
    """CloudFront with the origins it reaches over the internet, and WebSocket APIs with
    the functions they invoke: traffic no security group carries."""
    aliases = {a: name for name, lb in bp.load_balancers.items() for a in lb.aliases}
    opened = {r.made_by[1] for r in facts.rules if r.made_by[0] == "distributions"}
    for name, dist in sorted(bp.distributions.items()):
        lines = [f"CloudFront {name}", *sorted(dist.aliases)]
        key = g.node(("distributions", name), "stadium", "outside", *lines)
        for port in (80, 443):  # viewers on 80 are redirected to HTTPS
            g.edge(g.client(ANYWHERE), key, "traffic", str(port))
        origin = dist.origin
        if isinstance(origin, BucketOrigin):  # signed requests to S3's HTTPS endpoint
            g.edge(key, ("buckets", origin.bucket), "traffic", "443")
            continue
        port = origin.http_port if origin.protocol == "http" else origin.https_port
        if name in opened:
            continue  # drawn from the rule that opens the origin to CloudFront
        if origin.domain in aliases:
            g.edge(key, ("load_balancers", aliases[origin.domain]), "traffic", str(port))
        else:
            label = f"origin {origin.domain}"
            target = g.node(("origins", origin.domain), "stadium", "outside", label)
            g.edge(key, target, "traffic", str(port))
    for name, api in sorted(bp.websocket_apis.items()):
        lines = [f"WebSocket API {name}"] + ([api.domain.name] if api.domain else [])
        key = g.node(("websocket_apis", name), "stadium", "outside", *lines)
        g.edge(g.client(ANYWHERE), key, "traffic", "443")
        for route_key, function in sorted(api.routes.items()):
            g.edge(key, ("functions", function), "control", route_key)
        if api.authorizer is not None:
            g.edge(key, ("functions", api.authorizer.function), "control", "authorizer")


def ports(rule: Rule) -> str:
    """A rule's ports as drawn: 443, 32768-61000, or "all traffic" for every protocol."""
    if rule.protocol == "-1" or rule.low is None or rule.high is None:
        return "all traffic"
    return str(rule.low) if rule.low == rule.high else f"{rule.low}-{rule.high}"


def _entry_node(g: Graph, key: Key) -> Key:
    """The node of a group's owner; an entry the model draws no box for gets one."""
    if key not in g.nodes:
        g.node(key, "box", "outside", " ".join(key))
    return key


def _traffic(g: Graph, facts: Facts, bp: Blueprint) -> None:
    """One edge per security-group rule that admits traffic; an existing load balancer's
    group, named by its ID, is drawn as that load balancer."""
    outside: dict[str, Key] = {
        lb.existing.security_group: ("load_balancers", name)
        for name, lb in bp.load_balancers.items()
        if lb.existing is not None
    }
    for rule in facts.rules:
        if rule.admits_nothing:
            continue
        label = ports(rule)
        group = _entry_node(g, rule.group)
        if rule.made_by[0] == "distributions" and rule.direction == "ingress":
            # the distribution's rule admits CloudFront's origin-facing prefix list, whose
            # ID the lookup resource provides
            origin = _entry_node(g, rule.made_by)
            what = f"open to {rule.peer}" if isinstance(rule.peer, str) else "CloudFront only"
            g.edge(origin, group, "traffic", f"{label} ({what})")
            continue
        if isinstance(rule.peer, str):
            peer = outside[rule.peer] if rule.peer in outside else g.client(rule.peer)
        else:
            peer = _entry_node(g, rule.peer)
        source, target = (peer, group) if rule.direction == "ingress" else (group, peer)
        g.edge(source, target, "traffic", label)


def _permission_edge(g: Graph, source: Key, permission: Permission) -> None:
    if isinstance(permission, BucketPermission):
        g.edge(source, ("buckets", permission.bucket), "access", permission.access)
    elif isinstance(permission, ExternalBucketPermission):
        bucket = permission.s3_bucket
        target = g.node(("s3", bucket), "cylinder", "outside", f"S3 bucket {bucket} (external)")
        g.edge(source, target, "access", permission.access)
    elif isinstance(permission, ExternalTablePermission | ExternalQueuePermission):
        _outside_edge(g, source, permission)
    elif isinstance(permission, TablePermission):
        g.edge(source, ("tables", permission.table), "access", permission.access)
    elif isinstance(permission, QueuePermission):
        g.edge(source, ("queues", permission.queue), "access", permission.access)
    elif isinstance(permission, WebSocketPermission):
        g.edge(source, ("websocket_apis", permission.websocket_api), "access", "manage connections")
    elif isinstance(permission, DatabasePermission):
        g.edge(source, ("databases", permission.database), "access", "read secret")


def _outside_edge(
    g: Graph, source: Key, permission: ExternalTablePermission | ExternalQueuePermission
) -> None:
    """A table or queue outside the blueprint, named by what the permission gives."""
    if isinstance(permission, ExternalTablePermission):
        kind, name = "DynamoDB table", permission.dynamodb_table
    else:
        kind, name = "SQS queue", permission.sqs_queue
    target = g.node((kind, name), "cylinder", "outside", f"{kind} {name} (external)")
    g.edge(source, target, "access", permission.access)


def _permissions(g: Graph, bp: Blueprint) -> None:
    holders: list[tuple[str, str, Iterable[Permission]]] = []
    holders += [("services", n, s.permissions) for n, s in bp.services.items()]
    holders += [("jobs", n, j.permissions) for n, j in bp.jobs.items()]
    holders += [("instances", n, i.permissions) for n, i in bp.instances.items()]
    holders += [("functions", n, f.permissions) for n, f in bp.functions.items()]
    for section, name, permissions in sorted(holders, key=lambda h: h[:2]):
        for permission in permissions:
            _permission_edge(g, (section, name), permission)


def _schedules_and_events(g: Graph, bp: Blueprint) -> None:
    for name, sched in sorted(bp.schedules.items()):
        lines = [f"Schedule {name}", sched.timezone] + ([] if sched.enabled else ["disabled"])
        key = g.node(("schedules", name), "hexagon", "outside", *lines)
        label = (
            f"desired {sched.desired_count} at {sched.expression}"
            if sched.desired_count is not None
            else f"scale {sched.min}-{sched.max} at {sched.expression}"
        )
        g.edge(key, ("services", sched.service), "control", label)
    for name, fn in sorted(bp.functions.items()):
        if fn.queue is not None:
            label = f"batches of up to {fn.queue.batch_size}"
            g.edge(("queues", fn.queue.name), ("functions", name), "control", label)
    for name, svc in sorted(bp.services.items()):
        if svc.public_dns is None:
            continue
        rule = g.node(("events", name), "hexagon", "outside", f"Event rule {name} task state")
        lines = [f"Lambda {name}-dns (DNS updater)", f"A record {svc.public_dns.name}"]
        updater = g.node(("dns_updaters", name), "round", "outside", *lines)
        g.edge(("services", name), rule, "control", "task state change")
        g.edge(rule, updater, "control", "invoke")


def _subgraph_labels(bp: Blueprint, resolved: Resolved) -> dict[str, str]:
    net = bp.network
    way_out = "the existing network's routes" if net.existing else _NAT[needs.nat(bp)]
    return {
        "vpc": f"VPC {net.existing.vpc_id} (existing)" if net.existing else f"VPC {net.cidr}",
        "public": "public subnets " + ", ".join(resolved.public_subnets),
        "private": f"private subnets {', '.join(resolved.private_subnets)} ({way_out})",
    }
