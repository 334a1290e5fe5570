"""The shipped price table (``prices.json``) and the prices of one region.

A price the table lacks for the region is None, never a figure from another region:
the line that needs it is shown as not priced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@cache
def load() -> dict[str, Any]:
    """The whole table."""
    text = resources.files("generator").joinpath("prices.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _lookup(section: Mapping[str, Any], keys: Iterable[str]) -> float | None:
    node: Any = section
    for key in keys:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return float(node) if isinstance(node, int | float) else None


@dataclass(frozen=True)
class Prices:
    """The table's prices for one region, plus the ones that are the same everywhere."""

    table: Mapping[str, Any]
    region: str

    @property
    def _regional(self) -> Mapping[str, Any]:
        found: Mapping[str, Any] = self.table["regions"].get(self.region, {})
        return found

    def at(self, *keys: str) -> float | None:
        """A regional price, or None when the table lacks it for this region."""
        return _lookup(self._regional, keys)

    def world(self, *keys: str) -> float:
        """A price that is the same in every region."""
        value = _lookup(self.table["global"], keys)
        assert value is not None, keys
        return value

    @property
    def edge_zone(self) -> str | None:
        """The CloudFront edge locations nearest the region, if the table knows them."""
        zone = self._regional.get("cloudfront_edge")
        return str(zone) if zone is not None else None

    def edge(self, key: str) -> float | None:
        """A CloudFront price at the edge locations nearest the region."""
        zone = self.edge_zone
        return None if zone is None else _lookup(self.table["cloudfront"], (zone, key))

    @property
    def source(self) -> Mapping[str, str]:
        """Where this region's figures come from and when they were read."""
        sources = self.table["sources"]
        fallback = {
            "date": sources["everywhere"]["date"],
            "source": f"the table has no prices for {self.region}; only those that are "
            "the same in every region are used",
        }
        found: Mapping[str, str] = sources.get(self.region, fallback)
        return found
