"""ECS services, EC2 hosts and public IPv4 addresses, as the templates make them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InternalError
from .refs import Entry, Resource, Stacks, number


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
    #: The scalable target's (MinCapacity, MaxCapacity), or None for a fixed count. A
    #: template without ``DesiredCount`` starts a new service at 1 (``desired_count``).
    scaling: tuple[int, int] | None = None

    @property
    def fewest(self) -> int:
        """The tasks it runs at the least: its scaling min, or its desired count."""
        return self.scaling[0] if self.scaling else self.desired_count


@dataclass(frozen=True)
class JobTask:
    """The task a job runs, as its task definition makes it."""

    logical_id: str
    entry: Entry
    cpu: int
    memory: int
    architecture: str


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


def service(r: Resource, refs: Stacks, target: Resource | None = None) -> Service:
    """An ECS service, with the scalable target of its task count if it has one."""
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
            if cp is None:
                raise InternalError(f"{r.logical_id} in {r.stack}: a capacity provider not built")
            provider = cp.logical_id
        strategy.append(
            Share(provider, number(line.get("Base")), number(line.get("Weight")), hosts)
        )
    vpc = p.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    return Service(
        logical_id=r.logical_id,
        entry=r.entry,
        cpu=number(tp.get("Cpu")),
        memory=number(tp.get("Memory")),
        architecture=tp.get("RuntimePlatform", {}).get("CpuArchitecture", "X86_64"),
        desired_count=number(p.get("DesiredCount"), 1),
        strategy=tuple(strategy),
        public_ip=vpc.get("AssignPublicIp") == "ENABLED",
        scaling=None if target is None else _range(target.properties),
    )


def job_task(r: Resource) -> JobTask:
    p = r.properties
    return JobTask(
        logical_id=r.logical_id,
        entry=r.entry,
        cpu=number(p.get("Cpu")),
        memory=number(p.get("Memory")),
        architecture=p.get("RuntimePlatform", {}).get("CpuArchitecture", "X86_64"),
    )


def _range(p: Mapping[str, Any]) -> tuple[int, int]:
    return number(p["MinCapacity"]), number(p["MaxCapacity"])


def _root_gb(mappings: list[Mapping[str, Any]]) -> int:
    return sum(number(m.get("Ebs", {}).get("VolumeSize")) for m in mappings)


def hosts(r: Resource, refs: Stacks) -> Hosts | None:
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
        number(p.get("MinSize")),
        number(p.get("MaxSize")),
    )


def addresses(
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
