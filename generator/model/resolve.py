"""Cross-references: every name in the blueprint is checked against what it names, and
what the renderers need to know about those links is worked out once, here.

:data:`RULES` is the one order in which every section's rules run (the order in which
sections render is :data:`generator.render.stacks.RENDERERS`: a second list because
validation must not import troposphere). A rule that records a fact another reads (the
zone of a name, a route's target, the us-east-1 certificates) runs before it.

Pure functions of the validated model and of the route priorities the last build gave
(passed in as data by the command that read them): no AWS, no files, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import Issue, Severity
from ..sections.caches import checks as caches
from ..sections.certificates import checks as certificates
from ..sections.databases import checks as databases
from ..sections.distributions import checks as distributions
from ..sections.ec2_capacity import checks as ec2_capacity
from ..sections.functions import checks as functions
from ..sections.instances import checks as instances
from ..sections.jobs import checks as jobs
from ..sections.load_balancers import checks as load_balancers
from ..sections.load_balancers.model import RouteTarget
from ..sections.network import checks as network
from ..sections.queues import checks as queues
from ..sections.schedules import checks as schedules
from ..sections.services import checks as services
from ..sections.tables import checks as tables
from ..sections.websocket_apis import checks as websocket_apis
from ..sections.zones import checks as zones
from . import reach, whole
from .blueprint import Blueprint
from .checker import Checker, LastRule, Rule
from .reach import Reach

RULES: tuple[Rule, ...] = (
    *whole.RULES,
    *network.RULES,
    *zones.RULES,
    *certificates.RULES,
    *tables.RULES,
    *queues.RULES,
    *databases.RULES,
    *caches.RULES,
    *websocket_apis.RULES,
    *functions.RULES,
    *instances.RULES,
    *load_balancers.RULES,
    *ec2_capacity.RULES,
    *services.RULES,
    *schedules.RULES,
    *jobs.RULES,
    *distributions.RULES,
    *reach.RULES,
)


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


def resolve(
    bp: Blueprint,
    last_priorities: Mapping[str, LastRule] | None = None,
    account: str | None = None,
) -> tuple[Resolved | None, list[Issue]]:
    """Run every rule; on success, what the renderers need to know. ``last_priorities``
    (listener rule logical ID -> that rule in the last build's templates) changes which
    numbers routes without ``priority:`` get, and reports an explicit ``priority:`` that
    takes a number another route's rule holds there (``route-priority-held``);
    ``account``, the environment's, is the one existing listeners and certificates must
    be in (``arn-account``)."""
    c = Checker(bp, last_priorities=dict(last_priorities or {}), account=account)
    c.run(RULES)
    if any(i.severity is Severity.ERROR for i in c.issues):
        return None, c.issues
    resolved = Resolved(
        public_subnets=c.public_subnets,
        private_subnets=c.private_subnets,
        zone_of=dict(sorted(c.zone_of.items())),
        routes=dict(sorted(c.routes.items())),
        reach=tuple(sorted(c.reach, key=lambda r: (r.target, r.source, r.low))),
        us_east_1_certificates=c.us_east_1_certificates,
        origin_services=tuple(c.origin_services),
    )
    return resolved, c.issues
