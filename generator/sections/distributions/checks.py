"""CloudFront distributions' rules: aliases in zones and covered by the certificate, which
is issued in us-east-1 (so its zone must exist first), sane cache times, an origin that is
a service's public name listening on the origin's port, whose container has the origin
secret's variable free, and bucket origins: a bucket of the blueprint, one folder uploaded
into each, never an S3 endpoint written as a domain."""

from __future__ import annotations

import re

from ...codes import Code
from ...errors import Path, shown
from ...model.checker import Checker, rule
from ...model.permissions import BucketPermission, ExternalBucketPermission, Permission
from ..certificates.checks import COVER_CODES, certificate_covers
from ..certificates.model import Certificate
from ..zones.checks import zone_for
from .model import CLOUDFRONT_REGION, ORIGIN_HEADER, BucketOrigin, DomainOrigin, origin_variable

#: S3's REST and website endpoints, global, regional, dual-stack and legacy
#: (https://docs.aws.amazon.com/general/latest/gr/s3.html):
#: ``b.s3.amazonaws.com``, ``b.s3.eu-west-1.amazonaws.com``, ``b.s3-website-us-east-1...``,
#: ``b.s3-website.eu-west-1...``, ``b.s3.dualstack.us-east-1...``, ``...amazonaws.com.cn``.
S3_ENDPOINT = re.compile(r"(?:^|\.)s3(?:-website)?(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\.?$")


@rule(Code.ORIGIN_HTTP, Code.DOMAIN_OUTSIDE_ZONE, Code.DISTRIBUTION_TTL_ORDER, *COVER_CODES)
def distributions(c: Checker) -> None:
    elsewhere: set[str] = set()
    for name, dist in c.bp.distributions.items():
        base: Path = ("distributions", name)
        if isinstance(dist.origin, DomainOrigin) and dist.origin.protocol == "http":
            c.warn(
                (*base, "origin", "protocol"),
                "CloudFront reaches the origin over plain "
                "HTTP: traffic between them, logins included, is not encrypted",
                Code.ORIGIN_HTTP,
            )
        for i, alias in enumerate(dist.aliases):
            zone_for(c, (*base, "aliases", i), alias)
        paths = [(*base, "aliases", i) for i in range(len(dist.aliases))]
        certificate_covers(c, (*base, "certificate"), dist.certificate, dist.aliases, paths)
        made = isinstance(c.bp.certificates.get(dist.certificate), Certificate)
        if c.bp.region != CLOUDFRONT_REGION and made:
            elsewhere.add(dist.certificate)
        cache = dist.cache
        if cache.min_ttl_seconds > cache.default_ttl_seconds:
            c.error(
                (*base, "cache", "min_ttl_seconds"),
                f"{cache.min_ttl_seconds} is above default_ttl_seconds "
                f"({cache.default_ttl_seconds})",
                Code.DISTRIBUTION_TTL_ORDER,
            )
        if cache.default_ttl_seconds > cache.max_ttl_seconds:
            c.error(
                (*base, "cache", "default_ttl_seconds"),
                f"{cache.default_ttl_seconds} is above max_ttl_seconds ({cache.max_ttl_seconds})",
                Code.DISTRIBUTION_TTL_ORDER,
            )
    c.us_east_1_certificates = frozenset(elsewhere)


@rule(Code.CERTIFICATE_REGION)
def certificates_elsewhere(c: Checker) -> None:
    """A certificate issued in us-east-1 for CloudFront serves nothing in the stack's
    region."""
    east = c.us_east_1_certificates
    for name, lb in c.bp.load_balancers.items():
        if lb.certificate in east:
            c.error(
                ("load_balancers", name, "certificate"),
                f"certificate "
                f"'{lb.certificate}' is issued in {CLOUDFRONT_REGION} for CloudFront; a "
                f"load balancer in {c.bp.region} needs a certificate of its own",
                Code.CERTIFICATE_REGION,
            )
    for name, api in c.bp.websocket_apis.items():
        if api.domain is not None and api.domain.certificate in east:
            c.error(
                ("websocket_apis", name, "domain", "certificate"),
                "this certificate "
                f"is issued in {CLOUDFRONT_REGION} for CloudFront; give the API a "
                "certificate of its own",
                Code.CERTIFICATE_REGION,
            )


@rule(Code.ORIGIN_PORT, Code.ORIGIN_VARIABLE_TAKEN)
def origin_services(c: Checker) -> None:
    """Record each service whose ``public_dns`` name is a distribution's origin: the
    service admits CloudFront's origin-facing addresses on the origin's port, and its
    container on that port gets the distribution's secret header in a variable of its
    own."""
    for name, dist in sorted(c.bp.distributions.items()):
        if not isinstance(dist.origin, DomainOrigin):
            continue
        port = dist.origin.http_port if dist.origin.protocol == "http" else dist.origin.https_port
        for sname, svc in sorted(c.bp.services.items()):
            if svc.public_dns is None or svc.public_dns.name != dist.origin.domain:
                continue
            c.origin_services.append((name, sname, port))
            served = sorted(n for n, ct in svc.containers.items() if ct.port == port)
            if not served:
                c.error(
                    ("distributions", name, "origin"),
                    f"service '{sname}' has no "
                    f"container listening on port {port}, the origin's port",
                    Code.ORIGIN_PORT,
                )
                continue
            container = svc.containers[served[0]]
            variable = origin_variable(name)
            for key, names in (
                ("environment", container.environment),
                ("secrets", container.secrets),
            ):
                if variable in names:
                    c.error(
                        ("services", sname, "containers", served[0], key, variable),
                        f"{variable} holds the {ORIGIN_HEADER} header's secret of "
                        f"distribution '{name}', whose origin this container is; give this "
                        "variable another name",
                        Code.ORIGIN_VARIABLE_TAKEN,
                        at_key=True,
                    )


@rule(Code.BUCKET_UNKNOWN, Code.SITE_FOLDER_TWICE, Code.ORIGIN_S3_ENDPOINT)
def bucket_origins(c: Checker) -> None:
    """A bucket origin names a bucket of the blueprint, and at most one distribution
    uploads into each bucket (``aws s3 sync --delete`` removes what is not in its folder).
    A domain origin that is an S3 endpoint is warned about: CloudFront would fetch from it
    unsigned, and a private bucket answers 403 to every request."""
    uploads: dict[str, str] = {}
    for name, dist in sorted(c.bp.distributions.items()):
        origin = dist.origin
        at: Path = ("distributions", name, "origin")
        if isinstance(origin, DomainOrigin):
            if S3_ENDPOINT.search(origin.domain.lower()):
                c.warn(
                    (*at, "domain"),
                    f"{shown(origin.domain)} is an S3 endpoint: CloudFront would fetch from it "
                    "as an anonymous client and a private bucket answers 403 to every request; "
                    "serve a bucket of this blueprint with 'origin: {bucket: NAME}' (through an "
                    "Origin Access Control)",
                    Code.ORIGIN_S3_ENDPOINT,
                )
            continue
        assert isinstance(origin, BucketOrigin)
        if not c.ref((*at, "bucket"), "bucket", origin.bucket, c.bp.buckets, Code.BUCKET_UNKNOWN):
            continue
        if origin.folder is None:
            continue
        first = uploads.setdefault(origin.bucket, name)
        if first != name:
            c.error(
                (*at, "folder"),
                f"distribution '{first}' uploads a folder into bucket '{origin.bucket}' too, "
                "and each upload deletes what the other put there; name the folder on one of "
                "them",
                Code.SITE_FOLDER_TWICE,
            )


@rule(Code.SITE_BUCKET_WRITTEN)
def site_buckets_written(c: Checker) -> None:
    """A bucket a distribution uploads a folder into has one writer: deploy.sh's
    ``aws s3 sync --delete`` removes, on each deploy, whatever else is in the bucket, so a
    grant to write there (by entry name, or by the bucket's fixed name) is warned about,
    for the same reason as two folders uploaded into one bucket (``site-folder-twice``)."""
    uploads: dict[str, tuple[str, str]] = {}
    for name, dist in sorted(c.bp.distributions.items()):
        origin = dist.origin
        if isinstance(origin, BucketOrigin) and origin.folder is not None:
            uploads.setdefault(origin.bucket, (name, origin.folder))
    if not uploads:
        return
    named = {b.name: key for key, b in c.bp.buckets.items() if b.name is not None}
    writers: list[tuple[str, str, str, list[Permission]]] = [
        *(("services", "service", n, e.permissions) for n, e in sorted(c.bp.services.items())),
        *(("jobs", "job", n, e.permissions) for n, e in sorted(c.bp.jobs.items())),
        *(("functions", "function", n, e.permissions) for n, e in sorted(c.bp.functions.items())),
        *(("instances", "instance", n, e.permissions) for n, e in sorted(c.bp.instances.items())),
    ]
    for section, kind, name, permissions in writers:
        for i, grant in enumerate(permissions):
            if isinstance(grant, BucketPermission):
                bucket: str | None = grant.bucket
            elif isinstance(grant, ExternalBucketPermission):
                bucket = named.get(grant.s3_bucket)
            else:
                continue
            if bucket not in uploads or grant.access == "read":
                continue
            uploader, folder = uploads[bucket]
            c.warn(
                (section, name, "permissions", i),
                f"this grants writing to bucket '{bucket}', into which distribution '{uploader}' "
                f"uploads folder {shown(folder)} on each deploy with 'aws s3 sync --delete': "
                f"whatever {kind} '{name}' puts there is deleted by the next deploy; give "
                "what it writes a bucket of its own",
                Code.SITE_BUCKET_WRITTEN,
            )


@rule(Code.ZONE_FOR_CLOUDFRONT)
def zones_exist(c: Checker) -> None:
    """A us-east-1 certificate is issued before the main stack exists, so the zone that
    validates it must already exist."""
    for name in sorted(c.us_east_1_certificates):
        cert = c.bp.certificates[name]
        assert isinstance(cert, Certificate)  # only certificates blueprint makes are here
        for domain in (cert.domain, *cert.alternative_names):
            zone = c.zone_of.get(domain)
            if zone is not None and c.bp.zones[zone].existing_id is None:
                c.error(
                    ("zones", zone),
                    f"certificate '{name}' is for CloudFront, so it is issued in us-east-1 "
                    f"before this stack exists; zone '{zone}' must already exist: create it "
                    "first, then set 'existing_id'",
                    Code.ZONE_FOR_CLOUDFRONT,
                    at_key=True,
                )
                return


RULES = (
    distributions,
    certificates_elsewhere,
    origin_services,
    bucket_origins,
    site_buckets_written,
    zones_exist,
)
