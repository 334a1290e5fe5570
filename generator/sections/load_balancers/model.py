"""Application load balancers, their listeners and routes to services."""

import re
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from ...codes import Code
from ...errors import shown
from ...model.aws_ids import ListenerArn, SecurityGroupId
from ...model.base import Strict
from ...model.types import (
    Cidr,
    DomainName,
    HostPattern,
    HttpCodes,
    Name,
    PathPattern,
    Port,
    existing_alone,
    refuse,
)

TlsPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
]
"""Listener policies allowed: every one refuses TLS 1.0 and 1.1."""


# What ALB takes in a path-pattern condition, and how many values a rule holds: three per
# condition, five in all
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html,
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html).
_ROUTE_PATH = re.compile(r"[A-Za-z0-9_.$/~\"'@:+&*?-]+")
PER_CONDITION = 3
PER_RULE = 5


def _route_path(value: str) -> str:
    bad = sorted({ch for ch in value if not _ROUTE_PATH.fullmatch(ch)})
    if bad:
        raise refuse(
            Code.PATH_PATTERN_INVALID,
            f"{shown(value)} holds {', '.join(shown(ch) for ch in bad)}, which a load balancer's "
            "path pattern cannot: it takes letters, digits, _ - . $ / ~ \" ' @ : + & and the "
            "wildcards * and ?",
        )
    return value


RoutePath = Annotated[PathPattern, AfterValidator(_route_path)]


def _matcher(value: str) -> str:
    # A target group's success codes for HTTP are 200 to 499
    # (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html).
    outside = [c for c in re.findall(r"\d+", value) if not 200 <= int(c) <= 499]
    if outside:
        raise refuse(
            Code.HTTP_CODES_INVALID,
            f"{shown(value)}: {outside[0]} is not a code a target group can match: use codes from "
            "200 to 499",
        )
    return value


class HealthCheck(Strict):
    """How the load balancer decides a target is healthy."""

    path: PathPattern = "/"
    """The HTTP path probed."""

    matcher: Annotated[HttpCodes, AfterValidator(_matcher)] = "200-399"
    """HTTP codes that count as healthy, e.g. ``200`` or ``200-399``."""

    interval_seconds: int = Field(default=30, ge=5, le=300)
    """Seconds between probes."""

    timeout_seconds: int = Field(default=5, ge=2, le=120)
    """Seconds to wait for an answer."""

    healthy_threshold: int = Field(default=2, ge=2, le=10)
    """Passing probes in a row before a target is healthy."""

    unhealthy_threshold: int = Field(default=3, ge=2, le=10)
    """Failing probes in a row before a target is unhealthy."""

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> Self:
        # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
        if self.timeout_seconds >= self.interval_seconds:
            raise PydanticCustomError(
                Code.HEALTH_CHECK_TIMEOUT,
                "timeout_seconds ({timeout}) must be less than interval_seconds ({interval})",
                {"timeout": self.timeout_seconds, "interval": self.interval_seconds},
            )
        return self


class Route(Strict):
    """Traffic matching ``hosts`` and ``paths`` goes to a service's container port. A route
    with neither is the listener's default."""

    service: Name | None = None
    """The service that receives the traffic (target type ``ip``, or ``instance`` for a
    service on EC2 capacity)."""

    instances: Name | None = None
    """Or: the instance group that receives it (target type ``instance``); needs ``port``."""

    name: Name | None = None
    """Needed only when one service or instance group has several routes here."""

    container: Name | None = None
    """The container that receives the traffic; default: the service's one with a port."""

    port: Port | None = None
    """The port traffic goes to: for a service, its container's ``port`` (the default); for
    instances, the port the application listens on."""

    hosts: list[HostPattern] = Field(default=[], max_length=5)
    """Host headers matched (any of them)."""

    paths: list[RoutePath] = Field(default=[], max_length=5)
    """Path patterns matched (any of them), e.g. ``/api/*``."""

    priority: int | None = Field(default=None, ge=1, le=50000)
    """Listener rule priority (1 to 50000, lower first); default: one of its own in the
    band of how specific the route is (exact hosts before wildcards, longer paths before
    shorter), kept from the last build in the output folder, so adding, removing,
    reordering or renaming other routes never changes it."""

    health_check: HealthCheck = HealthCheck.model_construct()
    """The target group's health check."""

    deregistration_delay_seconds: int = Field(default=30, ge=0, le=3600)
    """How long a draining target keeps its in-flight requests."""

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if self.service is not None and self.instances is not None:
            raise PydanticCustomError(
                Code.ROUTE_TARGET_INVALID, "a route has both 'service' and 'instances'; keep one"
            )
        if self.service is None and self.instances is None:
            raise PydanticCustomError(
                Code.ROUTE_TARGET_INVALID,
                "a route needs 'service' (a service) or 'instances' (an "
                "instance group) to send traffic to",
            )
        if len(self.hosts) > PER_CONDITION or len(self.paths) > PER_CONDITION:
            raise PydanticCustomError(
                Code.ROUTE_CONDITIONS_TOO_MANY,
                "a listener rule matches at most {n} hosts and at most {n} paths; split the "
                "route in two (with a 'name' each)",
                {"n": PER_CONDITION},
            )
        if len(self.hosts) + len(self.paths) > PER_RULE:
            raise PydanticCustomError(
                Code.ROUTE_CONDITIONS_TOO_MANY,
                "{hosts} hosts and {paths} paths make {total} values; a listener rule takes "
                "at most {limit}: split the route in two (with a 'name' each)",
                {
                    "hosts": len(self.hosts),
                    "paths": len(self.paths),
                    "total": len(self.hosts) + len(self.paths),
                    "limit": PER_RULE,
                },
            )
        return self


class ExistingListener(Strict):
    """A listener of an application load balancer that exists outside the blueprint: its
    routes become listener rules on it, with target groups in the existing VPC."""

    listener_arn: ListenerArn
    """The listener's ARN (HTTPS or HTTP), in the stack's region."""

    security_group: SecurityGroupId
    """The load balancer's security group: the services and instances routed to admit it.
    No rule is added to it (its egress is its owner's business)."""


class LoadBalancer(Strict):
    """An application load balancer in the public subnets (or private, when internal); or,
    with ``existing``, routes added to a listener that exists already."""

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """Reachable from the internet, or only inside the VPC."""

    certificate: Name | None = None
    """The certificate of the HTTPS listener on 443 (with ``existing``: one added to the
    existing listener beside its own, for the names of these routes)."""

    https: bool = True
    """Listen for HTTPS on 443. Turning it off needs ``http: forward``."""

    http: Literal["redirect", "forward", "off"] = "redirect"
    """What the HTTP listener on 80 does: redirect to HTTPS, serve the routes (only when
    ``https`` is off), or not exist."""

    tls_policy: TlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """The HTTPS listener's security policy; all choices require TLS 1.2 or newer."""

    allowed_cidrs: list[Cidr] = Field(default=["0.0.0.0/0"], min_length=1)
    """Who may connect to the listeners."""

    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    """Connection idle timeout."""

    deletion_protection: bool = True
    """Refuse to delete the load balancer (and so its DNS name) until this is turned off."""

    access_logs: bool = True
    """Write a record of every request to the stack's access-log bucket."""

    aliases: list[DomainName] = Field(default=[])
    """Names given an A alias record to this load balancer, each in one of the zones."""

    routes: list[Route] = Field(min_length=1)
    """Where requests go."""

    existing: ExistingListener | None = None
    """Add the routes to this existing listener instead of creating a load balancer: only
    listener rules and target groups are made (no load balancer, listener or alias record;
    with ``certificate``, that certificate is added to the listener, which must then be an
    HTTPS one). Blueprint cannot see the rules already on it, so every route needs hosts or
    paths and an explicit ``priority:`` that no other rule there holds."""

    @model_validator(mode="after")
    def _existing_alone(self) -> Self:
        if self.existing is not None:
            existing_alone(
                set(self.model_fields_set),
                {"existing", "routes", "certificate"},
                "adds routes to a listener",
            )
        return self


@dataclass(frozen=True)
class ToService:
    """A route to a service's container."""

    service: str
    container: str
    #: tasks on EC2 capacity register as their host instance, on a dynamic host port
    on_ec2: bool


@dataclass(frozen=True)
class ToInstances:
    """A route to an instance group."""

    group: str


@dataclass(frozen=True)
class RouteTarget:
    """Where one route sends its traffic, and its listener rule priority (None: default);
    worked out by the load balancers' checks for the renderers."""

    lb: str
    key: str
    route: Route
    to: ToService | ToInstances
    port: int
    priority: int | None

    @property
    def target_type(self) -> str:
        """The target group's type: ``ip`` for Fargate tasks, ``instance`` otherwise."""
        if isinstance(self.to, ToService) and not self.to.on_ec2:
            return "ip"
        return "instance"
