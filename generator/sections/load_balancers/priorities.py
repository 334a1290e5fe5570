"""Listener rule priorities for the routes that set no ``priority:``.

A listener evaluates its rules from the lowest priority up, so the priority range is cut
into bands by how specific a route is: a more specific route (exact hosts before wildcard
hosts before none; a longer literal path prefix before a shorter one) is in a lower band
and always evaluated first. Inside its band each route has a home slot, a hash of the load
balancer's and the route's names.

The numbers must be distinct on one listener and must not move when other routes are
added, removed, reordered or renamed: a moved priority is an update of a live rule, and an
update that gives a rule a number another rule still holds fails (the ``Priority``
property, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticloadbalancingv2-listenerrule.html,
and its description in the provider schema cfn-lint ships). No function of the current
routes alone can promise both (two routes hashed to one slot: one of them must go
elsewhere, and when the other is removed it would come back). So :func:`assign` takes
the priorities the last build gave (read from its templates by the command that builds,
:func:`generator.previous.route_priorities`) and keeps them:

1. every route keeps its last priority while that is still in its band, its rule stays
   in the same stack (a route to another service moves to that service's stack) and no
   explicit ``priority:`` (nor another route, the first by name) has taken it;
2. every other route gets its home slot when that is free, the first by name among the
   routes sharing a home;
3. the rest probe from their home to the next free slot of the band (wrapping round).

"Free" in 2 and 3 also means held by no rule of the listener in the last build: a rule
that took such a number would be created or updated while the old holder still has it
(the holder's stack deploys later, or CloudFormation deletes a removed rule only in the
cleanup after it has created and updated the others,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html),
and fail. An explicit ``priority:`` that takes a
number a route keeps, or its own route's number in another stack, is the error
``route-priority-held`` (:mod:`.checks`): the user must choose.

So a fresh build (no previous templates) depends only on the set of routes, never on their
order, and a route sits on its home slot unless another route of its band hashes to the
same slot or an explicit ``priority:`` takes it: only such routes' numbers depend on the
state (``docs/architecture.md``, "Route priorities").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ... import naming
from ...errors import InternalError
from .model import Route

#: Slots in one band. A load balancer has at most 100 routes (AWS's quota of rules per
#: listener besides the default one, checked by the routes' rule), so a band never fills.
BAND = 900
#: The most specific route's specificity (exact hosts and a literal path prefix of 15
#: characters or more), in band 0; neither hosts nor paths would be band 50, whose last
#: slot, 45900, is within AWS's 1 to 50000.
MAX_SPECIFICITY = 50


@dataclass(frozen=True)
class Wanted:
    """A route that needs a priority: its key (name) on the load balancer, its band, and
    the priority the last build gave it, if any."""

    key: str
    band: int
    last: int | None = None


def specificity(route: Route) -> int:
    """How specific a route is, 0 (no hosts, no paths) to :data:`MAX_SPECIFICITY`: exact
    hosts, then wildcard hosts, then none; within each, the shortest literal prefix of its
    paths (up to 15 characters), then no paths."""
    host_rank = 0
    if route.hosts:
        host_rank = 1 if any("*" in h or "?" in h for h in route.hosts) else 2
    path_rank = 0
    if route.paths:
        literal = min(len(re.split(r"[*?]", p)[0]) for p in route.paths)
        path_rank = 1 + min(literal, 15)
    return host_rank * 17 + path_rank


def band_of(specificity: int) -> int:
    """The band of a route as specific as ``specificity`` (0 to :data:`MAX_SPECIFICITY`):
    the more specific, the lower."""
    return MAX_SPECIFICITY - specificity


def slots(band: int) -> range:
    """The priorities of one band: every one of them is below every one of the next band."""
    return range(band * BAND + 1, (band + 1) * BAND + 1)


def home(lb: str, key: str, band: int) -> int:
    """The slot a route takes when nothing else is there."""
    return slots(band)[naming.slot(lb, key, modulo=BAND)]


def assign(
    lb: str, wanted: Iterable[Wanted], explicit: Collection[int], held: Collection[int] = ()
) -> dict[str, int]:
    """A distinct priority for each wanted route of load balancer ``lb`` (keys distinct),
    none of them one of the ``explicit`` priorities other routes set, and none that is not
    kept one of the numbers ``held`` by a rule of the listener in the last build; see the
    module."""
    routes = sorted(wanted, key=lambda w: w.key)
    taken = set(explicit)
    out: dict[str, int] = {}
    for w in routes:
        if w.last is not None and w.last in slots(w.band) and w.last not in taken:
            out[w.key] = w.last
            taken.add(w.last)
    taken |= set(held)
    for w in routes:
        first = home(lb, w.key, w.band)
        if w.key not in out and first not in taken:
            out[w.key] = first
            taken.add(first)
    for w in routes:
        if w.key not in out:
            out[w.key] = _probe(lb, w, taken)
            taken.add(out[w.key])
    return out


def _probe(lb: str, w: Wanted, taken: set[int]) -> int:
    band = slots(w.band)
    start = home(lb, w.key, w.band) - band.start
    for step in range(1, BAND):
        candidate = band[(start + step) % BAND]
        if candidate not in taken:
            return candidate
    raise InternalError(f"band {w.band} of load balancer {lb} is full; at most 100 routes fit")
