"""What earlier section renderers hand to later ones, as typed handles.

A renderer reads the handles of the sections before it and publishes its own, one handle
per entry (or one per section: the network, the cluster); it never looks a resource up by
a string logical ID. The network and the cluster, read before their sections rendered, are
reported as a bug in the order of :data:`generator.render.stacks.RENDERERS`; an entry's
handle is there whenever the checks let the entry name it.

Every resource is added through :meth:`Context.add`, which records the blueprint path it
came from so that a problem found later (by troposphere or cfn-lint) can be reported at
that line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from troposphere import AWSHelperFn, AWSObject, Output, Sub, Template, encode_to_dict

from .. import naming
from ..errors import InternalError, Path
from ..model.blueprint import Blueprint
from ..model.permissions import Reference
from ..model.references import REFERENCE_ATTRIBUTES, USER_DATA_REFERENCE
from ..model.resolve import Resolved

if TYPE_CHECKING:
    from .access_logs import Archive

R = TypeVar("R", bound=AWSObject)


class IdCollision(Exception):
    """Two blueprint entries produce the same logical ID, or the same output name
    (``what``: "logical ID" or "output")."""

    def __init__(
        self, logical_id: str, first: Path, second: Path, what: str = "logical ID"
    ) -> None:
        super().__init__(logical_id)
        self.logical_id = logical_id
        self.first = first
        self.second = second
        self.what = what


@dataclass(frozen=True)
class SecurityGroupHandle:
    """A security group and the stem its rules are named after."""

    group: AWSObject
    stem: str


@dataclass(frozen=True)
class ExistingGroupHandle:
    """A security group outside the blueprint, by ID: rules may admit it to a group of
    the blueprint, but none is added to it."""

    group_id: str
    stem: str


@dataclass(frozen=True)
class ZoneHandle:
    domain: str
    #: ``Ref`` to a created zone, or the existing zone's id as text.
    zone_id: Any


@dataclass(frozen=True)
class NetworkHandle:
    #: ``Ref`` to the VPC made, or the existing VPC's ID as text
    vpc_id: Any
    #: "public" / "private" -> the IDs of the subnets of that tier (``Ref`` to those made,
    #: or the existing ones' as text), one per zone
    subnet_ids: Mapping[str, list[Any]]


@dataclass(frozen=True)
class LoadBalancerHandle:
    #: the load balancer made; None for routes on an existing listener
    resource: AWSObject | None
    security_group: SecurityGroupHandle | ExistingGroupHandle
    #: ``app/NAME/ID``, as request-count scaling names the load balancer
    full_name: Any
    #: route key -> its target group
    target_groups: dict[str, AWSObject] = field(default_factory=dict)
    #: route key -> the listener or rule that attaches its target group
    attachments: dict[str, list[AWSObject]] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterHandle:
    cluster: AWSObject
    #: ec2_capacity entry -> its capacity provider
    capacity_providers: dict[str, AWSObject] = field(default_factory=dict)
    #: what services wait for before they are created (capacity associations)
    ready: list[AWSObject] = field(default_factory=list)


@dataclass(frozen=True)
class FileSystemHandle:
    file_system: AWSObject
    mount_targets: list[AWSObject] = field(default_factory=list)
    #: access point name -> the access point
    access_points: dict[str, AWSObject] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceHandle:
    service: AWSObject


@dataclass(frozen=True)
class ApiHandle:
    api: AWSObject
    stage_name: str


class Published(AWSHelperFn):  # type: ignore[misc]  # troposphere is untyped
    """What ``{ref: SECTION.NAME.ATTRIBUTE}`` stands for, read when the template is drawn
    rather than when the reference is rendered: an entry may name one that renders after
    it (a function the load balancer's DNS name, an instance its distribution's domain)."""

    def __init__(self, attributes: Mapping[tuple[str, str, str], Any], ref: str) -> None:
        section, name, attribute = ref.split(".")
        self.attributes = attributes
        self.key = (section, name, attribute)

    def to_dict(self) -> Any:
        if self.key not in self.attributes:
            raise InternalError(f"{'.'.join(self.key)} is referenced but never published")
        return encode_to_dict(self.attributes[self.key])


@dataclass
class Context:
    """The state of one stack's rendering."""

    bp: Blueprint
    resolved: Resolved
    template: Template
    #: logical ID -> the blueprint path that produced it
    origins: dict[str, Path] = field(default_factory=dict)
    #: output name -> the blueprint path that produced it (when not the stack as a whole)
    output_origins: dict[str, Path] = field(default_factory=dict)
    network_handle: NetworkHandle | None = None
    zones: dict[str, ZoneHandle] = field(default_factory=dict)
    #: certificate entry -> its ARN (a certificate of this stack, or a parameter whose
    #: value the us-east-1 stack's output provides)
    certificate_arns: dict[str, Any] = field(default_factory=dict)
    load_balancers: dict[str, LoadBalancerHandle] = field(default_factory=dict)
    cluster_handle: ClusterHandle | None = None
    services: dict[str, ServiceHandle] = field(default_factory=dict)
    #: the private DNS namespace of services reached by name (render/discovery.py)
    namespace: AWSObject | None = None
    #: (section, name) -> the security group of that entry
    groups: dict[tuple[str, str], SecurityGroupHandle] = field(default_factory=dict)
    #: (section, name, attribute) -> the value ``{ref: ...}`` stands for
    attributes: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    instances: dict[str, list[AWSObject]] = field(default_factory=dict)
    buckets: dict[str, AWSObject] = field(default_factory=dict)
    #: bucket entry -> its bucket policy (a distribution serving the bucket adds to it)
    bucket_policies: dict[str, AWSObject] = field(default_factory=dict)
    tables: dict[str, AWSObject] = field(default_factory=dict)
    queues: dict[str, AWSObject] = field(default_factory=dict)
    file_systems: dict[str, FileSystemHandle] = field(default_factory=dict)
    functions: dict[str, AWSObject] = field(default_factory=dict)
    apis: dict[str, ApiHandle] = field(default_factory=dict)
    #: files the blueprint names (user data, inline code), read by the load step
    includes: dict[str, str] = field(default_factory=dict)
    #: distribution -> the secret it sends its service origin (render/origin.py)
    origin_secrets: dict[str, AWSObject] = field(default_factory=dict)
    #: the stack's access-log bucket (access_logs.Archive), made when first needed
    access_log_archive: Archive | None = None

    @property
    def network(self) -> NetworkHandle:
        if self.network_handle is None:
            raise InternalError("the network is read before it is rendered")
        return self.network_handle

    @property
    def cluster(self) -> ClusterHandle:
        if self.cluster_handle is None:
            raise InternalError("the ECS cluster is read before it is rendered")
        return self.cluster_handle

    def add(self, resource: R, origin: Path) -> R:
        """Add a resource to the template, remembering which blueprint entry made it. Two
        entries whose names make the same logical ID are the user's to fix, not a bug."""
        if resource.title in self.template.resources:
            first = self.origins.get(resource.title, ())
            raise IdCollision(resource.title, first, origin)
        # Not Template.add_resource, which stops at 500: this is the logical template of
        # the whole blueprint, split into stacks (each checked against the quotas) later.
        self.template.resources[resource.title] = resource
        self.origins[resource.title] = origin
        return resource

    def output(self, output: Output, origin: Path) -> None:
        """Add an output, remembering the blueprint entry that made it. Output names come
        from entry names, so two entries can make one (a route key and a WebSocket API:
        ``ChatWebsocketUrl``): the user's to fix, like a logical ID both make."""
        if output.title in self.template.outputs:
            first = self.output_origins.get(output.title, ())
            raise IdCollision(output.title, first, origin, "output")
        self.template.outputs[output.title] = output  # no 200 cap here either: see add()
        self.output_origins[output.title] = origin

    def environment(self, env: Mapping[str, str | Reference]) -> dict[str, Any]:
        """Environment variables with every ``{ref: ...}`` replaced by what it stands for,
        sorted by name."""
        return {
            k: self.value(v.ref) if isinstance(v, Reference) else v for k, v in sorted(env.items())
        }

    def publish(
        self, section: str, name: str, values: Mapping[str, Any], absent: Collection[str] = ()
    ) -> None:
        """What ``{ref: SECTION.NAME.ATTRIBUTE}`` stands for, for each attribute of one
        entry: exactly the attributes the checks let a reference name
        (:data:`generator.model.references.REFERENCE_ATTRIBUTES`), no more, no fewer, but
        those ``absent``: ones this entry has no value for, which the checks refuse a
        reference to (and which are no output)."""
        declared = REFERENCE_ATTRIBUTES.get(section, ())
        if sorted([*values, *absent]) != sorted(declared):
            raise InternalError(
                f"{section}.{name} publishes {sorted(values)}; references may name {declared}"
            )
        for attribute, value in values.items():
            self.attributes[(section, name, attribute)] = value

    def value(self, ref: str) -> Any:
        """What ``{ref: SECTION.NAME.ATTRIBUTE}`` stands for in the template, whatever the
        order the two entries render in."""
        return Published(self.attributes, ref)

    def substituted(self, text: str) -> Any:
        """``text`` with each ``${ref:SECTION.NAME.ATTRIBUTE}`` replaced by what it stands
        for: the text itself when it has none, else an Fn::Sub whose variables are the
        references and in which every other ``${`` (shell syntax) is kept as it is
        written, escaped as ``${!`` ("To write a dollar sign and curly braces (${})
        literally, add an exclamation point (!) after the open curly brace", https://
        docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-sub.html)."""
        parts = USER_DATA_REFERENCE.split(text)
        if len(parts) == 1:
            return text
        pieces: list[str] = []
        variables: dict[str, Any] = {}
        for i, part in enumerate(parts):
            if i % 2 == 0:
                pieces.append(part.replace("${", "${!"))
                continue
            variable = naming.reference_output(*part.split("."))
            variables[variable] = self.value(part)
            pieces.append("${" + variable + "}")
        return Sub("".join(pieces), dict(sorted(variables.items())))

    def reference_outputs(self) -> None:
        """Every value a reference can name as an output of its entry's stack (for the
        deploy user, scripts and other stacks), once every section has rendered. A value
        the template already outputs (a queue's ``OrdersQueueUrl``) is not output twice:
        outputs count towards a stack's quota, and blueprints that fitted it still do."""
        made = {_canonical(o.Value) for o in self.template.outputs.values()}
        for (section, name, attribute), value in sorted(self.attributes.items()):
            if _canonical(value) in made:
                continue
            self.output(
                Output(
                    naming.reference_output(section, name, attribute),
                    Description=f"{attribute} of {section}.{name} "
                    f"(what {{ref: {section}.{name}.{attribute}}} stands for)",
                    Value=value,
                ),
                (section, name),
            )


def _canonical(value: Any) -> str:
    """A value as CloudFormation reads it, comparable with another."""
    import json

    from troposphere import encode_to_dict

    return json.dumps(encode_to_dict(value), sort_keys=True)
