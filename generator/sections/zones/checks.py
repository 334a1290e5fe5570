"""Which zone holds each DNS name: the one rule every section that names a domain uses."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.checker import Checker, inside

#: The codes :func:`zone_for` reports, for the rules that call it.
CODES = (Code.DOMAIN_OUTSIDE_ZONE,)


def zone_for(c: Checker, path: Path, domain: str, explicit: str | None = None) -> None:
    """Record the zone of ``domain``: ``explicit`` if given (it must contain the domain),
    else the zone with the longest domain that contains it."""
    zones = c.bp.zones
    if explicit is not None:
        if explicit in zones and not inside(domain, zones[explicit].domain):
            c.error(
                path,
                f"'{domain}' is not inside zone '{explicit}' ({zones[explicit].domain})",
                Code.DOMAIN_OUTSIDE_ZONE,
            )
        elif explicit in zones:
            c.zone_of[domain] = explicit
        return
    matches = [(len(z.domain), n) for n, z in zones.items() if inside(domain, z.domain)]
    if not matches:
        known = ", ".join(sorted(z.domain for z in zones.values())) or "none defined"
        c.error(
            path,
            f"'{domain}' is not inside any zone (zones: {known}); add a zone "
            "under 'zones:' that contains it",
            Code.DOMAIN_OUTSIDE_ZONE,
        )
        return
    c.zone_of[domain] = max(matches)[1]


RULES = ()
