"""Route53 hosted zones: created (kept on deletion: the registrar holds their name servers)
or existing, named by id. A created zone is placed in the zones stack, deployed first
(:func:`generator.render.stacks.placement`), and its name servers are that stack's output."""

from __future__ import annotations

from troposphere import GetAtt, Join, Output, Ref, route53

from ... import naming
from ...render.context import Context, ZoneHandle
from ...render.stateful import RETAIN, protect


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.zones):
        zone = ctx.bp.zones[name]
        if zone.existing_id is not None:
            ctx.zones[name] = ZoneHandle(zone.domain, zone.existing_id)
            continue
        hosted = route53.HostedZone(
            naming.zone(name),
            Name=zone.domain,
            HostedZoneConfig=route53.HostedZoneConfiguration(
                Comment=f"{zone.domain} ({ctx.bp.name})"
            ),
        )
        # The registrar holds this zone's name servers; a new zone gets new ones.
        created = ctx.add(protect(hosted, RETAIN), ("zones", name))
        ctx.zones[name] = ZoneHandle(zone.domain, Ref(created))
        ctx.output(
            Output(
                naming.output(name, "zone", "name-servers"),
                Description=f"Name servers of {zone.domain}: give these to the registrar",
                Value=Join(",", GetAtt(created, "NameServers")),
            ),
            ("zones", name),
        )


def render_existing(ctx: Context) -> None:
    """Handles of the zones for the us-east-1 certificates stack: they already exist
    (resolve checks), so they are named by id."""
    for name in sorted(ctx.bp.zones):
        zone = ctx.bp.zones[name]
        ctx.zones[name] = ZoneHandle(zone.domain, zone.existing_id)
