"""The rules of routes added to a listener that exists outside the blueprint."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.aws_ids import arn_account, arn_region
from ...model.checker import Checker, rule
from ..certificates.model import ExistingCertificate


@rule(
    Code.ARN_REGION,
    Code.ARN_ACCOUNT,
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
        _same_account(c, name, lb.existing.listener_arn, lb.certificate)
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


def _same_account(c: Checker, name: str, listener_arn: str, certificate: str | None) -> None:
    """The listener is in the environment's account (when it names one): its rules and
    target groups are made there; the certificate added to it is in the listener's (ACM
    certificates serve in their own account,
    https://aws.amazon.com/blogs/security/how-to-deploy-public-acm-certificates-across-multiple-aws-accounts-and-regions-using-aws-cloudformation-stacksets/)."""
    account = arn_account(listener_arn)
    if c.account is not None and account != c.account:
        c.error(
            ("load_balancers", name, "existing", "listener_arn"),
            f"the listener is in account {account}; the environment deploys to account "
            f"{c.account}, and rules and target groups are made beside their listener",
            Code.ARN_ACCOUNT,
        )
    cert = c.bp.certificates.get(certificate or "")
    if isinstance(cert, ExistingCertificate) and arn_account(cert.existing_arn) != account:
        c.error(
            ("load_balancers", name, "certificate"),
            f"certificate '{certificate}' is in account {arn_account(cert.existing_arn)}; "
            f"the listener is in account {account}, and takes certificates of its own",
            Code.ARN_ACCOUNT,
        )


@rule(Code.ROUTE_PRIORITY_TWICE, Code.LISTENER_CERTIFICATE_TWICE)
def shared_listeners(c: Checker) -> None:
    """Entries on one existing listener (an equal ``listener_arn``) share its rules and
    certificates: no two of their routes set one priority (a rule's number is unique on
    its listener, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html),
    and no two add one certificate (removing one entry would take it off the listener
    for the other). Within one entry, ``routes`` reports a priority set twice."""
    priorities: dict[tuple[str, int], str] = {}
    certificates: dict[tuple[str, str], str] = {}
    for name in sorted(c.bp.load_balancers):
        lb = c.bp.load_balancers[name]
        if lb.existing is None:
            continue
        arn = lb.existing.listener_arn
        mine: set[int] = set()
        for i, route in enumerate(lb.routes):
            number = route.priority
            if number is None or number in mine:
                continue
            mine.add(number)
            other = priorities.setdefault((arn, number), name)
            if other != name:
                c.error(
                    ("load_balancers", name, "routes", i, "priority"),
                    f"priority {number} is also a route's of load_balancers.{other}, on the "
                    "same listener; set a distinct 'priority:' on one of them",
                    Code.ROUTE_PRIORITY_TWICE,
                )
        cert = c.bp.certificates.get(lb.certificate or "")
        if lb.certificate is None or cert is None:
            continue
        key = cert.existing_arn if isinstance(cert, ExistingCertificate) else lb.certificate
        other = certificates.setdefault((arn, key), name)
        if other != name:
            c.error(
                ("load_balancers", name, "certificate"),
                f"load_balancers.{other} adds certificate '{lb.certificate}' to the same "
                "listener; add it from one of them (removing either would take it off)",
                Code.LISTENER_CERTIFICATE_TWICE,
            )
