"""The rules of routes added to a listener that exists outside the blueprint."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.aws_ids import arn_region
from ...model.checker import Checker, rule


@rule(
    Code.ARN_REGION,
    Code.LISTENER_VPC,
    Code.ROUTE_PRIORITY_NEEDED,
    Code.ROUTE_MATCH_NEEDED,
    Code.CERTIFICATE_UNKNOWN,
)
def existing_listeners(c: Checker) -> None:
    """Routes added to an existing listener: the listener is in the stack's region and in
    the existing network (a target group is in its load balancer's VPC), and every route
    has hosts or paths (the listener's default action is its owner's) and an explicit
    priority. Blueprint cannot see the rules already on that listener, so it cannot pick
    a free number for them; the one written is the user's promise, and a taken one fails
    the deploy with ``PriorityInUse``."""
    for name, lb in c.bp.load_balancers.items():
        if lb.existing is None:
            continue
        base: Path = ("load_balancers", name, "existing")
        region = arn_region(lb.existing.listener_arn)
        if region != c.bp.region:
            c.error(
                (*base, "listener_arn"),
                f"the listener is in {region}; the stack deploys to {c.bp.region}, and "
                "rules and target groups are made beside their listener",
                Code.ARN_REGION,
            )
        if lb.certificate is not None:
            certs = c.bp.certificates
            where = ("load_balancers", name, "certificate")
            c.ref(where, "certificate", lb.certificate, certs, Code.CERTIFICATE_UNKNOWN)
        if c.bp.network.existing is None:
            c.error(
                base,
                "routes on an existing listener need the existing network its load balancer "
                "is in (target groups are made in that VPC): set network.existing",
                Code.LISTENER_VPC,
                at_key=True,
            )
        for i, route in enumerate(lb.routes):
            path: Path = ("load_balancers", name, "routes", i)
            if not (route.hosts or route.paths):
                c.error(
                    path,
                    "a route on an existing listener needs 'hosts' or 'paths': the "
                    "listener's default action is not blueprint's to change",
                    Code.ROUTE_MATCH_NEEDED,
                )
            elif route.priority is None:
                c.error(
                    path,
                    "a route on an existing listener needs 'priority:' (1 to 50000), one no "
                    "other rule on that listener holds: blueprint cannot see those rules",
                    Code.ROUTE_PRIORITY_NEEDED,
                )
