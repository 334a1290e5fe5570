"""Caches' rules: the engine version and the node type are ones ElastiCache offers in the
blueprint's region (who may connect is checked with the other reach rules)."""

from __future__ import annotations

from ...codes import Code
from ...model import offerings
from ...model.checker import Checker, rule


@rule(Code.ENGINE_VERSION_UNOFFERED, Code.INSTANCE_CLASS_UNOFFERED)
def offered(c: Checker) -> None:
    # The lists are cfn-lint's, gathered from the ElastiCache API; Valkey starts at 7.2
    # (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html).
    region = c.bp.region
    for name, cache in c.bp.caches.items():
        versions = offerings.cache_versions(cache.engine)
        if versions is not None and cache.version not in versions:
            given = "version" in cache.model_fields_set
            c.error(
                ("caches", name, "version"),
                f"ElastiCache offers no {cache.engine} {cache.version}"
                + ("" if given else " (the default version; set 'version')")
                + "; it offers "
                f"{offerings.versions_hint(cache.version, versions)}",
                Code.ENGINE_VERSION_UNOFFERED,
            )
        types = offerings.cache_node_types(region)
        if types is not None and cache.node_type not in types:
            c.error(
                ("caches", name, "node_type"),
                f"ElastiCache offers no {cache.node_type} in {region}; it offers "
                f"{offerings.classes_hint(cache.node_type, types)}",
                Code.INSTANCE_CLASS_UNOFFERED,
            )


RULES = (offered,)
