"""Hosted zones and ACM certificates."""

from __future__ import annotations

from pydantic import Field

from ...model.base import Strict
from ...model.types import CertificateDomain, DomainName, HostedZoneId, Name


class Zone(Strict):
    """A Route53 public hosted zone: created by the stack, or an existing one by its id."""

    domain: DomainName
    """The zone's domain, e.g. ``example.com``."""

    existing_id: HostedZoneId | None = None
    """Use this existing zone instead of creating one. When the zone is created, its name
    servers are a stack output to hand to the registrar."""


class Certificate(Strict):
    """An ACM certificate validated through DNS records in one of the blueprint's zones."""

    domain: CertificateDomain
    """The certificate's main name; ``*.example.com`` for a wildcard."""

    alternative_names: list[CertificateDomain] = Field(default=[])
    """Further names the certificate covers."""

    zone: Name | None = None
    """The zone that validates it; default: the zone whose domain contains ``domain``."""
