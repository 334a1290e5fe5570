"""What a build made, read off its rendered templates: the facts cost and graph use.

Every fact about what exists, its size and who reaches whom comes from the serialized
stacks :func:`generator.pipeline.render` returns, so a renderer's change reaches the
estimate and the drawing by itself; only what templates cannot say (when schedules run,
how a zone was given) is read from the blueprint. Each fact names the blueprint entry
that made it, ``(section, name)`` from the stack's origins, and the logical ID of the
resource it was read from. Pure Python over plain dicts: no troposphere here.

References across stacks (a parameter that deploy.sh fills from another stack's output)
are followed to the resource behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import compute, data
from . import rules as rules_
from .compute import Address, Hosts, JobTask, Service, Share
from .data import (
    Bucket,
    Cache,
    Database,
    Distribution,
    FileSystem,
    Function,
    LoadBalancer,
    LogGroup,
    NatGateway,
    Queue,
    Table,
)
from .refs import Entry, Resource, Stacks, resources
from .rules import NO_EGRESS, Rule

if TYPE_CHECKING:
    from ..pipeline import Build

__all__ = [
    "NO_EGRESS",
    "Address",
    "Bucket",
    "Cache",
    "Database",
    "Distribution",
    "Entry",
    "Facts",
    "FileSystem",
    "Function",
    "Hosts",
    "JobTask",
    "LoadBalancer",
    "LogGroup",
    "NatGateway",
    "Queue",
    "Resource",
    "Rule",
    "Service",
    "Share",
    "Table",
    "read",
]


#: How each kind of typed fact is read: CloudFormation type -> (Facts field, reader).
_READERS: dict[str, tuple[str, Any]] = {
    "AWS::EC2::NatGateway": ("nat_gateways", data.nat_gateway),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("load_balancers", data.load_balancer),
    "AWS::RDS::DBInstance": ("databases", data.database),
    "AWS::ElastiCache::ReplicationGroup": ("caches", data.cache),
    "AWS::EFS::FileSystem": ("file_systems", data.file_system),
    "AWS::DynamoDB::Table": ("tables", data.table),
    "AWS::SQS::Queue": ("queues", data.queue),
    "AWS::Lambda::Function": ("functions", data.function),
    "AWS::CloudFront::Distribution": ("distributions", data.distribution),
    "AWS::S3::Bucket": ("buckets", data.bucket),
    "AWS::Logs::LogGroup": ("log_groups", data.log_group),
}


@dataclass(frozen=True)
class Facts:
    """Everything the templates of one build make: every resource with its entry, and
    typed facts for what cost and graph read. Each tuple is in stack order."""

    region: str
    resources: tuple[Resource, ...]
    services: tuple[Service, ...]
    hosts: tuple[Hosts, ...]
    addresses: tuple[Address, ...]
    rules: tuple[Rule, ...]
    #: (entry, resource type, subnet tier) for each resource placed in subnets: the
    #: tier is the origin of the subnet ("public_subnets" or "private_subnets").
    placed: tuple[tuple[Entry, str, str], ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()
    load_balancers: tuple[LoadBalancer, ...] = ()
    databases: tuple[Database, ...] = ()
    caches: tuple[Cache, ...] = ()
    file_systems: tuple[FileSystem, ...] = ()
    tables: tuple[Table, ...] = ()
    queues: tuple[Queue, ...] = ()
    functions: tuple[Function, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    log_groups: tuple[LogGroup, ...] = ()
    jobs: tuple[JobTask, ...] = ()

    def of(self, *types: str) -> list[Resource]:
        """The resources of the given CloudFormation types, in stack order."""
        return [r for r in self.resources if r.type in types]


def read(build: Build) -> Facts:
    """The facts of a rendered build."""
    refs = Stacks(build.stacks)
    made = list(resources(build.stacks))
    # A service's scalable target is made by its entry (a service has one at most).
    targets = {
        r.entry: r
        for r in made
        if r.type == "AWS::ApplicationAutoScaling::ScalableTarget"
        and r.properties.get("ScalableDimension") == "ecs:service:DesiredCount"
    }
    services = [
        compute.service(r, refs, targets.get(r.entry))
        for r in made
        if r.type == "AWS::ECS::Service"
    ]
    hosts = [
        h
        for r in made
        if r.type in ("AWS::EC2::Instance", "AWS::AutoScaling::AutoScalingGroup")
        and (h := compute.hosts(r, refs)) is not None
    ]
    jobs = [
        compute.job_task(r)
        for r in made
        if r.type == "AWS::ECS::TaskDefinition" and r.entry[0] == "jobs"
    ]
    typed: dict[str, list[Any]] = {field: [] for field, _ in _READERS.values()}
    for r in made:
        if r.type in _READERS:
            field, reader = _READERS[r.type]
            typed[field].append(reader(r))
    return Facts(
        region=build.checked.blueprint.region,
        resources=tuple(made),
        services=tuple(services),
        hosts=tuple(hosts),
        addresses=tuple(compute.addresses(made, services, hosts)),
        rules=tuple(rules_.rules(made, refs)),
        placed=tuple(rules_.placed(made, refs)),
        jobs=tuple(jobs),
        **{field: tuple(found) for field, found in typed.items()},
    )
