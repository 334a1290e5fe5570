"""What needs the network: the one place that decides whether a blueprint gets a VPC, and
whether its private subnets get a NAT gateway.

A pure function of the whole validated blueprint (no troposphere), read by the network's
rules, its renderer, the drawing and the estimate, so that they never disagree.

Something needs the VPC when it sits in subnets: ECS tasks on Fargate (awsvpc), EC2
capacity, instances, load balancers, databases, caches, and file systems (their mount
targets). Lambda functions run outside the VPC, and buckets, tables, queues, WebSocket
APIs, distributions and zones are regional services: a blueprint of only those gets no
VPC, no subnets, no gateways and no flow logs.

Of what sits in private subnets, only what starts connections to the internet or to AWS
APIs needs a NAT gateway: Fargate tasks pull their images (from ECR, through its API and
registry endpoints, or from Docker Hub) and send their logs; EC2 capacity and instances
register with ECS or Systems Manager. Databases, caches, file systems and load balancers
only answer connections, and need none.

With ``network.existing`` nothing of the network is made: what sits in subnets is placed
in the subnets given, and how they reach out is the existing network's business (no NAT
gateway is made, and nothing is warned). A load balancer with ``existing`` is not placed:
it is not made, only rules on its listener.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ...errors import Path
from ...model.blueprint import Blueprint

Tier = Literal["public", "private"]
NatMode = Literal["none", "single", "per_az"]


@dataclass(frozen=True)
class Placed:
    """One entry that sits in subnets of the VPC."""

    path: Path
    tier: Tier
    #: what it cannot do without a way out of a private subnet; None when it only answers
    reaches_out: str | None = None


_TASKS = "tasks cannot pull images or reach AWS APIs"
_HOSTS = "container instances cannot register with ECS or pull images"
_INSTANCES = "instances cannot reach Session Manager, AWS APIs or the internet"


def placed(bp: Blueprint) -> tuple[Placed, ...]:
    """Every entry that sits in the VPC's subnets, in the blueprint's section order."""
    out: list[Placed] = []
    for section, tasks in (("services", bp.services), ("jobs", bp.jobs)):
        for name, task in sorted(tasks.items()):
            if task.ec2_capacity is None:  # on EC2 capacity, the hosts are what is placed
                out.append(Placed((section, name), task.subnets, _TASKS))
    for name, cap in sorted(bp.ec2_capacity.items()):
        out.append(Placed(("ec2_capacity", name), cap.subnets, _HOSTS))
    for name, group in sorted(bp.instances.items()):
        out.append(Placed(("instances", name), group.subnets, _INSTANCES))
    for name, lb in sorted(bp.load_balancers.items()):
        if lb.existing is not None:
            continue
        tier: Tier = "public" if lb.scheme == "internet-facing" else "private"
        out.append(Placed(("load_balancers", name), tier))
    out += [Placed(("databases", name), "private") for name in sorted(bp.databases)]
    out += [Placed(("caches", name), "private") for name in sorted(bp.caches)]
    # mount targets sit where the services that mount them do (generator/sections/
    # file_systems): the tier matters only for what reaches out, which they never do
    out += [Placed(("file_systems", name), "private") for name in sorted(bp.file_systems)]
    return tuple(out)


def needs_vpc(bp: Blueprint) -> bool:
    """Does anything in the blueprint sit in the VPC?"""
    return bool(placed(bp))


def zones(bp: Blueprint, tier: Tier) -> int:
    """How many availability zones the subnets of a tier span: the count of ``azs``, or,
    for an existing network, of the subnets given (each in another zone)."""
    if bp.network.existing is not None:
        return len(getattr(bp.network.existing, f"{tier}_subnets"))
    return bp.network.azs


def reaching_out(bp: Blueprint) -> tuple[Placed, ...]:
    """What sits in private subnets and starts connections out of them."""
    return tuple(p for p in placed(bp) if p.tier == "private" and p.reaches_out is not None)


def nat(bp: Blueprint) -> NatMode:
    """The NAT gateways the VPC gets: as written, or, with ``nat: auto`` (the default), one
    gateway when something in private subnets reaches out and none otherwise. No VPC, no
    NAT."""
    if not needs_vpc(bp) or bp.network.existing is not None:
        return "none"
    if bp.network.nat != "auto":
        return bp.network.nat
    return "single" if reaching_out(bp) else "none"
