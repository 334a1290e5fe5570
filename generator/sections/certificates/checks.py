"""Certificates' rules: each name lies in a zone that validates it; and the helper other
sections use to check that a certificate covers their names."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model.checker import Checker, covers, rule
from ..zones.checks import zone_for
from .model import NAMES_QUOTA

#: The codes :func:`certificate_covers` reports, for the rules that call it.
COVER_CODES = (Code.CERTIFICATE_UNKNOWN, Code.CERTIFICATE_NOT_COVERING)


@rule(Code.ZONE_UNKNOWN, Code.DOMAIN_OUTSIDE_ZONE, Code.CERTIFICATE_NAME_TWICE)
def validated_in_zones(c: Checker) -> None:
    for name, cert in c.bp.certificates.items():
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
        count = 1 + len(cert.alternative_names)
        if count > NAMES_QUOTA:
            c.warn(
                ("certificates", name, "alternative_names"),
                f"{count} names are over ACM's default quota of {NAMES_QUOTA} per certificate: "
                "ask AWS to raise it before deploying, or split the certificate",
                Code.CERTIFICATE_NAMES_MANY,
            )


RULES = (validated_in_zones, names_quota)
