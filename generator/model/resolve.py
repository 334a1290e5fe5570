"""Cross-references: every name in the blueprint is checked against what it names, and
what the renderers need to know about those links is worked out once, here.

Pure functions of the validated model: no AWS, no files, no clock.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .. import naming
from ..errors import Issue, Path, Severity, one_of
from ..sections.load_balancers.model import LoadBalancer, Route
from . import resolve_compute as rc
from . import resolve_edges as re_
from .blueprint import Blueprint
from .checker import Checker, covers, inside
from .resolve_compute import Reach, ec2_capacity_of

#: Priorities are banded by how specific a route is (more specific = lower number =
#: evaluated first); inside a band the number comes from a hash of the route's names.
_BAND = 900
_MAX_SPECIFICITY = 50


@dataclass(frozen=True)
class RouteTarget:
    """Where one route sends its traffic, and its listener rule priority (None: default)."""

    lb: str
    key: str
    route: Route
    #: "ip" for Fargate tasks, "instance" for instances and tasks on EC2 capacity
    target_type: str
    #: the container (services) or None (instances)
    container: str | None
    port: int
    priority: int | None


@dataclass(frozen=True)
class Resolved:
    """What the renderers need beyond the model itself."""

    public_subnets: tuple[str, ...]
    private_subnets: tuple[str, ...]
    #: domain name (certificate names, aliases, records) -> zone entry name
    zone_of: Mapping[str, str]
    #: (load balancer, route key) -> target, sorted by key
    routes: Mapping[tuple[str, str], RouteTarget]
    #: who may connect to what, beyond load balancers
    reach: tuple[Reach, ...] = ()
    #: certificates CloudFront uses, issued by a stack of their own in us-east-1
    us_east_1_certificates: frozenset[str] = frozenset()
    #: (distribution, service, port): services that are a distribution's origin
    origin_services: tuple[tuple[str, str, int], ...] = ()


# --- names ---------------------------------------------------------------------------------


def _check_names(c: Checker) -> None:
    sections: dict[str, Mapping[str, object]] = {
        "zones": c.bp.zones,
        "certificates": c.bp.certificates,
        "load_balancers": c.bp.load_balancers,
        "services": c.bp.services,
        "schedules": c.bp.schedules,
    }
    for section, entries in sections.items():
        seen: dict[str, str] = {}
        for name in entries:  # YAML order: the later one is the one reported
            first = seen.setdefault(naming.stem(name), name)
            if first != name:
                c.error(
                    (section, name),
                    f"'{name}' and '{first}' would both become '{naming.stem(name)}' in "
                    "logical IDs; rename one",
                    "name-collision",
                    at_key=True,
                )


# --- network -------------------------------------------------------------------------------


def _carve(c: Checker) -> tuple[tuple[str, ...], tuple[str, ...]]:
    net = c.bp.network
    vpc = ipaddress.IPv4Network(net.cidr)
    if not 16 <= vpc.prefixlen <= 24:
        c.error(
            ("network", "cidr"), f"'{net.cidr}': a VPC block must be between /16 and /24", "cidr"
        )
        return (), ()
    tiers: dict[str, tuple[str, ...]] = {}
    for tier in ("public", "private"):
        given = getattr(net, f"{tier}_subnets")
        key = f"{tier}_subnets"
        if given is not None:
            tiers[tier] = tuple(given)
            _check_given(c, key, given, vpc)
            continue
        prefix = net.subnet_prefix or min(vpc.prefixlen + 4, 28)
        if prefix <= vpc.prefixlen:
            c.error(
                ("network", "subnet_prefix"),
                f"/{prefix} subnets do not fit twice in the /{vpc.prefixlen} VPC",
                "subnet-prefix",
            )
            return (), ()
        blocks = list(vpc.subnets(new_prefix=prefix))
        half = len(blocks) // 2
        if net.azs > half:
            where = ("network", "subnet_prefix") if net.subnet_prefix else ("network", "azs")
            c.error(
                where,
                f"{net.cidr} holds {len(blocks)} /{prefix} subnets, room for "
                f"{half} zones of public + private; {net.azs} zones need a larger VPC or "
                "a longer subnet_prefix",
                "subnet-space",
            )
            return (), ()
        offset = 0 if tier == "public" else half
        tiers[tier] = tuple(str(blocks[offset + i]) for i in range(net.azs))
    _check_overlaps(c, tiers)
    return tiers["public"], tiers["private"]


def _check_given(c: Checker, key: str, given: list[str], vpc: ipaddress.IPv4Network) -> None:
    if len(given) != c.bp.network.azs:
        c.error(
            ("network", key),
            f"lists {len(given)} subnet(s) for {c.bp.network.azs} zone(s); give one per zone",
            "subnet-count",
        )
    for i, cidr in enumerate(given):
        block = ipaddress.IPv4Network(cidr)
        if not block.subnet_of(vpc):
            c.error(
                ("network", key, i), f"{cidr} is not inside the VPC block {vpc}", "subnet-outside"
            )
        elif block.prefixlen > 28:
            c.error(
                ("network", key, i),
                f"{cidr} is smaller than /28, the least AWS allows",
                "subnet-size",
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
                        "subnet-overlap",
                    )
            seen.append((tier, i, block))


# --- DNS -----------------------------------------------------------------------------------


def _zone_for(
    c: Checker, path: Path, domain: str, explicit: str | None, zone_of: dict[str, str]
) -> None:
    zones = c.bp.zones
    if explicit is not None:
        if explicit in zones and not inside(domain, zones[explicit].domain):
            c.error(
                path,
                f"'{domain}' is not inside zone '{explicit}' ({zones[explicit].domain})",
                "outside-zone",
            )
        elif explicit in zones:
            zone_of[domain] = explicit
        return
    matches = [(len(z.domain), n) for n, z in zones.items() if inside(domain, z.domain)]
    if not matches:
        known = ", ".join(sorted(z.domain for z in zones.values())) or "none defined"
        c.error(
            path,
            f"'{domain}' is not inside any zone (zones: {known}); add a zone "
            "under 'zones:' that contains it",
            "outside-zone",
        )
        return
    zone_of[domain] = max(matches)[1]


def _check_certificates(c: Checker, zone_of: dict[str, str]) -> None:
    for name, cert in c.bp.certificates.items():
        if cert.zone is not None:
            c.ref(("certificates", name, "zone"), "zone", cert.zone, c.bp.zones)
        _zone_for(c, ("certificates", name, "domain"), cert.domain, cert.zone, zone_of)
        for i, alt in enumerate(cert.alternative_names):
            _zone_for(c, ("certificates", name, "alternative_names", i), alt, cert.zone, zone_of)
        if cert.domain in cert.alternative_names:
            i = cert.alternative_names.index(cert.domain)
            c.error(
                ("certificates", name, "alternative_names", i),
                f"'{cert.domain}' is already the certificate's domain",
                "duplicate-name",
            )


# --- load balancers ------------------------------------------------------------------------


def _check_load_balancers(
    c: Checker, zone_of: dict[str, str]
) -> dict[tuple[str, str], RouteTarget]:
    routes: dict[tuple[str, str], RouteTarget] = {}
    for name, lb in c.bp.load_balancers.items():
        base: Path = ("load_balancers", name)
        if c.bp.network.azs < 2:
            c.error(
                ("network", "azs"),
                f"load balancer '{name}' needs subnets in at least 2 "
                f"availability zones; set azs: 2 or more",
                "alb-azs",
            )
        _check_listeners(c, name, lb)
        for i, alias in enumerate(lb.aliases):
            _zone_for(c, (*base, "aliases", i), alias, None, zone_of)
            cert = c.bp.certificates.get(lb.certificate or "")
            if (
                lb.https
                and cert
                and not any(covers(p, alias) for p in (cert.domain, *cert.alternative_names))
            ):
                c.warn(
                    (*base, "aliases", i),
                    f"'{alias}' is not covered by certificate "
                    f"'{lb.certificate}' ({cert.domain}); browsers will reject it",
                    "alias-not-covered",
                )
        routes.update(_check_routes(c, name, lb))
    return routes


def _check_listeners(c: Checker, name: str, lb: LoadBalancer) -> None:
    base: Path = ("load_balancers", name)
    if lb.https and lb.certificate is None:
        c.error(
            base,
            "an HTTPS listener needs a certificate: add 'certificate: NAME' (or "
            "set 'https: false' and 'http: forward' for plain HTTP)",
            "https-certificate",
            at_key=True,
        )
    if lb.certificate is not None:
        c.ref((*base, "certificate"), "certificate", lb.certificate, c.bp.certificates)
        if not lb.https:
            c.error(
                (*base, "certificate"),
                "a certificate is set but 'https' is false; remove one of them",
                "certificate-unused",
            )
    if lb.https and lb.http == "forward":
        c.error(
            (*base, "http"),
            "with HTTPS on, plain HTTP would expose the same routes "
            "unencrypted: use 'http: redirect' (the default) or 'http: off'",
            "http-beside-https",
        )
    if not lb.https and lb.http != "forward":
        c.error(
            (*base, "http"),
            f"with 'https: false' the HTTP listener must serve the "
            f"routes: set 'http: forward' (it is '{lb.http}')",
            "no-listener",
        )


def _specificity(route: Route) -> int:
    host_rank = 0
    if route.hosts:
        host_rank = 1 if any("*" in h or "?" in h for h in route.hosts) else 2
    path_rank = 0
    if route.paths:
        literal = min(len(re.split(r"[*?]", p)[0]) for p in route.paths)
        path_rank = 1 + min(literal, 15)
    return host_rank * 17 + path_rank


def _check_routes(c: Checker, lb_name: str, lb: LoadBalancer) -> dict[tuple[str, str], RouteTarget]:
    out: dict[tuple[str, str], RouteTarget] = {}
    seen_keys: dict[str, int] = {}
    seen_match: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    taken: dict[int, int] = {}
    for i, route in enumerate(lb.routes):
        path: Path = ("load_balancers", lb_name, "routes", i)
        key = route.name or route.service or route.instances or ""
        if key in seen_keys:
            c.error(
                (*path, "name") if route.name else (*path, "service"),
                f"routes[{seen_keys[key]}] already routes to '{key}'; give each of the "
                f"routes a distinct 'name:'",
                "duplicate-route-name",
            )
            continue
        seen_keys[key] = i
        match = (tuple(sorted(route.hosts)), tuple(sorted(route.paths)))
        if match in seen_match:
            what = "the default route" if match == ((), ()) else "the same hosts and paths"
            c.error(path, f"duplicates routes[{seen_match[match]}]: {what}", "duplicate-route")
            continue
        seen_match[match] = i
        target = _route_target(c, path, lb_name, key, route)
        if target is None:
            continue
        if target.priority is not None:
            if target.priority in taken:
                j = taken[target.priority]
                c.error(
                    (*path, "priority") if route.priority else path,
                    f"priority {target.priority} is also routes[{j}]'s; set a distinct "
                    "'priority:' on one of them",
                    "duplicate-priority",
                )
            taken[target.priority] = i
        out[(lb_name, key)] = target
        if len(out) == TARGET_GROUPS_PER_LOAD_BALANCER + 1:
            c.error(
                path,
                f"load balancer {lb_name} would have more than "
                f"{TARGET_GROUPS_PER_LOAD_BALANCER} routes, each a target group and a "
                "listener rule: the most AWS allows on one load balancer; put the routes "
                "from here on on another load balancer",
                "too-many-routes",
            )
    return out


#: AWS quotas for one application load balancer: target groups (100) and rules on a
#: listener besides its default action (100). Each route is one of each.
TARGET_GROUPS_PER_LOAD_BALANCER = 100


def _route_target(
    c: Checker, path: Path, lb_name: str, key: str, route: Route
) -> RouteTarget | None:
    priority = route.priority
    if priority is None and (route.hosts or route.paths):
        band = _MAX_SPECIFICITY - _specificity(route)
        priority = band * _BAND + 1 + naming.slot(lb_name, key, modulo=_BAND)
    if route.instances is not None:
        if not c.ref((*path, "instances"), "instance group", route.instances, c.bp.instances):
            return None
        if route.port is None:
            c.error(
                (*path, "port"),
                "missing required key 'port' (the port the instances' application listens on)",
                "missing",
                at_key=True,
            )
            return None
        return RouteTarget(lb_name, key, route, "instance", None, route.port, priority)
    assert route.service is not None
    services = c.bp.services
    if not c.ref((*path, "service"), "service", route.service, services):
        return None
    container = _route_container(c, path, route)
    if container is None:
        return None
    own_port = services[route.service].containers[container].port
    if own_port is None:
        c.error(
            (*path, "container"),
            f"container '{container}' has no 'port:' to send traffic to",
            "route-port",
        )
        return None
    if route.port is not None and route.port != own_port:
        c.error(
            (*path, "port"),
            f"port {route.port} does not match container '{container}' "
            f"port {own_port}; the target group must use the container port",
            "port-mismatch",
        )
        return None
    kind = "instance" if ec2_capacity_of(services[route.service]) else "ip"
    return RouteTarget(lb_name, key, route, kind, container, own_port, priority)


def _route_container(c: Checker, path: Path, route: Route) -> str | None:
    assert route.service is not None
    containers = c.bp.services[route.service].containers
    with_port = sorted(n for n, ct in containers.items() if ct.port is not None)
    if route.container is not None:
        if not c.ref((*path, "container"), "container", route.container, containers):
            return None
        return route.container
    if len(with_port) == 1:
        return with_port[0]
    if not with_port:
        c.error(
            (*path, "service"),
            f"no container of service '{route.service}' has a "
            "'port:'; add one to the container that serves HTTP",
            "route-port",
        )
        return None
    c.error(
        path,
        f"service '{route.service}' has {len(with_port)} containers with a port "
        f"({one_of(with_port)}); say which with 'container:'",
        "route-container",
    )
    return None


def _check_shared_names(c: Checker) -> None:
    """Services, instance groups and EC2 capacity are named in ``allow_from`` and
    ``ssh_from`` without their section, so a name may stand in only one of them."""
    seen: dict[str, str] = {}
    for section in ("services", "instances", "ec2_capacity"):
        for name in getattr(c.bp, section):
            if name in seen:
                c.error(
                    (section, name),
                    f"'{name}' is also in '{seen[name]}'; names of "
                    "services, instances and ec2_capacity must differ, since allow_from "
                    "and ssh_from name them alone",
                    "name-shared",
                    at_key=True,
                )
            seen.setdefault(name, section)


def _check_east_zones(c: Checker, east: frozenset[str], zone_of: Mapping[str, str]) -> None:
    """A us-east-1 certificate is issued before the main stack exists, so the zone that
    validates it must already exist."""
    for name in sorted(east):
        cert = c.bp.certificates[name]
        for domain in (cert.domain, *cert.alternative_names):
            zone = zone_of.get(domain)
            if zone is not None and c.bp.zones[zone].existing_id is None:
                c.error(
                    ("zones", zone),
                    f"certificate '{name}' is for CloudFront, so it is issued in us-east-1 "
                    f"before this stack exists; zone '{zone}' must already exist: create it "
                    "first, then set 'existing_id'",
                    "zone-for-cloudfront",
                    at_key=True,
                )
                return


def _check_placement(c: Checker) -> None:
    """What AWS requires of the blueprint as a whole, found before a deploy fails on it."""
    azs = c.bp.network.azs
    needs_two = [("databases", n) for n in c.bp.databases]
    needs_two += [("caches", n) for n, cache in c.bp.caches.items() if cache.replicas]
    if azs < 2 and needs_two:
        section, name = needs_two[0]
        c.error(
            ("network", "azs"),
            f"{section}.{name} needs subnets in at least 2 "
            "availability zones (RDS subnet groups and replicated caches span two); set "
            "azs: 2 or more",
            "data-azs",
        )
    if c.bp.ec2_capacity and re.match(r"^(aws|ecs|fargate)", c.bp.name):
        c.error(
            ("name",),
            f"'{c.bp.name}' starts with a prefix ECS reserves for capacity "
            "provider names (aws, ecs, fargate), and EC2 capacity providers are named "
            "after the stack; choose another name",
            "reserved-prefix",
        )
    owners: dict[str, str] = {}
    named: list[tuple[Path, str]] = []
    for lb_name, lb in c.bp.load_balancers.items():
        named += [(("load_balancers", lb_name, "aliases", i), a) for i, a in enumerate(lb.aliases)]
    for name, dist in c.bp.distributions.items():
        named += [(("distributions", name, "aliases", i), a) for i, a in enumerate(dist.aliases)]
    for name, api in c.bp.websocket_apis.items():
        if api.domain is not None:
            named.append((("websocket_apis", name, "domain", "name"), api.domain.name))
    for name, svc in c.bp.services.items():
        if svc.public_dns is not None:
            named.append((("services", name, "public_dns", "name"), svc.public_dns.name))
    for path, domain in named:
        where = ".".join(str(p) for p in path[:2])
        if domain in owners and owners[domain] != where:
            c.error(
                path,
                f"'{domain}' already has a record from {owners[domain]}; a name can "
                "point at one thing",
                "record-twice",
            )
        owners.setdefault(domain, where)


def resolve(bp: Blueprint) -> tuple[Resolved | None, list[Issue]]:
    """Check every cross-reference; on success, what the renderers need to know."""
    c = Checker(bp)
    _check_names(c)
    _check_shared_names(c)
    _check_placement(c)
    public, private = _carve(c)
    zone_of: dict[str, str] = {}

    def zone_for(path: Path, domain: str) -> None:
        _zone_for(c, path, domain, None, zone_of)

    _check_certificates(c, zone_of)
    routes = _check_load_balancers(c, zone_of)
    rc.check_services(c)
    for name, svc in bp.services.items():
        if svc.public_dns is not None:
            zone_for(("services", name, "public_dns", "name"), svc.public_dns.name)
    reach = rc.check_instances(c) + rc.check_reach(c)
    rc.check_functions(c)
    rc.check_schedules(c)
    re_.check_apis(c, zone_for)
    east = re_.check_distributions(c, zone_for)
    origins = re_.origin_services(c)
    _check_east_zones(c, east, zone_of)
    re_.check_data(c)
    if any(i.severity is Severity.ERROR for i in c.issues):
        return None, c.issues
    resolved = Resolved(
        public_subnets=public,
        private_subnets=private,
        zone_of=dict(sorted(zone_of.items())),
        routes=dict(sorted(routes.items())),
        reach=tuple(sorted(reach, key=lambda r: (r.target, r.source, r.low))),
        us_east_1_certificates=east,
        origin_services=tuple(origins),
    )
    return resolved, c.issues
