"""Security-group rules, resolved to the entries owning the groups, and where resources
sit (public or private subnets)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InternalError
from .refs import Entry, Resource, Stacks

#: The rule AWS documents for a group that allows no egress: ICMP type 252 code 86 to
#: 255.255.255.255/32 matches no packet; it only replaces the default allow-all rule.
NO_EGRESS = ("255.255.255.255/32", "icmp", 252, 86)


@dataclass(frozen=True)
class Rule:
    """One security-group rule: on ``group``'s group, from (ingress) or to (egress)
    ``peer``, an entry or a CIDR block. ``made_by`` is the entry whose resource holds it."""

    stack: str
    logical_id: str
    direction: str
    group: Entry
    peer: Entry | str
    protocol: str
    low: int | None
    high: int | None
    made_by: Entry

    @property
    def admits_nothing(self) -> bool:
        return (self.peer, self.protocol, self.low, self.high) == NO_EGRESS


_PEERS = {
    "ingress": ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId"),
    "egress": ("CidrIp", "CidrIpv6", "DestinationSecurityGroupId", "DestinationPrefixListId"),
}


def _rule(
    stack: str,
    logical_id: str,
    direction: str,
    group: Entry,
    p: Mapping[str, Any],
    made_by: Entry,
    refs: Stacks,
) -> Rule:
    key = next((k for k in _PEERS[direction] if k in p), None)
    if key is None:
        raise InternalError(f"security group rule {logical_id} in {stack} names no peer")
    value = p[key]
    found = refs.resource(stack, value) if isinstance(value, Mapping) else None
    peer: Entry | str = found.entry if found else str(value)
    low, high = p.get("FromPort"), p.get("ToPort")
    return Rule(
        stack,
        logical_id,
        direction,
        group,
        peer,
        str(p.get("IpProtocol", "")),
        None if low is None else int(low),
        None if high is None else int(high),
        made_by,
    )


def rules(resources: list[Resource], refs: Stacks) -> Iterator[Rule]:
    for r in resources:
        if r.type == "AWS::EC2::SecurityGroup":
            for direction in ("ingress", "egress"):
                key = "SecurityGroupIngress" if direction == "ingress" else "SecurityGroupEgress"
                for p in r.properties.get(key, []):
                    yield _rule(r.stack, r.logical_id, direction, r.entry, p, r.entry, refs)
        elif r.type in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            direction = "ingress" if r.type.endswith("Ingress") else "egress"
            group = refs.resource(r.stack, r.properties.get("GroupId"))
            if group is None:
                raise InternalError(f"{r.logical_id} in {r.stack}: its group is not in the build")
            yield _rule(r.stack, r.logical_id, direction, group.entry, r.properties, r.entry, refs)


def _subnets(p: Mapping[str, Any]) -> list[Any]:
    vpc = p.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    nics = [n.get("SubnetId") for n in p.get("NetworkInterfaces", [])]
    found = [p.get("SubnetId"), *p.get("Subnets", []), *p.get("VPCZoneIdentifier", [])]
    return [v for v in (*found, *vpc.get("Subnets", []), *nics) if v is not None]


def placed(resources: list[Resource], refs: Stacks) -> Iterator[tuple[Entry, str, str]]:
    for r in resources:
        tiers = set()
        for value in _subnets(r.properties):
            subnet = refs.resource(r.stack, value)
            if subnet is not None and subnet.type == "AWS::EC2::Subnet":
                tiers.add(subnet.entry[1])
        for tier in sorted(tiers):
            yield (r.entry, r.type, tier)
