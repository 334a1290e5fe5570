"""An estimate of the monthly cost of what a validated blueprint runs.

Method
------
Every entry that the templates create and that AWS bills by the hour or the month is
priced from ``prices.json``, a dated table of AWS on-demand list prices (USD) shipped in
this package for a few regions. A month is 730 hours. Each priced item becomes a
:class:`Line` whose ``monthly`` value is quantity x unit price rounded to cents; the total
is the sum of those rounded values, so the lines of ``as_json`` add up to it exactly.

- Hours come from the model, with the same defaults the templates use (a database's
  ``db.t4g.micro`` and 20 GB, an instance's 8 GB root volume, ...).
- Services run ``desired_count`` tasks all month unless schedules change the count. The
  enabled ``cron(...)`` schedules of a service are laid out on one week, in each
  schedule's time zone (converted to UTC with the zone's offset in mid-January); the count
  a schedule sets holds until the next one fires, wrapping around the end of the week, so
  the state before the week's first event is the one the last event left. The task-hours
  of that week x 730/168 (weeks in a 730-hour month) are the month's task-hours.
- Tasks are split between capacity providers the way ECS places them: the bases first,
  the rest by weight. Fargate Spot is on-demand Fargate less a fixed discount from the
  table. Tasks on EC2 capacity cost nothing themselves; the hosts are priced at their
  ``min_size``.
- Public IPv4 addresses are billed per hour each: one per NAT gateway, one per zone of an
  internet-facing load balancer, one per running task with ``public_ip`` and one per
  instance with a public IP.
- Costs that depend on use the blueprint cannot know (traffic, requests, stored GB, log
  volume) appear as per-unit prices with ``monthly`` None and stay out of the total: no
  invented totals.

Limits
------
Daylight-saving shifts are ignored; ``rate(...)``, ``at(...)`` and cron expressions that
name days of the month, months or years are not laid out on a week: such a service is
priced at the largest count it can be set to, all month (the line's note says so). A price
missing from the table (an instance type it does not list) leaves that line out of the
total and says so in the assumptions. Free tiers, Savings Plans, reservations and taxes
are not considered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .sections.services.model import CapacityShare, Service

if TYPE_CHECKING:
    from .model.blueprint import Blueprint
    from .pipeline import Checked

HOURS_PER_MONTH = 730.0
HOURS_PER_WEEK = 168.0
#: Weeks in a 730-hour month, so that a service running all week runs 730 hours.
WEEKS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_WEEK
_MINUTES_PER_WEEK = 7 * 24 * 60
#: When time zones are converted to UTC (daylight saving is ignored).
_OFFSET_AT = datetime(2025, 1, 15, 12)
#: The DNS updater function blueprint adds for a service's ``public_dns``
#: (as generator/render/events.py makes it).
_DNS_UPDATER_MEMORY_MB = 128
_DNS_UPDATER_ARCHITECTURE = "arm64"
#: How long the access-log bucket keeps records (generator/render/access_logs.py).
_ACCESS_RECORD_DAYS = 365


@dataclass(frozen=True)
class Line:
    """One priced item. ``monthly`` is None for a usage-driven price (then ``quantity`` is 1
    and ``unit_price`` is the price of one ``unit``) and for an item the table has no price
    for; neither counts in the total."""

    component: str
    item: str
    quantity: float
    unit: str
    unit_price: float
    monthly: float | None
    note: str = ""


@dataclass(frozen=True)
class Estimate:
    """The lines of one blueprint's estimate and their total, in ``currency`` per month."""

    region: str
    currency: str
    prices_date: str
    assumptions: tuple[str, ...]
    lines: tuple[Line, ...]
    total: float


class UnknownRegion(ValueError):
    """The price table has no prices for the blueprint's region."""

    def __init__(self, region: str, known: Sequence[str]) -> None:
        self.region = region
        self.known = tuple(known)
        super().__init__(
            f"no prices for region '{region}': the price table has "
            + " and ".join(", ".join(self.known).rsplit(", ", 1))
        )


# --- the price table -----------------------------------------------------------------------


@cache
def _load() -> dict[str, Any]:
    text = resources.files("generator").joinpath("prices.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _lookup(section: Mapping[str, Any], keys: Iterable[str]) -> float | None:
    node: Any = section
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) else None


@dataclass(frozen=True)
class _Prices:
    """The table's prices for one region, plus the global ones."""

    table: Mapping[str, Any]
    region: str

    def at(self, *keys: str) -> float | None:
        """A regional price, or None when the table lacks it."""
        return _lookup(self.table["regions"][self.region], keys)

    def each(self, *keys: str) -> float:
        """A regional price every region of the table has."""
        value = self.at(*keys)
        assert value is not None, keys
        return value

    def world(self, *keys: str) -> float:
        """A price that is the same everywhere."""
        value = _lookup(self.table["global"], keys)
        assert value is not None, keys
        return value

    def edge(self, key: str) -> float:
        """A CloudFront price at the edge locations nearest the region."""
        zone = self.table["regions"][self.region]["cloudfront_edge"]
        value = _lookup(self.table["cloudfront"], (zone, key))
        assert value is not None, key
        return value

    @property
    def edge_zone(self) -> str:
        return str(self.table["regions"][self.region]["cloudfront_edge"])


# --- collecting lines ----------------------------------------------------------------------


def cents(value: float) -> float:
    """Round half up to cents, by the decimal digits Python prints for ``value``."""
    return float(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _unit_price(value: float) -> float:
    """A derived unit price without float noise (0.05056 x 0.3 = 0.015168)."""
    return round(value, 10)


@dataclass
class _Lines:
    lines: list[Line] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)

    def fixed(
        self,
        component: str,
        item: str,
        quantity: float,
        unit: str,
        price: float | None,
        note: str = "",
        what: str = "",
    ) -> None:
        """A cost the blueprint states: quantity x price. ``what`` names the price looked up
        (for the note when the table lacks it)."""
        if price is None:
            self.unpriced.append(f"{component}: {item}")
            note = "; ".join(n for n in (f"no price in the table for {what}", note) if n)
            self.lines.append(Line(component, item, quantity, unit, 0.0, None, note))
            return
        monthly = cents(quantity * price)
        self.lines.append(Line(component, item, quantity, unit, price, monthly, note))

    def usage(self, component: str, item: str, unit: str, price: float, note: str = "") -> None:
        """A cost that depends on use: its price per unit, out of the total."""
        self.lines.append(Line(component, item, 1.0, unit, price, None, note))


# --- schedules -----------------------------------------------------------------------------

_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def _cron_values(text: str, low: int, high: int, names: Sequence[str] = ()) -> set[int] | None:
    """The values a cron field takes (``*``, lists, ranges, steps, day names); None for the
    forms a week cannot show (``L``, ``W``, ``#``)."""

    def value(token: str) -> int | None:
        if token.upper() in names:
            return names.index(token.upper()) + low
        return int(token) if token.isdigit() and low <= int(token) <= high else None

    out: set[int] = set()
    for part in text.split(","):
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if base == "*":
            first, last = low, high
        else:
            ends = base.split("-")
            numbers = [n for n in (value(t) for t in ends) if n is not None]
            if len(numbers) != len(ends) or len(ends) > 2:
                return None
            first = numbers[0]
            # "5/15" runs from 5 to the field's end; "5" alone is just 5.
            last = numbers[1] if len(numbers) == 2 else (high if slash else first)
        if first <= last:
            span = list(range(first, last + 1))
        else:  # a range wraps around the field's end: FRI-MON is FRI, SAT, SUN, MON
            span = [*range(first, high + 1), *range(low, last + 1)]
        out.update(span[::step])
    return out


def weekly_minutes(expression: str) -> list[int] | None:
    """When a ``cron(...)`` expression fires in one week, as minutes from Sunday 00:00 in
    its own time zone; None for an expression a week cannot show."""
    match = re.fullmatch(r"cron\((.*)\)", expression.strip())
    if not match:
        return None
    minute, hour, dom, month, dow, year = match.group(1).split()
    if month != "*" or year != "*":
        return None
    if dom == "?":
        days = _cron_values(dow, 1, 7, _DAYS)
    elif dom == "*":
        days = set(range(1, 8))
    else:
        return None
    minutes = _cron_values(minute, 0, 59)
    hours = _cron_values(hour, 0, 23)
    if days is None or minutes is None or hours is None:
        return None
    return sorted((d - 1) * 1440 + h * 60 + m for d in days for h in hours for m in minutes)


def _utc_offset_minutes(timezone: str) -> int:
    offset = ZoneInfo(timezone).utcoffset(_OFFSET_AT)
    return int(offset.total_seconds() // 60) if offset is not None else 0


@dataclass(frozen=True)
class Running:
    """How many tasks a service runs over a month: task count -> hours a month."""

    hours: Mapping[int, float]
    note: str

    @property
    def task_hours(self) -> float:
        return sum(count * hours for count, hours in self.hours.items())


def running(bp: Blueprint, name: str) -> Running:
    """The hours a month a service spends at each task count, given its schedules."""
    svc = bp.services[name]
    schedules = {k: s for k, s in sorted(bp.schedules.items()) if s.service == name and s.enabled}
    if not schedules:
        return Running({svc.desired_count: HOURS_PER_MONTH}, "")
    events: dict[int, int] = {}
    for key, sched in schedules.items():
        fires = weekly_minutes(sched.expression)
        if fires is None:
            top = max([svc.desired_count, *(s.desired_count for s in schedules.values())])
            return Running(
                {top: HOURS_PER_MONTH},
                f"schedule {key} ({sched.expression}) does not repeat weekly: priced as "
                f"{_tasks(top)} all month",
            )
        offset = _utc_offset_minutes(sched.timezone)
        for local in fires:
            at = (local - offset) % _MINUTES_PER_WEEK
            # Two schedules firing in the same minute: count the larger, to be safe.
            events[at] = max(events.get(at, 0), sched.desired_count)
    times = sorted(events)
    weekly: dict[int, float] = {}
    for i, at in enumerate(times):
        following = times[i + 1] if i + 1 < len(times) else times[0] + _MINUTES_PER_WEEK
        count = events[at]
        weekly[count] = weekly.get(count, 0.0) + (following - at) / 60
    monthly = {c: h * WEEKS_PER_MONTH for c, h in sorted(weekly.items()) if c > 0}
    spans = ", ".join(f"{_num(weekly[c])} h/week at {_tasks(c)}" for c in monthly) or "never on"
    task_hours = sum(c * h for c, h in monthly.items())
    which = "schedule" if len(schedules) == 1 else "schedules"
    note = f"{which} {', '.join(schedules)}: {spans} -> {_num(task_hours)} task-hours/month"
    return Running(monthly, note)


def _tasks(count: int) -> str:
    return f"{count} task" + ("" if count == 1 else "s")


def split(count: int, shares: Sequence[CapacityShare]) -> dict[str, float]:
    """Where ECS places ``count`` tasks: each provider's base first, the rest by weight."""
    out = {s.provider: 0.0 for s in shares}
    left = float(count)
    for share in shares:
        taken = min(float(share.base), left)
        out[share.provider] += taken
        left -= taken
    weights = sum(s.weight for s in shares)
    for share in shares:
        if weights:
            out[share.provider] += left * share.weight / weights
        elif share is shares[0]:
            out[share.provider] += left
    return out


# --- the components ------------------------------------------------------------------------


def _network(bp: Blueprint, public_zones: int, p: _Prices, out: _Lines) -> None:
    nats = {"none": 0, "single": 1, "per_az": public_zones}[bp.network.nat]
    ipv4 = p.world("public_ipv4_hour")
    if nats:
        mode = "one for every zone" if bp.network.nat == "per_az" else "nat: single"
        out.fixed(
            "network",
            f"NAT gateways ({nats})",
            nats * HOURS_PER_MONTH,
            "gateway-hour",
            p.each("nat_gateway_hour"),
            mode,
        )
        out.usage("network", "NAT data processing", "GB", p.each("nat_gateway_gb"))
        out.fixed(
            "network",
            f"public IPv4: NAT gateways ({nats})",
            nats * HOURS_PER_MONTH,
            "address-hour",
            ipv4,
        )
    for name, lb in sorted(bp.load_balancers.items()):
        if lb.scheme == "internet-facing":
            out.fixed(
                "network",
                f"public IPv4: load balancer {name} ({public_zones} zones)",
                public_zones * HOURS_PER_MONTH,
                "address-hour",
                ipv4,
                "one address per zone the load balancer spans",
            )
    for name, svc in sorted(bp.services.items()):
        if svc.public_ip and svc.ec2_capacity is None:
            run = running(bp, name)
            out.fixed(
                "network",
                f"public IPv4: service {name} tasks",
                run.task_hours,
                "address-hour",
                ipv4,
                "one address per running task",
            )
    for name, group in sorted(bp.instances.items()):
        public = group.public_ip if group.public_ip is not None else group.subnets == "public"
        if public:
            out.fixed(
                "network",
                f"public IPv4: instances {name} ({group.count})",
                group.count * HOURS_PER_MONTH,
                "address-hour",
                ipv4,
            )
    out.usage(
        "network",
        "data transfer out to the internet",
        "GB",
        p.each("data_transfer_out_gb"),
        "from load balancers, NAT, tasks and instances; to CloudFront it is free",
    )


def _load_balancers(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, lb in sorted(bp.load_balancers.items()):
        out.fixed(
            "load balancers",
            f"{name}: application load balancer",
            HOURS_PER_MONTH,
            "hour",
            p.each("alb_hour"),
            lb.scheme,
        )
        out.usage(
            "load balancers",
            f"{name}: load balancer capacity units",
            "LCU-hour",
            p.each("alb_lcu_hour"),
            "new connections, active connections, bytes and rule evaluations",
        )


_FARGATE_LABEL = {"FARGATE": "Fargate", "FARGATE_SPOT": "Fargate Spot"}


def _services(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    discount = float(p.table["fargate_spot_discount"])
    for name, svc in sorted(bp.services.items()):
        run = running(bp, name)
        hosts = svc.ec2_capacity
        if hosts is not None:
            note = "; ".join(n for n in (f"priced with {hosts} under instances", run.note) if n)
            out.fixed(
                "services",
                f"{name}: tasks on ECS hosts {hosts}",
                run.task_hours,
                "task-hour",
                0.0,
                note,
            )
            continue
        placed = _placed(svc, run)
        providers = {s.provider for s in svc.capacity}
        for provider in ("FARGATE", "FARGATE_SPOT"):
            if provider not in providers:
                continue
            task_hours = placed.get(provider, 0.0)
            factor = 1 - discount if provider == "FARGATE_SPOT" else 1.0
            vcpu, gb = svc.cpu / 1024, svc.memory / 1024
            label = _FARGATE_LABEL[provider]
            if svc.architecture == "ARM64":
                label += " ARM64"
            share = "" if len(svc.capacity) == 1 else f"{_num(task_hours)} of them on {label}; "
            how = run.note or f"{_tasks(svc.desired_count)} all month"
            out.fixed(
                "services",
                f"{name}: {label} vCPU",
                vcpu * task_hours,
                "vCPU-hour",
                _unit_price(p.each("fargate", svc.architecture, "vcpu_hour") * factor),
                f"{_num(vcpu)} vCPU x {_num(run.task_hours)} task-hours; {share}{how}",
            )
            out.fixed(
                "services",
                f"{name}: {label} memory",
                gb * task_hours,
                "GB-hour",
                _unit_price(p.each("fargate", svc.architecture, "gb_hour") * factor),
                f"{_num(gb)} GB x {_num(task_hours)} task-hours",
            )


def _placed(svc: Service, run: Running) -> dict[str, float]:
    """Task-hours a month per capacity provider."""
    out: dict[str, float] = {}
    for count, hours in run.hours.items():
        for provider, tasks in split(count, svc.capacity).items():
            out[provider] = out.get(provider, 0.0) + tasks * hours
    return out


def _hosts(
    component: str,
    label: str,
    count: int,
    instance_type: str,
    root_gb: int,
    p: _Prices,
    out: _Lines,
    note: str = "",
) -> None:
    out.fixed(
        component,
        f"{label}: {count} x {instance_type}",
        count * HOURS_PER_MONTH,
        "instance-hour",
        p.at("ec2_hour", instance_type),
        note,
        f"EC2 {instance_type}",
    )
    out.fixed(
        component,
        f"{label}: gp3 root volumes",
        count * root_gb,
        "GB-month",
        p.each("ebs_gp3_gb_month"),
        f"{count} x {root_gb} GB",
    )
    out.fixed(
        component,
        f"{label}: detailed monitoring",
        count,
        "instance-month",
        p.world("ec2_detailed_monitoring_instance_month"),
    )


def _instances(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, group in sorted(bp.instances.items()):
        _hosts("instances", name, group.count, group.instance_type, group.root_volume_gb, p, out)
    for name, cap in sorted(bp.ec2_capacity.items()):
        price = p.at("ec2_hour", cap.instance_type)
        more = cap.max_size - cap.min_size
        note = f"ECS hosts at min_size {cap.min_size}"
        if more > 0 and price is not None:
            extra = more * HOURS_PER_MONTH * price
            note += f"; up to max_size {cap.max_size} when ECS scales out (+${extra:,.2f}/month)"
        _hosts(
            "instances",
            f"{name} (ECS hosts)",
            cap.min_size,
            cap.instance_type,
            cap.root_volume_gb,
            p,
            out,
            note,
        )


_ENGINES = {"mysql": "MySQL", "postgres": "PostgreSQL", "mariadb": "MariaDB"}


def _databases(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    factor = int(p.world("rds_multi_az_factor"))
    for name, db in sorted(bp.databases.items()):
        copies = factor if db.multi_az else 1
        standby = "Multi-AZ: a standby doubles it" if db.multi_az else "Single-AZ"
        engine = _ENGINES[db.engine]
        out.fixed(
            "databases",
            f"{name}: {db.instance_class} {engine}",
            copies * HOURS_PER_MONTH,
            "instance-hour",
            p.at("rds_hour", db.engine, db.instance_class),
            standby,
            f"RDS {engine} {db.instance_class}",
        )
        grows = (
            f"; grows up to {db.max_storage_gb} GB, priced as allocated"
            if db.max_storage_gb
            else ""
        )
        out.fixed(
            "databases",
            f"{name}: gp3 storage",
            copies * db.storage_gb,
            "GB-month",
            p.each("rds_gp3_gb_month"),
            f"{db.storage_gb} GB allocated{' x 2 (Multi-AZ)' if db.multi_az else ''}{grows}",
        )
        if db.monitoring_interval_seconds:
            out.usage(
                "databases",
                f"{name}: enhanced monitoring",
                "GB",
                p.each("logs", "ingestion_gb"),
                f"OS metrics every {db.monitoring_interval_seconds} s into CloudWatch Logs",
            )
        out.fixed(
            "databases",
            f"{name}: master password secret",
            1,
            "secret-month",
            p.world("secrets_manager_secret_month"),
            "managed by RDS in Secrets Manager",
        )


def _caches(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    discount = p.world("valkey_node_discount")
    for name, cache_ in sorted(bp.caches.items()):
        nodes = 1 + cache_.replicas
        price = p.at("elasticache_hour", cache_.node_type)
        if price is not None and cache_.engine == "valkey":
            price = _unit_price(price * (1 - discount))
        replicas = f"1 primary + {cache_.replicas} replicas" if cache_.replicas else "1 node"
        out.fixed(
            "caches",
            f"{name}: {nodes} x {cache_.node_type} {cache_.engine}",
            nodes * HOURS_PER_MONTH,
            "node-hour",
            price,
            replicas,
            f"ElastiCache {cache_.node_type}",
        )


def _file_systems(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, fs in sorted(bp.file_systems.items()):
        c = "file systems"
        out.usage(
            c, f"{name}: EFS Standard storage", "GB-month", p.each("efs", "standard_gb_month")
        )
        out.usage(c, f"{name}: elastic throughput reads", "GB", p.each("efs", "elastic_read_gb"))
        out.usage(c, f"{name}: elastic throughput writes", "GB", p.each("efs", "elastic_write_gb"))
        if fs.backups:
            out.usage(
                c,
                f"{name}: daily backups",
                "GB-month",
                p.each("efs", "backup_gb_month"),
                "AWS Backup",
            )


def _buckets(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, bucket in sorted(bp.buckets.items()):
        kept = ""
        if bucket.versioning:
            days = bucket.noncurrent_version_expiry_days
            kept = (
                f"earlier versions count too (kept {days} days)"
                if days
                else ("earlier versions count too (kept forever)")
            )
        out.usage(
            "buckets",
            f"{name}: S3 Standard storage",
            "GB-month",
            p.each("s3", "standard_gb_month"),
            kept,
        )
        out.usage(
            "buckets",
            f"{name}: PUT, COPY, POST, LIST requests",
            "1,000 requests",
            p.each("s3", "put_1k"),
        )
        out.usage(
            "buckets", f"{name}: GET and other requests", "1,000 requests", p.each("s3", "get_1k")
        )


def _tables(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, table in sorted(bp.tables.items()):
        if table.billing == "provisioned":
            wcu, rcu = table.write_capacity or 0, table.read_capacity or 0
            out.fixed(
                "tables",
                f"{name}: provisioned write capacity",
                wcu * HOURS_PER_MONTH,
                "WCU-hour",
                p.each("dynamodb", "wcu_hour"),
                f"{wcu} WCU",
            )
            out.fixed(
                "tables",
                f"{name}: provisioned read capacity",
                rcu * HOURS_PER_MONTH,
                "RCU-hour",
                p.each("dynamodb", "rcu_hour"),
                f"{rcu} RCU",
            )
        else:
            out.usage(
                "tables",
                f"{name}: on-demand writes",
                "million write request units",
                p.each("dynamodb", "write_request_million"),
            )
            out.usage(
                "tables",
                f"{name}: on-demand reads",
                "million read request units",
                p.each("dynamodb", "read_request_million"),
            )
        out.usage("tables", f"{name}: storage", "GB-month", p.each("dynamodb", "storage_gb_month"))
        if table.point_in_time_recovery:
            out.usage(
                "tables",
                f"{name}: point-in-time recovery",
                "GB-month",
                p.each("dynamodb", "pitr_gb_month"),
            )


def _functions(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    made: list[tuple[str, int, str, str]] = [
        (name, fn.memory_mb, fn.architecture, "") for name, fn in sorted(bp.functions.items())
    ]
    made += [
        (f"{name}-dns", _DNS_UPDATER_MEMORY_MB, _DNS_UPDATER_ARCHITECTURE, f"DNS updater of {name}")
        for name, svc in sorted(bp.services.items())
        if svc.public_dns is not None
    ]
    if not made:
        return
    for name, memory, arch, what in made:
        note = f"{arch}, {memory} MB = {_num(memory / 1024)} GB per second of run time"
        out.usage(
            "functions",
            f"{name}: compute" + (f" ({what})" if what else ""),
            "GB-second",
            p.world("lambda_gb_second", arch),
            note,
        )
    out.usage(
        "functions",
        f"requests ({len(made)} function{'s' if len(made) > 1 else ''})",
        "million requests",
        p.world("lambda_requests_million"),
    )


def _apis(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name in sorted(bp.websocket_apis):
        out.usage(
            "apis",
            f"{name}: WebSocket messages",
            "million messages",
            p.each("apigw_websocket", "messages_million"),
            "metered in 32 KB steps",
        )
        out.usage(
            "apis",
            f"{name}: connection minutes",
            "million minutes",
            p.each("apigw_websocket", "connection_minutes_million"),
        )


def _cdn(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, dist in sorted(bp.distributions.items()):
        where = f"viewers in {p.edge_zone}; {dist.price_class}"
        out.usage("cdn", f"{name}: data transfer out", "GB", p.edge("data_out_gb"), where)
        out.usage("cdn", f"{name}: HTTPS requests", "10,000 requests", p.edge("https_requests_10k"))


def _dns(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    for name, zone in sorted(bp.zones.items()):
        if zone.existing_id is None:
            out.fixed(
                "dns",
                f"{name}: hosted zone {zone.domain}",
                1,
                "zone-month",
                p.world("route53_zone_month"),
                "created by the stack",
            )
        else:
            out.fixed(
                "dns",
                f"{name}: hosted zone {zone.domain}",
                0,
                "zone-month",
                p.world("route53_zone_month"),
                f"existing zone {zone.existing_id}: already paid for, not counted",
            )
    if bp.zones:
        out.usage(
            "dns",
            "queries",
            "million queries",
            p.world("route53_queries_million"),
            "alias queries to AWS resources are free",
        )


def _log_groups(bp: Blueprint) -> list[str]:
    groups = [f"services.{n} {s.log_retention_days} d" for n, s in sorted(bp.services.items())]
    groups += [f"functions.{n} {f.log_retention_days} d" for n, f in sorted(bp.functions.items())]
    groups += [
        f"services.{n}.public_dns {s.log_retention_days} d"
        for n, s in sorted(bp.services.items())
        if s.public_dns is not None
    ]
    groups += [
        f"websocket_apis.{n} {a.stage.access_log_retention_days} d"
        for n, a in sorted(bp.websocket_apis.items())
    ]
    return groups


def _access_records(bp: Blueprint) -> list[str]:
    """What writes to the stack's access-log bucket."""
    writers = ["VPC flow logs"] if bp.network.flow_logs else []
    writers += [
        f"load balancer {n}" for n, lb in sorted(bp.load_balancers.items()) if lb.access_logs
    ]
    writers += [f"bucket {n}" for n, b in sorted(bp.buckets.items()) if b.access_logs]
    writers += [f"distribution {n}" for n, d in sorted(bp.distributions.items()) if d.logging]
    return writers


def _logs(bp: Blueprint, p: _Prices, out: _Lines) -> None:
    writers = _access_records(bp)
    if writers:
        out.usage(
            "logs",
            "access-log bucket: S3 Standard storage",
            "GB-month",
            p.each("s3", "standard_gb_month"),
            f"records of {', '.join(writers)}; kept {_ACCESS_RECORD_DAYS} days",
        )
    if bp.network.flow_logs:
        out.usage(
            "logs",
            "VPC flow logs delivered to S3",
            "GB",
            p.each("logs", "vended_to_s3_gb"),
            "every accepted and rejected connection",
        )
    groups = _log_groups(bp)
    if not groups:
        return
    out.usage(
        "logs",
        f"ingestion ({len(groups)} log group{'s' if len(groups) > 1 else ''})",
        "GB",
        p.each("logs", "ingestion_gb"),
        ", ".join(groups),
    )
    out.usage(
        "logs",
        "storage",
        "GB-month",
        p.each("logs", "storage_gb_month"),
        "kept for each group's retention",
    )


# --- the estimate --------------------------------------------------------------------------


def estimate(checked: Checked) -> Estimate:
    """Price what ``checked`` runs, from the shipped table, in its region."""
    bp = checked.blueprint
    table = _load()
    if bp.region not in table["regions"]:
        raise UnknownRegion(bp.region, sorted(table["regions"]))
    p = _Prices(table, bp.region)
    out = _Lines()
    _network(bp, len(checked.resolved.public_subnets), p, out)
    for section in (
        _load_balancers,
        _services,
        _instances,
        _databases,
        _caches,
        _file_systems,
        _buckets,
        _tables,
        _functions,
        _apis,
        _cdn,
        _dns,
        _logs,
    ):
        section(bp, p, out)
    notes = table["notes"]
    assumptions = [
        f"Prices: {table['source']}.",
        *table["assumptions"],
        "Usage-driven costs (traffic, requests, stored GB, log volume) are shown per unit and "
        "are not in the total.",
    ]
    items = {line.item for line in out.lines}
    if any("Fargate Spot" in item for item in items):
        assumptions.append(notes["fargate_spot"])
    if any(c.engine == "valkey" for c in bp.caches.values()):
        assumptions.append(notes["valkey"])
    if any(item.endswith("detailed monitoring") for item in items):
        assumptions.append(notes["detailed_monitoring"])
    if any(s.enabled for s in bp.schedules.values()):
        assumptions.append(
            "Scheduled services: the task-hours of the week their cron schedules make, "
            "x 730/168; daylight-saving shifts are ignored."
        )
    if bp.ec2_capacity:
        assumptions.append("ECS hosts (ec2_capacity) are priced at their min_size.")
    if out.unpriced:
        assumptions.append(
            "Not in the total, for want of a price in the table: " + "; ".join(out.unpriced) + "."
        )
    total = sum(Decimal(repr(line.monthly)) for line in out.lines if line.monthly is not None)
    return Estimate(
        region=bp.region,
        currency=str(table["currency"]),
        prices_date=str(table["date"]),
        assumptions=tuple(assumptions),
        lines=tuple(out.lines),
        total=float(total),
    )


# --- output --------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A quantity for people: 730, 2,190, 8.69, 0.25, 0.125."""
    if value == int(value):
        return f"{int(value):,}"
    text = f"{value:,.{3 if abs(value) < 1 else 2}f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.2g}"


def _price(value: float) -> str:
    """A unit price with every digit the table has (at least cents), never in exponent
    form: $0.50, $0.0243, $0.0000133334."""
    exact = Decimal(repr(value)).normalize()
    exponent = exact.as_tuple().exponent
    places = 2 if isinstance(exponent, int) and exponent > -2 else None
    return "$" + (f"{exact:.2f}" if places else format(exact, "f"))


def _money(value: float) -> str:
    return f"${value:,.2f}"


def text(e: Estimate) -> str:
    """The estimate as a table grouped by component, then the total, the table's date and
    the assumptions."""
    rows: list[tuple[str, str, str, str]] = []
    for line in e.lines:
        if line.monthly is None and line.unit_price > 0:
            how, amount = f"{_price(line.unit_price)} per {line.unit}", "usage"
        elif line.monthly is None:
            how, amount = f"{_num(line.quantity)} {line.unit}", "no price"
        else:
            how = f"{_num(line.quantity)} {line.unit} x {_price(line.unit_price)}"
            amount = _money(line.monthly)
        rows.append((line.component, line.item, how, amount))
    item_w = max([len(r[1]) for r in rows] + [20])
    how_w = max([len(r[2]) for r in rows] + [10])
    amount_w = max([len(r[3]) for r in rows] + [len(_money(e.total))])
    out = [f"Estimated monthly cost in {e.region} ({e.currency})", ""]
    component = None
    for line, (comp, item, how, amount) in zip(e.lines, rows, strict=True):
        if comp != component:
            out.append(comp)
            component = comp
        out.append(f"  {item:<{item_w}}  {how:<{how_w}}  {amount:>{amount_w}}")
        if line.note:
            out.append(f"      {line.note}")
    width = 2 + item_w + 2 + how_w + 2 + amount_w
    out.append("-" * width)
    label = "total per month"
    out.append(f"  {label:<{item_w + 2 + how_w}}  {_money(e.total):>{amount_w}}")
    out.append(f"  prices of {e.prices_date}; 'usage' lines are not in the total")
    out.append("  assumptions:")
    out.extend(f"    - {a}" for a in e.assumptions)
    return "\n".join(out) + "\n"


def as_json(e: Estimate) -> dict[str, Any]:
    """The estimate as JSON-ready data; the lines' ``monthly`` values add up to ``total``."""
    return {
        "region": e.region,
        "currency": e.currency,
        "prices_date": e.prices_date,
        "assumptions": list(e.assumptions),
        "lines": [asdict(line) for line in e.lines],
        "total": e.total,
    }
