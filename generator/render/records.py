"""DNS records other sections make for their names, in the zone that contains each name."""

from __future__ import annotations

from typing import Any

from troposphere import route53

from .. import naming
from ..errors import Path
from .context import Context


def alias_record(
    ctx: Context,
    owner: str,
    domain: str,
    dns_name: Any,
    hosted_zone_id: Any,
    origin: Path,
    *,
    evaluate_health: bool = True,
) -> None:
    """An A alias record for ``domain`` in the zone that contains it. Route53 refuses
    target-health evaluation for CloudFront targets, so their callers turn it off."""
    zone = ctx.zones[ctx.resolved.zone_of[domain]]
    ctx.add(
        route53.RecordSetType(
            naming.alias_record(owner, domain),
            HostedZoneId=zone.zone_id,
            Name=domain,
            Type="A",
            AliasTarget=route53.AliasTarget(
                DNSName=dns_name, HostedZoneId=hosted_zone_id, EvaluateTargetHealth=evaluate_health
            ),
        ),
        origin,
    )
