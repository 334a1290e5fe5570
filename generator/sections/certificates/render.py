"""DNS-validated ACM certificates: in the main stack, or, for CloudFront, in a stack of their
own in us-east-1 whose outputs the main stack receives as parameters."""

from __future__ import annotations

from typing import Any

from troposphere import Output, Parameter, Ref, certificatemanager

from ... import naming
from ...render import scanner
from ...render.context import Context
from .model import Certificate, ExistingCertificate


def render(ctx: Context) -> None:
    east = ctx.resolved.us_east_1_certificates
    for name in sorted(ctx.bp.certificates):
        cert = ctx.bp.certificates[name]
        if isinstance(cert, ExistingCertificate):
            ctx.certificate_arns[name] = cert.existing_arn
        elif name in east:
            parameter = ctx.template.add_parameter(
                Parameter(
                    naming.certificate_parameter(name),
                    Type="String",
                    AllowedPattern=r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/.+$",
                    Description=f"ARN of certificate {name}, issued in us-east-1 by the "
                    "certificates stack (deploy.sh passes it)",
                )
            )
            ctx.certificate_arns[name] = Ref(parameter)
        else:
            _certificate(ctx, name)


def render_us_east_1(ctx: Context) -> None:
    """The certificates CloudFront needs, for a stack of their own in us-east-1 (the
    zones' handles are the existing zones', given by the zones section)."""
    for name in sorted(ctx.resolved.us_east_1_certificates):
        _certificate(ctx, name)
        ctx.output(
            Output(
                naming.certificate_parameter(name),
                Description=f"ARN of certificate {name}",
                Value=ctx.certificate_arns[name],
            ),
            ("certificates", name),
        )


def _certificate(ctx: Context, name: str) -> None:
    cert = ctx.bp.certificates[name]
    assert isinstance(cert, Certificate)  # an existing one is not made
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
    ctx.certificate_arns[name] = Ref(ctx.add(resource, ("certificates", name)))
