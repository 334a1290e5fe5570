"""A Route53 hosted zone."""

from __future__ import annotations

from ...model.base import Strict
from ...model.types import DomainName, HostedZoneId


class Zone(Strict):
    """A Route53 public hosted zone: created by the stack, or an existing one by its id."""

    domain: DomainName
    """The zone's domain, e.g. ``example.com``."""

    existing_id: HostedZoneId | None = None
    """Use this existing zone instead of creating one. When the zone is created, its name
    servers are a stack output to hand to the registrar."""
