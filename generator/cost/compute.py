"""Network, load balancers, ECS services and EC2 hosts, priced from the templates' facts."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from .lines import HOURS_PER_MONTH, Lines, num, tasks, unit_price
from .running import Running, placed, running

if TYPE_CHECKING:
    from ..facts import Facts, Hosts, Service
    from ..model.blueprint import Blueprint
    from .prices import Prices

_FARGATE_LABEL = {"FARGATE": "Fargate", "FARGATE_SPOT": "Fargate Spot"}


def runs(bp: Blueprint, facts: Facts) -> dict[str, Running]:
    """Each ECS service's month, by entry name: a scaled one at its min."""
    return {s.entry[1]: running(bp, s.entry[1], s.fewest) for s in facts.services}


def peaks(bp: Blueprint, facts: Facts) -> dict[str, Running]:
    """Each scaled ECS service's month at its max, by entry name."""
    return {
        s.entry[1]: running(bp, s.entry[1], s.scaling[1], high=True)
        for s in facts.services
        if s.scaling is not None
    }


def _on_hosts(svc: Service) -> str | None:
    return next((s.hosts[1] for s in svc.strategy if s.hosts is not None), None)


def _addresses(facts: Facts, run: dict[str, Running], ipv4: float, out: Lines) -> None:
    """Public IPv4 addresses: NAT gateways' together, then each load balancer's, each
    service's (per running task) and each instance group's."""
    rows: list[tuple[str, float, str, tuple[str, ...]]] = []
    eips = tuple(a.logical_id for a in facts.addresses if a.source == "nat")
    if eips:
        rows.append((f"NAT gateways ({len(eips)})", len(eips) * HOURS_PER_MONTH, "", eips))
    ordered = sorted(facts.addresses, key=lambda a: a.entry)
    for a in ordered:
        if a.source == "load_balancer":
            what = f"load balancer {a.entry[1]} ({a.per_unit} zones)"
            note = "one address per zone the load balancer spans"
            rows.append((what, a.per_unit * HOURS_PER_MONTH, note, (a.logical_id,)))
    for a in ordered:
        if a.source == "task":
            hours = run[a.entry[1]].task_hours
            rows.append(
                (
                    f"service {a.entry[1]} tasks",
                    hours,
                    "one address per running task",
                    (a.logical_id,),
                )
            )
    groups: dict[str, list[str]] = defaultdict(list)
    for a in ordered:
        if a.source == "instance":
            groups[a.entry[1]].append(a.logical_id)
    for name, held in sorted(groups.items()):
        count = len(held)
        rows.append((f"instances {name} ({count})", count * HOURS_PER_MONTH, "", tuple(held)))
    for what, quantity, note, ids in rows:
        out.fixed(
            "network", f"public IPv4: {what}", quantity, "address-hour", ipv4, note, resources=ids
        )


def network(bp: Blueprint, facts: Facts, run: dict[str, Running], p: Prices, out: Lines) -> None:
    nats = [nat.logical_id for nat in facts.nat_gateways]
    if nats:
        mode = {
            "auto": "nat: auto, for what reaches out of the private subnets",
            "per_az": "one for every zone",
        }.get(bp.network.nat, "nat: single")
        n = len(nats)
        out.fixed(
            "network",
            f"NAT gateways ({n})",
            n * HOURS_PER_MONTH,
            "gateway-hour",
            p.at("nat_gateway_hour"),
            mode,
            "NAT gateways",
            tuple(nats),
        )
        out.usage("network", "NAT data processing", "GB", p.at("nat_gateway_gb"))
    _addresses(facts, run, p.world("public_ipv4_hour"), out)
    out.usage(
        "network",
        "data transfer out to the internet",
        "GB",
        p.at("data_transfer_out_gb"),
        "from load balancers, NAT, tasks and instances; to CloudFront it is free",
    )


def load_balancers(facts: Facts, p: Prices, out: Lines) -> None:
    for lb in sorted(facts.load_balancers, key=lambda lb: lb.entry):
        name = lb.entry[1]
        out.fixed(
            "load balancers",
            f"{name}: application load balancer",
            HOURS_PER_MONTH,
            "hour",
            p.at("alb_hour"),
            lb.scheme,
            "application load balancers",
            (lb.logical_id,),
        )
        out.usage(
            "load balancers",
            f"{name}: load balancer capacity units",
            "LCU-hour",
            p.at("alb_lcu_hour"),
            "new connections, active connections, bytes and rule evaluations",
        )


def _at_max(svc: Service, hours: float, peak_hours: float, price: float | None) -> str:
    """What a scaled service's line would add at its max: ``hours`` is its quantity at
    min, ``peak_hours`` at max."""
    if svc.scaling is None or price is None:
        return ""
    extra = (peak_hours - hours) * price
    return f"; at its max (up to {tasks(svc.scaling[1])}): +${extra:,.2f}/month"


def fargate(
    svc: Service,
    run: Running,
    spot_discount: float,
    p: Prices,
    out: Lines,
    component: str = "services",
    peak: Running | None = None,
) -> None:
    """The vCPU and memory lines of tasks on Fargate and Fargate Spot; ``peak`` is how
    they run at a scaled service's max."""
    peak = peak or run
    name = svc.entry[1]
    on = placed(svc.strategy, run)
    at_peak = placed(svc.strategy, peak)
    providers = {s.provider for s in svc.strategy}
    for provider in ("FARGATE", "FARGATE_SPOT"):
        if provider not in providers:
            continue
        task_hours = on.get(provider, 0.0)
        factor = 1 - spot_discount if provider == "FARGATE_SPOT" else 1.0
        vcpu, gb = svc.cpu / 1024, svc.memory / 1024
        label = _FARGATE_LABEL[provider] + (" ARM64" if svc.architecture == "ARM64" else "")
        share = "" if len(svc.strategy) == 1 else f"{num(task_hours)} of them on {label}; "
        how = run.note or f"{tasks(svc.fewest)} all month"
        if svc.scaling is not None:
            how = f"scaling {svc.scaling[0]}-{svc.scaling[1]}, priced at its min: {how}"
        peak_hours = at_peak.get(provider, 0.0)
        vcpu_price = p.at("fargate", svc.architecture, "vcpu_hour")
        vcpu_price = None if vcpu_price is None else unit_price(vcpu_price * factor)
        gb_price = p.at("fargate", svc.architecture, "gb_hour")
        gb_price = None if gb_price is None else unit_price(gb_price * factor)
        out.fixed(
            component,
            f"{name}: {label} vCPU",
            vcpu * task_hours,
            "vCPU-hour",
            vcpu_price,
            f"{num(vcpu)} vCPU x {num(run.task_hours)} task-hours; {share}{how}"
            + _at_max(svc, vcpu * task_hours, vcpu * peak_hours, vcpu_price),
            f"{label} vCPU",
            (svc.logical_id,),
        )
        out.fixed(
            component,
            f"{name}: {label} memory",
            gb * task_hours,
            "GB-hour",
            gb_price,
            f"{num(gb)} GB x {num(task_hours)} task-hours"
            + _at_max(svc, gb * task_hours, gb * peak_hours, gb_price),
            f"{label} memory",
            (svc.logical_id,),
        )


def services(bp: Blueprint, facts: Facts, run: dict[str, Running], p: Prices, out: Lines) -> None:
    discount = float(p.table["fargate_spot_discount"])
    peak = peaks(bp, facts)
    for svc in sorted(facts.services, key=lambda s: s.entry):
        name = svc.entry[1]
        hosts = _on_hosts(svc)
        if hosts is None:
            fargate(svc, run[name], discount, p, out, peak=peak.get(name, run[name]))
            continue
        scaled = "" if svc.scaling is None else f"at min {svc.scaling[0]} of max {svc.scaling[1]}"
        notes = (f"priced with {hosts} under instances", scaled, run[name].note)
        note = "; ".join(n for n in notes if n)
        out.fixed(
            "services",
            f"{name}: tasks on ECS hosts {hosts}",
            run[name].task_hours,
            "task-hour",
            0.0,
            note,
            resources=(svc.logical_id,),
        )


def _hosts(label: str, group: list[Hosts], count: int, p: Prices, out: Lines, note: str) -> None:
    first = group[0]
    ids = tuple(h.logical_id for h in group)
    out.fixed(
        "instances",
        f"{label}: {count} x {first.instance_type}",
        count * HOURS_PER_MONTH,
        "instance-hour",
        p.at("ec2_hour", first.instance_type),
        note,
        f"EC2 {first.instance_type}",
        ids,
    )
    out.fixed(
        "instances",
        f"{label}: gp3 root volumes",
        count * first.root_gb,
        "GB-month",
        p.at("ebs_gp3_gb_month"),
        f"{count} x {first.root_gb} GB",
        "EBS gp3",
    )
    monitored = sum(1 for h in group if h.monitoring) if first.kind == "instance" else count
    if first.monitoring:
        out.fixed(
            "instances",
            f"{label}: detailed monitoring",
            monitored,
            "instance-month",
            p.world("ec2_detailed_monitoring_instance_month"),
        )


def instances(facts: Facts, p: Prices, out: Lines) -> None:
    groups: dict[str, list[Hosts]] = defaultdict(list)
    for h in facts.hosts:
        if h.kind == "instance":
            groups[h.entry[1]].append(h)
    for name, group in sorted(groups.items()):
        _hosts(name, group, len(group), p, out, "")
    for h in sorted((h for h in facts.hosts if h.kind == "auto_scaling"), key=lambda h: h.entry):
        price = p.at("ec2_hour", h.instance_type)
        more = h.max_count - h.count
        note = f"ECS hosts at min_size {h.count}"
        if more > 0 and price is not None:
            extra = more * HOURS_PER_MONTH * price
            note += f"; up to max_size {h.max_count} when ECS scales out (+${extra:,.2f}/month)"
        _hosts(f"{h.entry[1]} (ECS hosts)", [h], h.count, p, out, note)
