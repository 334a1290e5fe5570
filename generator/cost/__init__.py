"""An estimate of the monthly cost of what a validated blueprint runs.

Method
------
The blueprint is rendered, and what its templates make (:mod:`generator.facts`) is priced
from ``prices.json``, a dated table of AWS on-demand list prices (USD) with a source per
region. A month is 730 hours. Each priced item becomes a :class:`Line` whose ``monthly``
value is quantity x unit price rounded to cents; the total is the sum of those rounded
values, so the lines of ``as_json`` add up to it exactly.

- What runs, and how big, comes from the templates: NAT gateways, load balancers and
  their zones, task sizes and capacity provider strategies, instance types, volume sizes,
  database classes, cache nodes. How long services run comes from their schedules
  (:mod:`generator.cost.running`), which only the blueprint states.
- Tasks are split between capacity providers the way ECS places them: the bases first,
  the rest by weight. Fargate Spot is on-demand Fargate less a fixed discount from the
  table. Tasks on EC2 capacity cost nothing themselves; the hosts are priced at the Auto
  Scaling group's MinSize.
- A service with ``scaling`` is priced at its min (schedules that set its range count at
  their min); its lines say what running at its max would add.
- Public IPv4 addresses are billed per hour each: a NAT gateway's Elastic IP, one per zone
  of an internet-facing load balancer, one per running task given a public IP, one per
  instance given one.
- Jobs run as often as their schedules fire (:mod:`generator.cost.jobs`), each run as
  long as the blueprint's ``estimated_minutes`` says; one run after each deploy, or one
  without an estimate, is priced per run or per task-minute.
- Costs that depend on use the blueprint cannot know (traffic, requests, stored GB, log
  volume) appear as per-unit prices with ``monthly`` None and stay out of the total.
- A price the table lacks for the region makes its line "not priced" (``priced`` False):
  it is named, kept out of the total, and everything else is still priced. No figure is
  ever taken from another region.

Limits: daylight-saving shifts are ignored; free tiers, Savings Plans, reservations and
taxes are not considered.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from . import compute, data
from .jobs import jobs
from .lines import Line, Lines, cents
from .logs import logs
from .output import as_json, text
from .prices import Prices, load
from .running import Running, running, split

if TYPE_CHECKING:
    from ..facts import Facts
    from ..model.blueprint import Blueprint
    from ..pipeline import Checked

__all__ = [
    "Estimate",
    "Line",
    "Running",
    "as_json",
    "cents",
    "estimate",
    "priced",
    "running",
    "split",
    "text",
]


@dataclass(frozen=True)
class Estimate:
    """The lines of one blueprint's estimate and their total, in ``currency`` per month."""

    region: str
    currency: str
    prices_date: str
    assumptions: tuple[str, ...]
    lines: tuple[Line, ...]
    total: float


def _assumptions(bp: Blueprint, facts: Facts, p: Prices, out: Lines) -> list[str]:
    table = p.table
    notes = table["notes"]
    assumptions = [
        f"Prices: {p.source['source']}.",
        *table["assumptions"],
        "Usage-driven costs (traffic, requests, stored GB, log volume) are shown per unit and "
        "are not in the total.",
    ]
    items = {line.item for line in out.lines}
    if any("Fargate Spot" in item for item in items):
        assumptions.append(notes["fargate_spot"])
    if any(item.endswith(" valkey") for item in items):
        assumptions.append(notes["valkey"])
    if any(item.endswith("detailed monitoring") for item in items):
        assumptions.append(notes["detailed_monitoring"])
    if any(line.component == "queues" for line in out.lines):
        assumptions.append(notes["sqs"])
    if any(s.enabled for s in bp.schedules.values()):
        assumptions.append(
            "Scheduled services: the task-hours of the week their cron schedules make, "
            "x 730/168; daylight-saving shifts are ignored."
        )
    if bp.jobs:
        assumptions.append(
            "Jobs: the runs a month their schedules make x their estimated_minutes; a job "
            "run after each deploy, or without an estimate, is priced per run or per "
            "task-minute, out of the total."
        )
    if any(s.scaling is not None for s in facts.services):
        assumptions.append(
            "Scaled services are priced at their scaling min; each line says what their max "
            "would add."
        )
    if any(h.kind == "auto_scaling" for h in facts.hosts):
        assumptions.append("ECS hosts (ec2_capacity) are priced at their min_size.")
    if out.unpriced:
        assumptions.append(
            f"Not priced, for want of a price in the table for {p.region}: "
            + "; ".join(out.unpriced)
            + "."
        )
    return assumptions


def priced(bp: Blueprint, facts: Facts) -> Estimate:
    """Price the facts of a rendered blueprint in its region."""
    table = load()
    p = Prices(table, bp.region)
    out = Lines(bp.region)
    run = compute.runs(bp, facts)
    compute.network(bp, facts, run, p, out)
    compute.load_balancers(facts, p, out)
    compute.services(bp, facts, run, p, out)
    jobs(bp, facts, p, out)
    compute.instances(facts, p, out)
    for section in (data.databases, data.caches, data.file_systems, data.buckets, data.tables):
        section(facts, p, out)
    data.queues(facts, p, out)
    data.functions(facts, p, out)
    data.apis(facts, p, out)
    data.cdn(facts, p, out)
    data.dns(bp, facts, p, out)
    logs(facts, p, out)
    total = sum(Decimal(repr(line.monthly)) for line in out.lines if line.monthly is not None)
    return Estimate(
        region=bp.region,
        currency=str(table["currency"]),
        prices_date=p.source["date"],
        assumptions=tuple(_assumptions(bp, facts, p, out)),
        lines=tuple(out.lines),
        total=float(total),
    )


def estimate(checked: Checked) -> Estimate:
    """Render ``checked`` and price what its templates make, in its region."""
    from .. import facts, pipeline

    return priced(checked.blueprint, facts.read(pipeline.render(checked)))
