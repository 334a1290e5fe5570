"""The network's rules: the VPC block and the subnets carved from it (or given) fit, do not
overlap, and span the zones that the entries needing two zones require."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ...codes import Code
from ...model.checker import Checker, rule
from . import needs


@rule(
    Code.VPC_CIDR_SIZE,
    Code.SUBNET_PREFIX,
    Code.SUBNET_SPACE,
    Code.SUBNET_COUNT,
    Code.SUBNET_OUTSIDE,
    Code.SUBNET_SIZE,
    Code.SUBNET_OVERLAP,
    Code.SUBNET_TWICE,
)
def subnets(c: Checker) -> None:
    """Carve a public and a private subnet per zone from the VPC block, or check the ones
    given; record them for the renderers (for an existing network, the subnets' IDs)."""
    net = c.bp.network
    if net.existing is not None:
        _existing_once(c)
        return
    vpc = ipaddress.IPv4Network(net.cidr)
    if not 16 <= vpc.prefixlen <= 24:
        c.error(
            ("network", "cidr"),
            f"'{net.cidr}': a VPC block must be between /16 and /24",
            Code.VPC_CIDR_SIZE,
        )
        return
    tiers: dict[str, tuple[str, ...]] = {}
    for tier in ("public", "private"):
        key = f"{tier}_subnets"
        given = getattr(net, key)
        if given is not None:
            tiers[tier] = tuple(given)
            _check_given(c, key, given, vpc)
            continue
        carved = _carve(c, vpc, tier)
        if carved is None:
            return
        tiers[tier] = carved
    _check_overlaps(c, tiers)
    c.public_subnets, c.private_subnets = tiers["public"], tiers["private"]


def _existing_once(c: Checker) -> None:
    """Each existing subnet is in one tier, once: a subnet's route table makes it public
    or private, never both."""
    existing = c.bp.network.existing
    assert existing is not None
    seen: dict[str, str] = {}
    for tier in ("public", "private"):
        key = f"{tier}_subnets"
        for i, subnet in enumerate(getattr(existing, key)):
            if subnet in seen:
                c.error(
                    ("network", "existing", key, i),
                    f"{subnet} is already {seen[subnet]}; list each subnet once, in the tier "
                    "its route table makes it",
                    Code.SUBNET_TWICE,
                )
            seen.setdefault(subnet, f"{key}[{i}]")
    c.public_subnets = tuple(existing.public_subnets)
    c.private_subnets = tuple(existing.private_subnets)


def _carve(c: Checker, vpc: ipaddress.IPv4Network, tier: str) -> tuple[str, ...] | None:
    net = c.bp.network
    prefix = net.subnet_prefix or min(vpc.prefixlen + 4, 28)
    if prefix <= vpc.prefixlen:
        c.error(
            ("network", "subnet_prefix"),
            f"/{prefix} subnets do not fit twice in the /{vpc.prefixlen} VPC",
            Code.SUBNET_PREFIX,
        )
        return None
    blocks = list(vpc.subnets(new_prefix=prefix))
    half = len(blocks) // 2
    if net.azs > half:
        where = ("network", "subnet_prefix") if net.subnet_prefix else ("network", "azs")
        c.error(
            where,
            f"{net.cidr} holds {len(blocks)} /{prefix} subnets, room for "
            f"{half} zones of public + private; {net.azs} zones need a larger VPC or "
            "a longer subnet_prefix",
            Code.SUBNET_SPACE,
        )
        return None
    offset = 0 if tier == "public" else half
    return tuple(str(blocks[offset + i]) for i in range(net.azs))


def _check_given(c: Checker, key: str, given: list[str], vpc: ipaddress.IPv4Network) -> None:
    if len(given) != c.bp.network.azs:
        c.error(
            ("network", key),
            f"lists {len(given)} subnet(s) for {c.bp.network.azs} zone(s); give one per zone",
            Code.SUBNET_COUNT,
        )
    for i, cidr in enumerate(given):
        block = ipaddress.IPv4Network(cidr)
        if not block.subnet_of(vpc):
            c.error(
                ("network", key, i),
                f"{cidr} is not inside the VPC block {vpc}",
                Code.SUBNET_OUTSIDE,
            )
        elif block.prefixlen > 28:
            c.error(
                ("network", key, i),
                f"{cidr} is smaller than /28, the least AWS allows",
                Code.SUBNET_SIZE,
            )


def _check_overlaps(c: Checker, tiers: Mapping[str, tuple[str, ...]]) -> None:
    seen: list[tuple[str, int, ipaddress.IPv4Network]] = []
    for tier, blocks in tiers.items():
        for i, cidr in enumerate(blocks):
            block = ipaddress.IPv4Network(cidr)
            for other_tier, j, other in seen:
                if block.overlaps(other):
                    c.error(
                        ("network", f"{tier}_subnets", i),
                        f"{cidr} overlaps {other} ({other_tier}_subnets[{j}])",
                        Code.SUBNET_OVERLAP,
                    )
            seen.append((tier, i, block))


@rule(Code.DATA_AZS)
def zones_for_data(c: Checker) -> None:
    """RDS subnet groups and replicated caches span two availability zones."""
    needs_two = [("databases", n) for n in c.bp.databases]
    needs_two += [("caches", n) for n, cache in c.bp.caches.items() if cache.replicas]
    if c.bp.network.existing is None and c.bp.network.azs < 2 and needs_two:
        section, name = needs_two[0]
        c.error(
            ("network", "azs"),
            f"{section}.{name} needs subnets in at least 2 "
            "availability zones (RDS subnet groups and replicated caches span two); set "
            "azs: 2 or more",
            Code.DATA_AZS,
        )


@rule(Code.NO_WAY_OUT)
def no_way_out(c: Checker) -> None:
    """Whatever starts connections out of a private subnet (tasks pulling images, hosts
    registering with ECS or Systems Manager) has no way out when ``nat: none``: one rule
    for services, jobs, EC2 capacity and instances (:func:`needs.reaching_out`). The S3
    and DynamoDB gateway endpoints still reach those two services. An existing network's
    way out is its own business, and is not known here: nothing is warned."""
    if needs.nat(c.bp) != "none" or c.bp.network.existing is not None:
        return
    for entry in needs.reaching_out(c.bp):
        c.warn(
            (*entry.path, "subnets"),
            f"private subnets have no NAT ('network.nat: none'): {entry.reaches_out}",
            Code.NO_WAY_OUT,
        )


@rule(Code.SUBNETS_TOO_FEW)
def existing_subnets(c: Checker) -> None:
    """An existing network has subnets in each tier something is placed in: two (in two
    availability zones) for a load balancer, an RDS subnet group or a replicated cache
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer,
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html),
    one for the rest. That the subnets lie in distinct zones is checked by AWS at deploy."""
    existing = c.bp.network.existing
    if existing is None:
        return
    wanted: dict[needs.Tier, tuple[int, str]] = {}
    for entry in needs.placed(c.bp):
        section = entry.path[0]
        two = section in ("load_balancers", "databases") or (
            section == "caches" and c.bp.caches[str(entry.path[1])].replicas > 0
        )
        need = 2 if two else 1
        if need > wanted.get(entry.tier, (0, ""))[0]:
            wanted[entry.tier] = (need, ".".join(str(p) for p in entry.path))
    for tier, (need, who) in sorted(wanted.items()):
        key = f"{tier}_subnets"
        have = needs.zones(c.bp, tier)
        if have < need:
            zones = "subnets in 2 availability zones" if need == 2 else "a subnet"
            c.error(
                ("network", "existing", key)
                if key in existing.model_fields_set
                else ("network", "existing"),
                f"{who} needs {zones} of the {tier} tier; {key} lists {have}",
                Code.SUBNETS_TOO_FEW,
                at_key=key not in existing.model_fields_set,
            )


@rule(Code.NETWORK_UNUSED)
def unused(c: Checker) -> None:
    """A ``network`` section written while nothing sits in a VPC makes no VPC: the VPC,
    its gateways and its flow logs would serve nothing (and a NAT gateway would cost
    about $33 a month). The section is kept, not refused, so that it still shapes the
    network when something that needs one is added. A section with errors gets those
    alone."""
    wrong = any(i.path[:1] == ("network",) for i in c.issues)
    if "network" in c.bp.model_fields_set and not needs.needs_vpc(c.bp) and not wrong:
        c.warn(
            ("network",),
            "nothing in this blueprint sits in a VPC (functions, tables, buckets, queues "
            "and APIs run outside one), so no VPC is made; remove 'network' or keep it for "
            "when something needs it",
            Code.NETWORK_UNUSED,
        )


RULES = (subnets, zones_for_data, existing_subnets, no_way_out, unused)
