"""CloudFront distributions: HTTPS for viewers (TLS 1.2+), compression, a cache policy
with CloudFront's own TTLs, and alias records. The certificate lives in us-east-1."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from troposphere import AWSObject, GetAtt, Output, Ref, Sub, awslambda, cloudfront

from ... import naming
from ...errors import Path
from ...render import access_logs, iam, records, scanner, security
from ...render import origin as origin_secret
from ...render.context import Context
from ...render.lambdas import Spec, lambda_function
from . import site
from .model import (
    ORIGIN_HEADER,
    BucketOrigin,
    CachePolicy,
    Distribution,
    DomainOrigin,
    account_name,
)

#: The hosted zone id every CloudFront alias record points into.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
#: AWS's prefix list of CloudFront's origin-facing addresses (IPv4).
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
_ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.distributions):
        _distribution(ctx, name, ctx.bp.distributions[name])
    if ctx.resolved.origin_services:
        prefix_list = _prefix_list(ctx)
    for name, service, port in ctx.resolved.origin_services:
        security.allow_prefix_list(
            ctx,
            ctx.groups[("services", service)],
            GetAtt(prefix_list, "PrefixListId"),
            naming.CLOUDFRONT_SOURCE,
            port,
            f"CloudFront ({name}) to origin",
            ("distributions", name, "origin"),
        )


def _prefix_list(ctx: Context) -> AWSObject:
    """The ID of CloudFront's origin-facing prefix list, looked up at deploy time: it
    differs per region, and no resource or pseudo parameter names it
    (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html)."""
    origin = ("distributions",)
    spec = Spec(
        name="cloudfront-prefix-list",
        code=awslambda.Code(ZipFile=lookup_source()),
        image=False,
        runtime="python3.12",
        handler="index.handler",
        memory_mb=128,
        timeout_seconds=60,
        architecture="arm64",
        environment={},
        statements=[iam.statement(["ec2:DescribeManagedPrefixLists"], ["*"])],
        log_retention_days=30,
        concurrency_skip="lookup-concurrency",
    )
    function = lambda_function(
        ctx,
        naming.PREFIX_LIST_FUNCTION,
        naming.PREFIX_LIST_ROLE,
        naming.PREFIX_LIST_LOG_GROUP,
        spec,
        origin,
    )
    lookup = _PrefixListLookup(
        naming.PREFIX_LIST,
        ServiceToken=GetAtt(function, "Arn"),
        # A reply that never comes fails the stack in two minutes, not CloudFormation's hour.
        ServiceTimeout=120,
        PrefixListName=CLOUDFRONT_PREFIX_LIST,
    )
    return ctx.add(lookup, origin)


class _PrefixListLookup(AWSObject):  # type: ignore[misc]  # troposphere is untyped
    """The custom resource whose function (generator/functions/prefix_list.py) answers
    with ``PrefixListId``."""

    resource_type = "Custom::PrefixList"
    props = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (int, False),
        "PrefixListName": (str, True),
    }


@cache
def lookup_source() -> str:
    """The lookup's code, shipped in this package and placed inline in the template."""
    return resources.files("generator.functions").joinpath("prefix_list.py").read_text("utf-8")


def _distribution(ctx: Context, name: str, spec: Distribution) -> None:
    origin = ("distributions", name)
    bucket = spec.origin if isinstance(spec.origin, BucketOrigin) else None
    if bucket is not None and "cache" not in spec.model_fields_set:
        policy: Any = site.CACHING_OPTIMIZED
    else:
        policy = Ref(_cache_policy(ctx, name, spec.cache, (*origin, "cache")))
    config = cloudfront.DistributionConfig(
        Enabled=True,
        Comment=f"{ctx.bp.name} {name}",
        Aliases=sorted(spec.aliases),
        HttpVersion="http2and3",
        IPV6Enabled=False,
        PriceClass=spec.price_class,
        Origins=[_origin(ctx, name, spec.origin)],
        DefaultCacheBehavior=_default_behavior(
            policy, site.SITE_METHODS if bucket else _ALL_METHODS
        ),
        ViewerCertificate=cloudfront.ViewerCertificate(
            AcmCertificateArn=ctx.certificate_arns[spec.certificate],
            SslSupportMethod="sni-only",
            MinimumProtocolVersion="TLSv1.2_2021",
        ),
    )
    if spec.root_object is not None:
        config.DefaultRootObject = spec.root_object
    if spec.spa:
        config.CustomErrorResponses = site.error_responses(spec)
    resource = cloudfront.Distribution(naming.distribution(name), DistributionConfig=config)
    scanner.skip(resource, "distribution-waf")
    if spec.logging:
        config.Logging = _access_logging(ctx, name)
    else:
        scanner.skip(resource, "distribution-logs-off")
    distribution = ctx.add(resource, origin)
    if bucket is not None:
        site.admit(ctx, name, bucket, distribution)
    _names(ctx, name, spec, distribution, origin)


def _names(
    ctx: Context, name: str, spec: Distribution, distribution: AWSObject, origin: Path
) -> None:
    """Where the distribution answers: its aliases' records, its domain as an output, and
    the values references name. It lives in the main stack, in the blueprint's region (only
    its certificate is in us-east-1, render/stacks.py), so those are never in another
    region."""
    domain = GetAtt(distribution, "DomainName")
    for alias in sorted(spec.aliases):
        records.alias_record(
            ctx,
            name,
            alias,
            domain,
            CLOUDFRONT_ZONE_ID,
            (*origin, "aliases"),
            evaluate_health=False,
        )
    ctx.output(
        Output(
            naming.output(name, "distribution-domain"),
            Description=f"CloudFront domain of {name}",
            Value=domain,
        ),
        origin,
    )
    aliases = sorted(spec.aliases, key=lambda a: (a.count("."), a))  # the apex first
    url = f"https://{aliases[0]}" if aliases else Sub("https://${Domain}", Domain=domain)
    ctx.publish("distributions", name, {"domain": domain, "url": url})


def _cache_policy(
    ctx: Context, name: str, cache: CachePolicy, origin: Path
) -> cloudfront.CachePolicy:
    """CloudFront's own TTLs; compressed variants cached apart; cookies and query strings
    in the key only as the entry says, headers never."""
    return ctx.add(
        cloudfront.CachePolicy(
            naming.cache_policy(name),
            CachePolicyConfig=cloudfront.CachePolicyConfig(
                Name=account_name(ctx.bp.name, ctx.bp.region, name),
                MinTTL=cache.min_ttl_seconds,
                DefaultTTL=cache.default_ttl_seconds,
                MaxTTL=cache.max_ttl_seconds,
                ParametersInCacheKeyAndForwardedToOrigin=cloudfront.ParametersInCacheKeyAndForwardedToOrigin(
                    EnableAcceptEncodingGzip=True,
                    EnableAcceptEncodingBrotli=True,
                    CookiesConfig=cloudfront.CacheCookiesConfig(CookieBehavior=cache.cookies),
                    HeadersConfig=cloudfront.CacheHeadersConfig(HeaderBehavior="none"),
                    QueryStringsConfig=cloudfront.CacheQueryStringsConfig(
                        QueryStringBehavior=cache.query_strings
                    ),
                ),
            ),
        ),
        origin,
    )


def _default_behavior(policy: Any, methods: list[str]) -> cloudfront.DefaultCacheBehavior:
    """Viewers are sent to HTTPS; ``methods`` reach the origin (every method, or a site's
    GET and HEAD), GET and HEAD are cached."""
    return cloudfront.DefaultCacheBehavior(
        TargetOriginId="origin",
        ViewerProtocolPolicy="redirect-to-https",
        CachePolicyId=policy,
        Compress=True,
        AllowedMethods=methods,
        CachedMethods=["GET", "HEAD"],
    )


def _origin(ctx: Context, name: str, source: DomainOrigin | BucketOrigin) -> cloudfront.Origin:
    """The one origin: a bucket's (generator/sections/distributions/site.py), or a custom
    origin reached over TLS 1.2 when the protocol is HTTPS; a service origin also gets the
    secret header it can check (generator/render/origin.py)."""
    if isinstance(source, BucketOrigin):
        return site.origin(ctx, name, source)
    config = cloudfront.Origin(
        Id="origin",
        DomainName=source.domain,
        CustomOriginConfig=cloudfront.CustomOriginConfig(
            OriginProtocolPolicy=f"{source.protocol}-only",
            HTTPPort=source.http_port,
            HTTPSPort=source.https_port,
            OriginSSLProtocols=["TLSv1.2"],
        ),
    )
    if any(dist == name for dist, _, _ in ctx.resolved.origin_services):
        config.OriginCustomHeaders = [
            cloudfront.OriginCustomHeader(
                HeaderName=ORIGIN_HEADER, HeaderValue=origin_secret.header_value(ctx, name)
            )
        ]
    return config


def _access_logging(ctx: Context, name: str) -> cloudfront.Logging:
    """Standard logs into the stack's access-log bucket, which is made on first use."""
    archive = access_logs.for_distribution(ctx)
    return cloudfront.Logging(
        Bucket=GetAtt(archive.bucket, "RegionalDomainName"),
        Prefix=f"distributions/{name}/",
        IncludeCookies=False,
    )
