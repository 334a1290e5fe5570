"""CloudFront distributions: HTTPS for viewers (TLS 1.2+), compression, a cache policy
with CloudFront's own TTLs, and alias records. The certificate lives in us-east-1."""

from __future__ import annotations

from troposphere import GetAtt, Output, Ref, cloudfront

from ... import naming
from ...errors import Path
from ...render import access_logs, records, scanner, security
from ...render.context import Context
from .model import CachePolicy, Distribution, Origin

#: The hosted zone id every CloudFront alias record points into.
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
_ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.distributions):
        _distribution(ctx, name, ctx.bp.distributions[name])
    for name, service, port in ctx.resolved.origin_services:
        group = ctx.groups[("services", service)]
        rule = security.allow_cidr(
            ctx,
            group,
            "0.0.0.0/0",
            port,
            f"CloudFront ({name}) to origin",
            ("distributions", name, "origin"),
        )
        scanner.skip(rule, "cloudfront-origin")


def _distribution(ctx: Context, name: str, spec: Distribution) -> None:
    origin = ("distributions", name)
    policy = _cache_policy(ctx, name, spec.cache, (*origin, "cache"))
    config = cloudfront.DistributionConfig(
        Enabled=True,
        Comment=f"{ctx.bp.name} {name}",
        Aliases=sorted(spec.aliases),
        HttpVersion="http2and3",
        IPV6Enabled=False,
        PriceClass=spec.price_class,
        Origins=[_origin(spec.origin)],
        DefaultCacheBehavior=_default_behavior(policy),
        ViewerCertificate=cloudfront.ViewerCertificate(
            AcmCertificateArn=ctx.certificate_arns[spec.certificate],
            SslSupportMethod="sni-only",
            MinimumProtocolVersion="TLSv1.2_2021",
        ),
    )
    resource = cloudfront.Distribution(naming.distribution(name), DistributionConfig=config)
    scanner.skip(resource, "distribution-waf")
    if spec.logging:
        config.Logging = _access_logging(ctx, name)
    else:
        scanner.skip(resource, "distribution-logs-off")
    distribution = ctx.add(resource, origin)
    for alias in sorted(spec.aliases):
        records.alias_record(
            ctx,
            name,
            alias,
            GetAtt(distribution, "DomainName"),
            CLOUDFRONT_ZONE_ID,
            (*origin, "aliases"),
            evaluate_health=False,
        )
    ctx.output(
        Output(
            naming.output(name, "distribution-domain"),
            Description=f"CloudFront domain of {name}",
            Value=GetAtt(distribution, "DomainName"),
        ),
        origin,
    )


def _cache_policy(
    ctx: Context, name: str, cache: CachePolicy, origin: Path
) -> cloudfront.CachePolicy:
    """CloudFront's own TTLs; compressed variants cached apart; cookies and query strings
    in the key only as the entry says, headers never."""
    return ctx.add(
        cloudfront.CachePolicy(
            naming.cache_policy(name),
            CachePolicyConfig=cloudfront.CachePolicyConfig(
                Name=f"{ctx.bp.name}-{name}",
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


def _default_behavior(policy: cloudfront.CachePolicy) -> cloudfront.DefaultCacheBehavior:
    """Viewers are sent to HTTPS; every method reaches the origin, GET and HEAD are cached."""
    return cloudfront.DefaultCacheBehavior(
        TargetOriginId="origin",
        ViewerProtocolPolicy="redirect-to-https",
        CachePolicyId=Ref(policy),
        Compress=True,
        AllowedMethods=_ALL_METHODS,
        CachedMethods=["GET", "HEAD"],
    )


def _origin(source: Origin) -> cloudfront.Origin:
    """The one custom origin, reached over TLS 1.2 when the protocol is HTTPS."""
    return cloudfront.Origin(
        Id="origin",
        DomainName=source.domain,
        CustomOriginConfig=cloudfront.CustomOriginConfig(
            OriginProtocolPolicy=f"{source.protocol}-only",
            HTTPPort=source.http_port,
            HTTPSPort=source.https_port,
            OriginSSLProtocols=["TLSv1.2"],
        ),
    )


def _access_logging(ctx: Context, name: str) -> cloudfront.Logging:
    """Standard logs into the stack's access-log bucket, which is made on first use."""
    archive = access_logs.for_distribution(ctx)
    return cloudfront.Logging(
        Bucket=GetAtt(archive.bucket, "RegionalDomainName"),
        Prefix=f"distributions/{name}/",
        IncludeCookies=False,
    )
