"""A Route53 hosted zone."""

from ...model.base import Strict
from ...model.types import DomainName, HostedZoneId


class Zone(Strict):
    """A Route53 public hosted zone: created by the stack, or an existing one by its id."""

    domain: DomainName
    """The zone's domain, e.g. ``example.com``."""

    existing_id: HostedZoneId | None = None
    """Use this existing zone instead of creating one. A created zone is deployed first, in
    the stack ``<name>-zones``; deploy.sh prints its name servers, to set at the registrar,
    and stops until the domain is delegated to them when a certificate validates in it."""
