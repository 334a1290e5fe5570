"""What a build made, read off its rendered templates: the facts cost and graph use.

Every fact comes from the serialized stacks :func:`generator.pipeline.render` returns,
never from a second reading of the blueprint, so a renderer's change reaches the estimate
and the drawing by itself. Each fact names the blueprint entry that made it, ``(section,
name)`` from the stack's origins, and the logical ID of the resource it was read from.
Pure Python over plain dicts: no troposphere here.

References across stacks (a parameter that deploy.sh fills from another stack's output)
are followed to the resource behind them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .pipeline import Build, RenderedStack

#: (section, name) of the blueprint entry behind a resource; name "" for a section-wide one.
Entry = tuple[str, str]
#: The rule AWS documents for a group that allows no egress: ICMP type 252 code 86 to
#: 255.255.255.255/32 matches no packet; it only replaces the default allow-all rule.
NO_EGRESS = ("255.255.255.255/32", "icmp", 252, 86)


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    entry: Entry
    origin: tuple[str | int, ...]
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class Share:
    """One line of an ECS service's capacity provider strategy; ``hosts`` is the EC2
    capacity entry when the provider is an Auto Scaling group's."""

    provider: str
    base: int
    weight: int
    hosts: Entry | None = None


@dataclass(frozen=True)
class Service:
    logical_id: str
    entry: Entry
    cpu: int
    memory: int
    architecture: str
    desired_count: int
    strategy: tuple[Share, ...]
    public_ip: bool


@dataclass(frozen=True)
class Hosts:
    """EC2 instances: one ``AWS::EC2::Instance`` (count 1) or an Auto Scaling group
    (count its MinSize, up to ``max_count``)."""

    logical_id: str
    entry: Entry
    kind: str
    instance_type: str
    root_gb: int
    monitoring: bool
    public_ip: bool
    count: int
    max_count: int


@dataclass(frozen=True)
class Address:
    """Public IPv4 addresses: ``per_unit`` for each running unit of ``source`` (a NAT
    gateway's Elastic IP, a zone of an internet-facing load balancer, a task, an
    instance)."""

    logical_id: str
    entry: Entry
    source: str
    per_unit: int


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


@dataclass(frozen=True)
class Facts:
    """Everything the templates of one build make, by kind."""

    region: str
    resources: tuple[Resource, ...]
    services: tuple[Service, ...]
    hosts: tuple[Hosts, ...]
    addresses: tuple[Address, ...]
    rules: tuple[Rule, ...]
    #: (entry, resource type, subnet tier) for each resource placed in subnets: the
    #: tier is the origin of the subnet ("public_subnets" or "private_subnets").
    placed: tuple[tuple[Entry, str, str], ...] = ()

    def of(self, *types: str) -> list[Resource]:
        """The resources of the given CloudFormation types, in stack order."""
        return [r for r in self.resources if r.type in types]

    def props(self, type_: str, section: str) -> dict[str, Mapping[str, Any]]:
        """Entry name -> properties of the one resource of ``type_`` a section's entry made."""
        return {r.entry[1]: r.properties for r in self.of(type_) if r.entry[0] == section}


def _entry(origin: tuple[str | int, ...]) -> Entry:
    return (str(origin[0]) if origin else "", str(origin[1]) if len(origin) > 1 else "")


class _Stacks:
    """Rendered stacks by name, and where a reference in one of them points."""

    def __init__(self, stacks: list[RenderedStack]) -> None:
        self.by_name = {s.name: s for s in stacks}

    def target(self, stack: str, value: Any) -> tuple[str, str] | None:
        """(stack, logical ID) of the resource a Ref/GetAtt names, across stacks."""
        if not isinstance(value, Mapping):
            return None
        here = self.by_name[stack]
        if "Fn::GetAtt" in value:
            name = value["Fn::GetAtt"][0]
            return (stack, name) if name in here.data.get("Resources", {}) else None
        name = str(value.get("Ref"))
        if name in here.data.get("Resources", {}):
            return (stack, name)
        if name in here.parameter_sources:
            source, _, output = here.parameter_sources[name]
            return self.target(source, self.by_name[source].data["Outputs"][output]["Value"])
        return None

    def resource(self, stack: str, value: Any) -> Resource | None:
        found = self.target(stack, value)
        if found is None:
            return None
        s = self.by_name[found[0]]
        body = s.data["Resources"][found[1]]
        origin = s.origins.get(found[1], ())
        return Resource(
            s.name, found[1], body["Type"], _entry(origin), origin, body.get("Properties", {})
        )


def _resources(stacks: list[RenderedStack]) -> Iterator[Resource]:
    for s in stacks:
        for name, body in s.data.get("Resources", {}).items():
            origin = s.origins.get(name, ())
            yield Resource(
                s.name, name, body["Type"], _entry(origin), origin, body.get("Properties", {})
            )


def _int(value: Any, default: int = 0) -> int:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else default


def _service(r: Resource, refs: _Stacks) -> Service:
    p = r.properties
    task = refs.resource(r.stack, p.get("TaskDefinition"))
    tp = task.properties if task else {}
    strategy = []
    for line in p.get("CapacityProviderStrategy", []):
        provider = line["CapacityProvider"]
        hosts = None
        if not isinstance(provider, str):
            cp = refs.resource(r.stack, provider)
            asg = cp and refs.resource(
                cp.stack, cp.properties["AutoScalingGroupProvider"]["AutoScalingGroupArn"]
            )
            hosts = asg.entry if asg else None
            provider = cp.logical_id if cp else "?"
        strategy.append(Share(provider, _int(line.get("Base")), _int(line.get("Weight")), hosts))
    vpc = p.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    return Service(
        logical_id=r.logical_id,
        entry=r.entry,
        cpu=_int(tp.get("Cpu")),
        memory=_int(tp.get("Memory")),
        architecture=tp.get("RuntimePlatform", {}).get("CpuArchitecture", "X86_64"),
        desired_count=_int(p.get("DesiredCount"), 1),
        strategy=tuple(strategy),
        public_ip=vpc.get("AssignPublicIp") == "ENABLED",
    )


def _root_gb(mappings: list[Mapping[str, Any]]) -> int:
    return sum(_int(m.get("Ebs", {}).get("VolumeSize")) for m in mappings)


def _hosts(r: Resource, refs: _Stacks) -> Hosts | None:
    p = r.properties
    if r.type == "AWS::EC2::Instance":
        nics = p.get("NetworkInterfaces", [])
        return Hosts(
            r.logical_id,
            r.entry,
            "instance",
            p.get("InstanceType", ""),
            _root_gb(p.get("BlockDeviceMappings", [])),
            bool(p.get("Monitoring")),
            any(n.get("AssociatePublicIpAddress") is True for n in nics),
            1,
            1,
        )
    template = refs.resource(r.stack, p.get("LaunchTemplate", {}).get("LaunchTemplateId"))
    if template is None:
        return None
    data = template.properties.get("LaunchTemplateData", {})
    nics = data.get("NetworkInterfaces", [])
    return Hosts(
        r.logical_id,
        r.entry,
        "auto_scaling",
        data.get("InstanceType", ""),
        _root_gb(data.get("BlockDeviceMappings", [])),
        bool(data.get("Monitoring", {}).get("Enabled")),
        any(n.get("AssociatePublicIpAddress") is True for n in nics),
        _int(p.get("MinSize")),
        _int(p.get("MaxSize")),
    )


def _addresses(
    resources: list[Resource], services: list[Service], hosts: list[Hosts]
) -> list[Address]:
    out = [Address(r.logical_id, r.entry, "nat", 1) for r in resources if r.type == "AWS::EC2::EIP"]
    for r in resources:
        scheme = r.properties.get("Scheme", "internet-facing")
        if r.type == "AWS::ElasticLoadBalancingV2::LoadBalancer" and scheme == "internet-facing":
            zones = len(r.properties.get("Subnets", r.properties.get("SubnetMappings", [])))
            out.append(Address(r.logical_id, r.entry, "load_balancer", zones))
    out += [Address(s.logical_id, s.entry, "task", 1) for s in services if s.public_ip]
    out += [Address(h.logical_id, h.entry, "instance", 1) for h in hosts if h.public_ip]
    return out


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
    refs: _Stacks,
) -> Rule:
    peer: Entry | str = "?"
    for key in _PEERS[direction]:
        if key in p:
            value = p[key]
            found = refs.resource(stack, value) if isinstance(value, Mapping) else None
            peer = found.entry if found else str(value)
            break
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


def _rules(resources: list[Resource], refs: _Stacks) -> Iterator[Rule]:
    for r in resources:
        if r.type == "AWS::EC2::SecurityGroup":
            for direction in ("ingress", "egress"):
                key = "SecurityGroupIngress" if direction == "ingress" else "SecurityGroupEgress"
                for p in r.properties.get(key, []):
                    yield _rule(r.stack, r.logical_id, direction, r.entry, p, r.entry, refs)
        elif r.type in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            direction = "ingress" if r.type.endswith("Ingress") else "egress"
            group = refs.resource(r.stack, r.properties.get("GroupId"))
            owner = group.entry if group else ("?", r.logical_id)
            yield _rule(r.stack, r.logical_id, direction, owner, r.properties, r.entry, refs)


def _subnets(p: Mapping[str, Any]) -> list[Any]:
    vpc = p.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    nics = [n.get("SubnetId") for n in p.get("NetworkInterfaces", [])]
    found = [p.get("SubnetId"), *p.get("Subnets", []), *p.get("VPCZoneIdentifier", [])]
    return [v for v in (*found, *vpc.get("Subnets", []), *nics) if v is not None]


def _placed(resources: list[Resource], refs: _Stacks) -> Iterator[tuple[Entry, str, str]]:
    for r in resources:
        tiers = set()
        for value in _subnets(r.properties):
            subnet = refs.resource(r.stack, value)
            if subnet is not None and subnet.type == "AWS::EC2::Subnet":
                tiers.add(subnet.entry[1])
        for tier in sorted(tiers):
            yield (r.entry, r.type, tier)


def read(build: Build) -> Facts:
    """The facts of a rendered build."""
    refs = _Stacks(build.stacks)
    resources = list(_resources(build.stacks))
    services = [_service(r, refs) for r in resources if r.type == "AWS::ECS::Service"]
    hosts = [
        h
        for r in resources
        if r.type in ("AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup")
        and (h := _hosts(r, refs)) is not None
    ]
    return Facts(
        region=build.checked.blueprint.region,
        resources=tuple(resources),
        services=tuple(services),
        hosts=tuple(hosts),
        addresses=tuple(_addresses(resources, services, hosts)),
        rules=tuple(_rules(resources, refs)),
        placed=tuple(_placed(resources, refs)),
    )
