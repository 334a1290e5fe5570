"""Certificates' rules: each name lies in a zone that validates it; and the helper other
sections use to check that a certificate covers their names."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.aws_ids import arn_account, arn_region
from ...model.checker import Checker, covers, rule
from ..distributions.model import CLOUDFRONT_REGION
from ..zones.checks import zone_for
from .model import NAMES_QUOTA, Certificate, ExistingCertificate

#: The codes :func:`certificate_covers` reports, for the rules that call it.
COVER_CODES = (Code.CERTIFICATE_UNKNOWN, Code.CERTIFICATE_NOT_COVERING)


@rule(Code.ZONE_UNKNOWN, Code.DOMAIN_OUTSIDE_ZONE, Code.CERTIFICATE_NAME_TWICE)
def validated_in_zones(c: Checker) -> None:
    for name, cert in c.bp.certificates.items():
        if not isinstance(cert, Certificate):
            continue
        if cert.zone is not None:
            c.ref(("certificates", name, "zone"), "zone", cert.zone, c.bp.zones, Code.ZONE_UNKNOWN)
        zone_for(c, ("certificates", name, "domain"), cert.domain, cert.zone)
        for i, alt in enumerate(cert.alternative_names):
            zone_for(c, ("certificates", name, "alternative_names", i), alt, cert.zone)
        if cert.domain in cert.alternative_names:
            i = cert.alternative_names.index(cert.domain)
            c.error(
                ("certificates", name, "alternative_names", i),
                f"'{cert.domain}' is already the certificate's domain",
                Code.CERTIFICATE_NAME_TWICE,
            )


def certificate_covers(
    c: Checker, path: Path, cert_name: str, names: list[str], name_paths: list[Path] | None = None
) -> None:
    """``cert_name`` names a certificate that covers every one of ``names``."""
    if not c.ref(path, "certificate", cert_name, c.bp.certificates, Code.CERTIFICATE_UNKNOWN):
        return
    cert = c.bp.certificates[cert_name]
    if not isinstance(cert, Certificate):  # which names it covers is not known here
        return
    for i, host in enumerate(names):
        if not any(covers(p, host) for p in (cert.domain, *cert.alternative_names)):
            c.error(
                name_paths[i] if name_paths else path,
                f"certificate '{cert_name}' ({cert.domain}) does not cover '{host}'; add it to "
                "the certificate's alternative_names",
                Code.CERTIFICATE_NOT_COVERING,
            )


@rule(Code.CERTIFICATE_NAMES_MANY)
def names_quota(c: Checker) -> None:
    for name, cert in c.bp.certificates.items():
        if not isinstance(cert, Certificate):
            continue
        count = 1 + len(cert.alternative_names)
        if count > NAMES_QUOTA:
            c.warn(
                ("certificates", name, "alternative_names"),
                f"{count} names are over ACM's default quota of {NAMES_QUOTA} per certificate: "
                "ask AWS to raise it before deploying, or split the certificate",
                Code.CERTIFICATE_NAMES_MANY,
            )


@rule(Code.ARN_REGION)
def existing_regions(c: Checker) -> None:
    """An existing certificate serves only where it was issued: a load balancer or a
    regional WebSocket API in the stack's region, CloudFront from us-east-1 alone
    (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html)."""
    uses: list[tuple[Path, str | None, str]] = []
    for name, lb in c.bp.load_balancers.items():
        uses.append((("load_balancers", name, "certificate"), lb.certificate, c.bp.region))
    for name, api in c.bp.websocket_apis.items():
        if api.domain is not None:
            path: Path = ("websocket_apis", name, "domain", "certificate")
            uses.append((path, api.domain.certificate, c.bp.region))
    for name, dist in c.bp.distributions.items():
        uses.append((("distributions", name, "certificate"), dist.certificate, CLOUDFRONT_REGION))
    for path, cert_name, wanted in uses:
        cert = c.bp.certificates.get(cert_name or "")
        if isinstance(cert, ExistingCertificate) and arn_region(cert.existing_arn) != wanted:
            who = "CloudFront" if wanted == CLOUDFRONT_REGION else f"{path[0]}.{path[1]}"
            c.error(
                path,
                f"certificate '{cert_name}' was issued in {arn_region(cert.existing_arn)}; "
                f"{who} takes one issued in {wanted}",
                Code.ARN_REGION,
            )


@rule(Code.ARN_ACCOUNT)
def existing_accounts(c: Checker) -> None:
    """An existing certificate serves only in the account it was issued in (a certificate
    is requested or imported in each account that uses it,
    https://aws.amazon.com/blogs/security/how-to-deploy-public-acm-certificates-across-multiple-aws-accounts-and-regions-using-aws-cloudformation-stacksets/):
    the environment's, when it names one."""
    for name, cert in sorted(c.bp.certificates.items()):
        if not isinstance(cert, ExistingCertificate) or c.account is None:
            continue
        if arn_account(cert.existing_arn) != c.account:
            c.error(
                ("certificates", name, "existing_arn"),
                f"the certificate is in account {arn_account(cert.existing_arn)}; the "
                f"environment deploys to account {c.account}, where it cannot be used",
                Code.ARN_ACCOUNT,
            )


RULES = (validated_in_zones, names_quota, existing_regions, existing_accounts)
