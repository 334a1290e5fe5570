"""Hosted zones and DNS-validated ACM certificates, plus the alias-record helper that
other sections use for their names."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, Output, Parameter, Ref, certificatemanager, route53

from ... import naming
from ...errors import Path
from ...render import scanner
from ...render.context import Context, ZoneHandle


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.zones):
        zone = ctx.bp.zones[name]
        if zone.existing_id is not None:
            ctx.zones[name] = ZoneHandle(zone.domain, zone.existing_id)
            continue
        created = ctx.add(
            route53.HostedZone(
                naming.zone(name),
                Name=zone.domain,
                HostedZoneConfig=route53.HostedZoneConfiguration(
                    Comment=f"{zone.domain} ({ctx.bp.name})"
                ),
                # The registrar holds this zone's name servers; a new zone gets new ones.
                DeletionPolicy="Retain",
                UpdateReplacePolicy="Retain",
            ),
            ("zones", name),
        )
        ctx.zones[name] = ZoneHandle(zone.domain, Ref(created))
        ctx.output(
            Output(
                naming.output(name, "zone", "name-servers"),
                Description=f"Name servers of {zone.domain}: give these to the registrar",
                Value=Join(",", GetAtt(created, "NameServers")),
            )
        )
    east = ctx.resolved.us_east_1_certificates
    for name in sorted(ctx.bp.certificates):
        if name in east:
            ctx.imported_certificates[name] = ctx.template.add_parameter(
                Parameter(
                    naming.certificate_parameter(name),
                    Type="String",
                    AllowedPattern=r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/.+$",
                    Description=f"ARN of certificate {name}, issued in us-east-1 by the "
                    "certificates stack (deploy.sh passes it)",
                )
            )
        else:
            _certificate(ctx, name)


def render_us_east_1(ctx: Context) -> None:
    """The certificates CloudFront needs, for a stack of their own in us-east-1; their zones
    already exist (resolve checks), so they are named by id."""
    for name in sorted(ctx.bp.zones):
        zone = ctx.bp.zones[name]
        ctx.zones[name] = ZoneHandle(zone.domain, zone.existing_id)
    for name in sorted(ctx.resolved.us_east_1_certificates):
        _certificate(ctx, name)
        ctx.output(
            Output(
                naming.certificate_parameter(name),
                Description=f"ARN of certificate {name}",
                Value=Ref(ctx.certificates[name]),
            )
        )


def _certificate(ctx: Context, name: str) -> None:
    cert = ctx.bp.certificates[name]
    names = [cert.domain, *sorted(cert.alternative_names)]
    options = [
        certificatemanager.DomainValidationOption(
            DomainName=domain,
            HostedZoneId=ctx.zones[ctx.resolved.zone_of[domain]].zone_id,
        )
        for domain in names
    ]
    extra: dict[str, Any] = {}
    if cert.alternative_names:
        extra["SubjectAlternativeNames"] = names[1:]
    resource = certificatemanager.Certificate(
        naming.certificate(name),
        DomainName=cert.domain,
        ValidationMethod="DNS",
        DomainValidationOptions=options,
        **extra,
    )
    if any(domain.startswith("*.") for domain in names):
        scanner.skip(resource, "wildcard-certificate")
    ctx.certificates[name] = ctx.add(resource, ("certificates", name))


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
