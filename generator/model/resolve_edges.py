"""Cross-references of the edge sections: WebSocket APIs and CloudFront distributions,
and the data sections' own rules."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import Path
from .checker import Checker, covers

_ROUTE_KEY = re.compile(r"^(\$connect|\$disconnect|\$default|[A-Za-z0-9_.-]{1,128})$")
CLOUDFRONT_REGION = "us-east-1"

#: Checks that a domain lies in one of the zones, and records which (see resolve).
ZoneFinder = Callable[[Path, str], None]


def check_apis(c: Checker, zone_for: ZoneFinder) -> None:
    for name, api in c.bp.websocket_apis.items():
        base: Path = ("websocket_apis", name)
        for key, function in api.routes.items():
            if not _ROUTE_KEY.match(key):
                c.error(
                    (*base, "routes", key),
                    f"'{key}' is not a route key: use $connect, "
                    "$disconnect, $default or an action name of letters, digits, _ . -",
                    "route-key",
                    at_key=True,
                )
            c.ref((*base, "routes", key), "function", function, c.bp.functions)
        if api.domain is not None:
            dpath: Path = (*base, "domain")
            zone_for((*dpath, "name"), api.domain.name)
            _certificate_covers(
                c, (*dpath, "certificate"), api.domain.certificate, [api.domain.name]
            )


def origin_services(c: Checker) -> list[tuple[str, str, int]]:
    """(distribution, service, port) for each distribution whose origin is a service's
    ``public_dns`` name: the service must admit CloudFront on that port."""
    out = []
    for name, dist in sorted(c.bp.distributions.items()):
        port = dist.origin.http_port if dist.origin.protocol == "http" else dist.origin.https_port
        for sname, svc in sorted(c.bp.services.items()):
            if svc.public_dns is not None and svc.public_dns.name == dist.origin.domain:
                out.append((name, sname, port))
                ports = {ct.port for ct in svc.containers.values()}
                if port not in ports:
                    c.error(
                        ("distributions", name, "origin"),
                        f"service '{sname}' has no "
                        f"container listening on port {port}, the origin's port",
                        "origin-port",
                    )
                else:
                    c.warn(
                        ("distributions", name, "origin"),
                        f"port {port} of service "
                        f"'{sname}' is open to the internet: CloudFront's address ranges "
                        "cannot be named in a template",
                        "origin-open",
                    )
    return out


def check_distributions(c: Checker, zone_for: ZoneFinder) -> frozenset[str]:
    """Check distributions; return the certificates that must be issued in us-east-1."""
    elsewhere: set[str] = set()
    for name, dist in c.bp.distributions.items():
        base: Path = ("distributions", name)
        if dist.origin.protocol == "http":
            c.warn(
                (*base, "origin", "protocol"),
                "CloudFront reaches the origin over plain "
                "HTTP: traffic between them, logins included, is not encrypted",
                "origin-http",
            )
        for i, alias in enumerate(dist.aliases):
            zone_for((*base, "aliases", i), alias)
        paths = [(*base, "aliases", i) for i in range(len(dist.aliases))]
        _certificate_covers(c, (*base, "certificate"), dist.certificate, dist.aliases, paths)
        if c.bp.region != CLOUDFRONT_REGION and dist.certificate in c.bp.certificates:
            elsewhere.add(dist.certificate)
        cache = dist.cache
        if cache.min_ttl_seconds > cache.default_ttl_seconds:
            c.error(
                (*base, "cache", "min_ttl_seconds"),
                f"{cache.min_ttl_seconds} is above default_ttl_seconds "
                f"({cache.default_ttl_seconds})",
                "cache-ttl",
            )
        if cache.default_ttl_seconds > cache.max_ttl_seconds:
            c.error(
                (*base, "cache", "default_ttl_seconds"),
                f"{cache.default_ttl_seconds} is above max_ttl_seconds ({cache.max_ttl_seconds})",
                "cache-ttl",
            )
    for name, lb in c.bp.load_balancers.items():
        if lb.certificate in elsewhere:
            c.error(
                ("load_balancers", name, "certificate"),
                f"certificate "
                f"'{lb.certificate}' is issued in {CLOUDFRONT_REGION} for CloudFront; a "
                f"load balancer in {c.bp.region} needs a certificate of its own",
                "certificate-region",
            )
    for name, api in c.bp.websocket_apis.items():
        if api.domain is not None and api.domain.certificate in elsewhere:
            c.error(
                ("websocket_apis", name, "domain", "certificate"),
                "this certificate "
                f"is issued in {CLOUDFRONT_REGION} for CloudFront; give the API a "
                "certificate of its own",
                "certificate-region",
            )
    return frozenset(elsewhere)


def check_data(c: Checker) -> None:
    for name, table in c.bp.tables.items():
        base: Path = ("tables", name)
        provisioned = table.billing == "provisioned"
        for key in ("read_capacity", "write_capacity"):
            given = getattr(table, key) is not None
            if provisioned and not given:
                c.error(
                    (*base, key),
                    f"missing required key '{key}' (billing: provisioned)",
                    "missing",
                    at_key=True,
                )
            if given and not provisioned:
                c.error(
                    (*base, key),
                    f"'{key}' applies only with 'billing: provisioned'",
                    "capacity-on-demand",
                )
        if table.sort_key is not None and table.sort_key.name == table.partition_key.name:
            c.error(
                (*base, "sort_key", "name"),
                "the sort key must differ from the partition key",
                "key-twice",
            )
    for name, db in c.bp.databases.items():
        if db.max_storage_gb is not None and db.max_storage_gb <= db.storage_gb:
            c.error(
                ("databases", name, "max_storage_gb"),
                f"max_storage_gb must be above storage_gb ({db.storage_gb})",
                "storage",
            )


def _certificate_covers(
    c: Checker, path: Path, cert_name: str, names: list[str], name_paths: list[Path] | None = None
) -> None:
    if not c.ref(path, "certificate", cert_name, c.bp.certificates):
        return
    cert = c.bp.certificates[cert_name]
    for i, host in enumerate(names):
        if not any(covers(p, host) for p in (cert.domain, *cert.alternative_names)):
            c.error(
                name_paths[i] if name_paths else path,
                f"certificate '{cert_name}' ({cert.domain}) does not cover '{host}'; add it to "
                "the certificate's alternative_names",
                "certificate-cover",
            )
