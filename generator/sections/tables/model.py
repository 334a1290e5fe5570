"""A DynamoDB table."""

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from ...errors import InternalError
from ...model.base import Strict


class Key(Strict):
    """A key attribute of a table."""

    name: str = Field(min_length=1, max_length=255)
    """The attribute's name."""

    type: Literal["S", "N", "B"] = "S"
    """String, number or binary."""


class Table(Strict):
    """A DynamoDB table: on-demand billing, point-in-time recovery and encryption by
    default, deletion protected and retained."""

    partition_key: Key
    """The partition (hash) key."""

    sort_key: Key | None = None
    """The sort (range) key."""

    billing: Literal["on_demand", "provisioned"] = "on_demand"
    """Pay per request, or for provisioned capacity."""

    read_capacity: int | None = Field(default=None, ge=1)
    """Read capacity units, with ``billing: provisioned``."""

    write_capacity: int | None = Field(default=None, ge=1)
    """Write capacity units, with ``billing: provisioned``."""

    ttl_attribute: str | None = Field(default=None, min_length=1, max_length=255)
    """An attribute holding an expiry time (epoch seconds)."""

    point_in_time_recovery: bool = True
    """Continuous backups for 35 days."""

    @property
    def capacity(self) -> "OnDemand | Provisioned":
        """The billing as one variant; the tables rule has checked that provisioned
        billing comes with both capacities."""
        if self.billing == "on_demand":
            return OnDemand()
        if self.read_capacity is None or self.write_capacity is None:
            raise InternalError("provisioned billing without capacities passed the checks")
        return Provisioned(self.read_capacity, self.write_capacity)


@dataclass(frozen=True)
class OnDemand:
    """Billed per request."""


@dataclass(frozen=True)
class Provisioned:
    """Billed for capacity units reserved per second."""

    read: int
    write: int
