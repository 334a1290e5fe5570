"""An ACM certificate."""

from __future__ import annotations

from pydantic import Field

from ...model.base import Strict
from ...model.types import CertificateDomain, Name


class Certificate(Strict):
    """An ACM certificate validated through DNS records in one of the blueprint's zones."""

    domain: CertificateDomain
    """The certificate's main name; ``*.example.com`` for a wildcard."""

    alternative_names: list[CertificateDomain] = Field(default=[])
    """Further names the certificate covers."""

    zone: Name | None = None
    """The zone that validates it; default: the zone whose domain contains ``domain``."""
