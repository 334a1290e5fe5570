"""Load balancers' rules: listeners make sense together, aliases lie in zones and are
covered by the certificate, and each route names a target that exists and gets a listener
rule priority of its own (:mod:`.priorities`)."""

from __future__ import annotations

from dataclasses import replace

from ... import naming
from ...codes import Code
from ...errors import Path, one_of
from ...model.checker import Checker, LastRule, covers, rule
from ..certificates.model import Certificate
from ..zones.checks import zone_for
from . import priorities
from .existing import existing_listeners, shared_listeners
from .model import LoadBalancer, Route, RouteTarget, ToInstances, ToService

#: AWS quotas for one application load balancer: target groups (100) and rules on a
#: listener besides its default action (100). Each route is one of each.
TARGET_GROUPS_PER_LOAD_BALANCER = 100


@rule(Code.LOAD_BALANCER_AZS, Code.DOMAIN_OUTSIDE_ZONE, Code.ALIAS_NOT_COVERED)
def aliases(c: Checker) -> None:
    for name, lb in c.bp.load_balancers.items():
        if lb.existing is not None:
            continue
        base: Path = ("load_balancers", name)
        if c.bp.network.existing is None and c.bp.network.azs < 2:
            c.error(
                ("network", "azs"),
                f"load balancer '{name}' needs subnets in at least 2 "
                f"availability zones; set azs: 2 or more",
                Code.LOAD_BALANCER_AZS,
            )
        cert = c.bp.certificates.get(lb.certificate or "")
        cert = cert if isinstance(cert, Certificate) else None  # an existing one's names: unknown
        for i, alias in enumerate(lb.aliases):
            zone_for(c, (*base, "aliases", i), alias)
            if (
                lb.https
                and cert
                and not any(covers(p, alias) for p in (cert.domain, *cert.alternative_names))
            ):
                c.warn(
                    (*base, "aliases", i),
                    f"'{alias}' is not covered by certificate "
                    f"'{lb.certificate}' ({cert.domain}); browsers will reject it",
                    Code.ALIAS_NOT_COVERED,
                )


@rule(
    Code.HTTPS_CERTIFICATE_MISSING,
    Code.CERTIFICATE_UNKNOWN,
    Code.CERTIFICATE_UNUSED,
    Code.HTTP_BESIDE_HTTPS,
    Code.LISTENER_NONE,
)
def listeners(c: Checker) -> None:
    for name, lb in c.bp.load_balancers.items():
        if lb.existing is None:
            _check_listeners(c, name, lb)


def _check_listeners(c: Checker, name: str, lb: LoadBalancer) -> None:
    base: Path = ("load_balancers", name)
    if lb.https and lb.certificate is None:
        c.error(
            base,
            "an HTTPS listener needs a certificate: add 'certificate: NAME' (or "
            "set 'https: false' and 'http: forward' for plain HTTP)",
            Code.HTTPS_CERTIFICATE_MISSING,
            at_key=True,
        )
    if lb.certificate is not None:
        certs = c.bp.certificates
        c.ref(
            (*base, "certificate"), "certificate", lb.certificate, certs, Code.CERTIFICATE_UNKNOWN
        )
        if not lb.https:
            c.error(
                (*base, "certificate"),
                "a certificate is set but 'https' is false; remove one of them",
                Code.CERTIFICATE_UNUSED,
            )
    if lb.https and lb.http == "forward":
        c.error(
            (*base, "http"),
            "with HTTPS on, plain HTTP would expose the same routes "
            "unencrypted: use 'http: redirect' (the default) or 'http: off'",
            Code.HTTP_BESIDE_HTTPS,
        )
    if not lb.https and lb.http != "forward":
        c.error(
            (*base, "http"),
            f"with 'https: false' the HTTP listener must serve the "
            f"routes: set 'http: forward' (it is '{lb.http}')",
            Code.LISTENER_NONE,
        )


@rule(
    Code.ROUTE_NAME_TWICE,
    Code.ROUTE_TWICE,
    Code.ROUTE_PRIORITY_TWICE,
    Code.ROUTE_PRIORITY_HELD,
    Code.ROUTES_TOO_MANY,
    Code.INSTANCE_GROUP_UNKNOWN,
    Code.KEY_MISSING,
    Code.SERVICE_UNKNOWN,
    Code.CONTAINER_UNKNOWN,
    Code.ROUTE_PORT_MISSING,
    Code.ROUTE_PORT_MISMATCH,
    Code.ROUTE_CONTAINER_AMBIGUOUS,
)
def routes(c: Checker) -> None:
    for name, lb in c.bp.load_balancers.items():
        _check_routes(c, name, lb)


def _check_routes(c: Checker, lb_name: str, lb: LoadBalancer) -> None:
    seen_keys: dict[str, int] = {}
    seen_match: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    taken: dict[int, int] = {}
    count = 0
    for i, route in enumerate(lb.routes):
        path: Path = ("load_balancers", lb_name, "routes", i)
        key = route.name or route.service or route.instances or ""
        if key in seen_keys:
            c.error(
                (*path, "name") if route.name else (*path, "service"),
                f"routes[{seen_keys[key]}] already routes to '{key}'; give each of the "
                f"routes a distinct 'name:'",
                Code.ROUTE_NAME_TWICE,
            )
            continue
        seen_keys[key] = i
        match = (tuple(sorted(route.hosts)), tuple(sorted(route.paths)))
        if match in seen_match:
            what = "the default route" if match == ((), ()) else "the same hosts and paths"
            c.error(path, f"duplicates routes[{seen_match[match]}]: {what}", Code.ROUTE_TWICE)
            continue
        seen_match[match] = i
        target = _route_target(c, path, lb_name, key, route)
        if target is None:
            continue
        if target.priority is not None:
            if target.priority in taken:
                c.error(
                    (*path, "priority"),
                    f"priority {target.priority} is also routes[{taken[target.priority]}]'s; "
                    "set a distinct 'priority:' on one of them",
                    Code.ROUTE_PRIORITY_TWICE,
                )
            taken[target.priority] = i
        c.routes[(lb_name, key)] = target
        count += 1
        if count == TARGET_GROUPS_PER_LOAD_BALANCER + 1:
            c.error(
                path,
                f"load balancer {lb_name} would have more than "
                f"{TARGET_GROUPS_PER_LOAD_BALANCER} routes, each a target group and a "
                "listener rule: the most AWS allows on one load balancer; put the routes "
                "from here on on another load balancer",
                Code.ROUTES_TOO_MANY,
            )
    if count <= TARGET_GROUPS_PER_LOAD_BALANCER:
        _assign_priorities(c, lb_name, set(taken))


def _assign_priorities(c: Checker, lb_name: str, explicit: set[int]) -> None:
    """Give each route with hosts or paths and no ``priority:`` one of its own, keeping
    the one the last build gave it (its listener rule's, found by logical ID, pinned or
    not) where it can; the others avoid every number a rule of the listener held there."""
    _explicit_held(c, lb_name)
    wanted = []
    for (lb, key), target in c.routes.items():
        route = target.route
        if lb != lb_name or route.priority is not None or not (route.hosts or route.paths):
            continue
        last = _last(c, lb, key)
        kept = last.priority if last is not None and not _moves(c, last, route) else None
        band = priorities.band_of(priorities.specificity(route))
        wanted.append(priorities.Wanted(key, band, kept))
    listeners = {c.bp.logical_ids.get(i, i) for i in _listener_ids(c, lb_name)}
    held = {
        r.priority
        for r in c.last_priorities.values()
        if r.listener in listeners and _this_blueprints(c, r)
    }
    for key, priority in priorities.assign(lb_name, wanted, explicit, held).items():
        c.routes[(lb_name, key)] = replace(c.routes[(lb_name, key)], priority=priority)


def _last(c: Checker, lb: str, key: str) -> LastRule | None:
    rule_id = naming.listener_rule(lb, key)
    last = c.last_priorities.get(c.bp.logical_ids.get(rule_id, rule_id))
    return last if last is not None and _this_blueprints(c, last) else None


def _this_blueprints(c: Checker, last: LastRule) -> bool:
    """Whether a rule of the last build is in one of this blueprint's stacks: after the
    blueprint is renamed, every stack (and load balancer) is a new one, and the rules of
    the old deployment hold nothing on the new listeners."""
    main = c.bp.name
    return not last.stack or last.stack == main or last.stack.startswith(f"{main}-service-")


def _listener_ids(c: Checker, lb: str) -> tuple[str, ...]:
    """The listeners a load balancer's rules are on, as the last build names them: the
    logical IDs of those made, or an existing listener's ARN."""
    existing = c.bp.load_balancers[lb].existing
    if existing is not None:
        return (existing.listener_arn,)
    return (naming.listener(lb, "HTTP"), naming.listener(lb, "HTTPS"))


def _stack_of(c: Checker, route: Route) -> str:
    """The stack a route's listener rule is in: its service's own, or the main one (as
    :func:`generator.render.stacks.placement` places it)."""
    return naming.service_stack(c.bp.name, route.service) if route.service else c.bp.name


def _moves(c: Checker, last: LastRule, route: Route) -> bool:
    """Whether the route's rule changes stack: deleted from one, created in another."""
    return bool(last.stack) and last.stack != _stack_of(c, route)


def _explicit_held(c: Checker, lb_name: str) -> None:
    """An explicit ``priority:`` must not take a number a rule of the listener holds in the
    last build (another route's, kept, moved or removed since), nor its own route's rule
    in another stack: the update would fail while the holder still has it."""
    ours = {k: t for (lb, k), t in c.routes.items() if lb == lb_name}
    holders = _holders(c, lb_name, ours)
    routes = c.bp.load_balancers[lb_name].routes
    for key, target in ours.items():
        number, route = target.route.priority, target.route
        holder = holders.get(number) if number is not None else None
        last = _last(c, lb_name, key)
        if holder is None and not (last and last.priority == number and _moves(c, last, route)):
            continue
        where = ("load_balancers", lb_name, "routes", routes.index(route), "priority")
        if holder is not None:
            why, fix = holder
            why = f"{why} holds {number} from the last build"
        else:
            old = last.stack if last else ""
            why = (
                f"this route's rule moves to stack {_stack_of(c, route)}, and its old one "
                f"holds {number} in stack {old} until that one deploys"
            )
            fix = "keep the route on its service for one deploy"
        c.error(
            where,
            f"priority {number}: {why}; choose another number, or first {fix}",
            Code.ROUTE_PRIORITY_HELD,
        )


def _holders(c: Checker, lb_name: str, ours: dict[str, RouteTarget]) -> dict[int, tuple[str, str]]:
    """Number -> (which rule holds it in the last build, what frees it), for the rules of
    the listener that this build does not leave on the same number."""
    out: dict[int, tuple[str, str]] = {}
    own = set()
    for key, target in ours.items():
        rule_id = naming.listener_rule(lb_name, key)
        own.add(c.bp.logical_ids.get(rule_id, rule_id))
        last = _last(c, lb_name, key)
        if last is not None and target.route.priority != last.priority:
            out[last.priority] = (
                f"the rule of route '{key}'",
                f"give route '{key}' another one, or remove it, in a deploy of its own",
            )
    listeners = {c.bp.logical_ids.get(i, i) for i in _listener_ids(c, lb_name)}
    for rule_id, last in sorted(c.last_priorities.items()):
        if rule_id not in own and last.listener in listeners and _this_blueprints(c, last):
            out.setdefault(
                last.priority,
                (
                    f"rule {rule_id}, of a route this build removes,",
                    "deploy the removal on its own",
                ),
            )
    return out


def _route_target(
    c: Checker, path: Path, lb_name: str, key: str, route: Route
) -> RouteTarget | None:
    priority = route.priority  # or, with hosts or paths, assigned once all are known
    if route.instances is not None:
        groups = c.bp.instances
        if not c.ref(
            (*path, "instances"),
            "instance group",
            route.instances,
            groups,
            Code.INSTANCE_GROUP_UNKNOWN,
        ):
            return None
        if route.port is None:
            c.error(
                (*path, "port"),
                "missing required key 'port' (the port the instances' application listens on)",
                Code.KEY_MISSING,
                at_key=True,
            )
            return None
        to_group = ToInstances(route.instances)
        return RouteTarget(lb_name, key, route, to_group, route.port, priority)
    assert route.service is not None
    services = c.bp.services
    if not c.ref((*path, "service"), "service", route.service, services, Code.SERVICE_UNKNOWN):
        return None
    container = _route_container(c, path, route)
    if container is None:
        return None
    own_port = services[route.service].containers[container].port
    if own_port is None:
        c.error(
            (*path, "container"),
            f"container '{container}' has no 'port:' to send traffic to",
            Code.ROUTE_PORT_MISSING,
        )
        return None
    if route.port is not None and route.port != own_port:
        c.error(
            (*path, "port"),
            f"port {route.port} does not match container '{container}' "
            f"port {own_port}; the target group must use the container port",
            Code.ROUTE_PORT_MISMATCH,
        )
        return None
    on_ec2 = services[route.service].ec2_capacity is not None
    to_service = ToService(route.service, container, on_ec2)
    return RouteTarget(lb_name, key, route, to_service, own_port, priority)


def _route_container(c: Checker, path: Path, route: Route) -> str | None:
    assert route.service is not None
    containers = c.bp.services[route.service].containers
    with_port = sorted(n for n, ct in containers.items() if ct.port is not None)
    if route.container is not None:
        if not c.ref(
            (*path, "container"), "container", route.container, containers, Code.CONTAINER_UNKNOWN
        ):
            return None
        return route.container
    if len(with_port) == 1:
        return with_port[0]
    if not with_port:
        c.error(
            (*path, "service"),
            f"no container of service '{route.service}' has a "
            "'port:'; add one to the container that serves HTTP",
            Code.ROUTE_PORT_MISSING,
        )
        return None
    c.error(
        path,
        f"service '{route.service}' has {len(with_port)} containers with a port "
        f"({one_of(with_port)}); say which with 'container:'",
        Code.ROUTE_CONTAINER_AMBIGUOUS,
    )
    return None


RULES = (aliases, listeners, existing_listeners, shared_listeners, routes)
