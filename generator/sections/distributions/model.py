"""CloudFront distributions."""

import hashlib
import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from ...codes import Code
from ...errors import shown
from ...model.base import Strict
from ...model.permissions import by_key
from ...model.types import DomainName, Name, compiled


class DomainOrigin(Strict):
    """Where CloudFront fetches from: a DNS name (e.g. a service's ``public_dns``)."""

    domain: DomainName
    """The origin's DNS name."""

    protocol: Literal["http", "https"] = "https"
    """How CloudFront talks to the origin."""

    http_port: int = Field(default=80, ge=1, le=65535)
    """The origin's HTTP port."""

    https_port: int = Field(default=443, ge=1, le=65535)
    """The origin's HTTPS port."""


#: A folder the site is uploaded from: a relative path of plain name characters; whether it
#: stays inside the blueprint's folder is checked when the blueprint's files are read.
SiteFolder = Annotated[str, Field(min_length=1, max_length=1024, pattern=r"^[\w./ -]+$")]


class BucketOrigin(Strict):
    """A bucket of this blueprint (``buckets:``) served through CloudFront alone: an Origin
    Access Control signs CloudFront's requests, and the bucket's policy admits CloudFront
    only on behalf of this distribution; the bucket stays private."""

    bucket: Name
    """The bucket's entry name."""

    folder: SiteFolder | None = None
    """A folder, relative to the blueprint, that deploy.sh uploads to the bucket after the
    stacks deploy (``aws s3 sync --delete``: objects not in the folder are removed), then
    invalidates the distribution's cache; default: nothing is uploaded."""


Origin = Annotated[
    Annotated[DomainOrigin, Tag("DomainOrigin")] | Annotated[BucketOrigin, Tag("BucketOrigin")],
    Discriminator(
        by_key(domain="DomainOrigin", bucket="BucketOrigin"),
        custom_error_type=Code.ORIGIN_SHAPE.value,
        custom_error_message="an origin is a mapping with 'domain: NAME' (a DNS name) or "
        "'bucket: NAME' (a bucket of this blueprint)",
    ),
]

#: What a viewer asking for ``/`` gets from a bucket origin, unless the entry says otherwise.
SITE_ROOT_OBJECT = "index.html"


class CachePolicy(Strict):
    """CloudFront's own TTLs, so caching works even when the origin says ``max-age=0``."""

    min_ttl_seconds: int = Field(default=60, ge=0, le=31536000)
    """Least time an object stays cached, whatever the origin says."""

    default_ttl_seconds: int = Field(default=300, ge=0, le=31536000)
    """Time cached when the origin sends no caching headers."""

    max_ttl_seconds: int = Field(default=86400, ge=0, le=31536000)
    """Longest time cached."""

    cookies: Literal["none", "all"] = "all"
    """Cookies forwarded to the origin and part of the cache key."""

    query_strings: Literal["none", "all"] = "all"
    """Query strings forwarded and part of the cache key."""

    @model_validator(mode="after")
    def _caches_something(self) -> Self:
        # Distributions compress, and a cache policy that compresses must cache: with every
        # TTL at 0 CloudFront refuses it (https://docs.aws.amazon.com/cloudfront/latest/
        # APIReference/API_ParametersInCacheKeyAndForwardedToOrigin.html).
        if self.min_ttl_seconds == self.default_ttl_seconds == self.max_ttl_seconds == 0:
            raise PydanticCustomError(
                Code.DISTRIBUTION_NO_CACHE,
                "every TTL is 0, so CloudFront would cache nothing and refuses the "
                "compression distributions use; give max_ttl_seconds (and "
                "default_ttl_seconds) a value above 0 and let the origin's Cache-Control "
                "decide",
            )
        return self


#: What CloudFront takes as a default root object: an object key of at most 255 of these
#: characters, with no slash at either end
#: (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesGeneral.html#DownloadDistValuesDefaultRootObject,
#: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html).
_ROOT_OBJECT_CHARACTERS = "A-Za-z0-9_.*$/~\"'&-"
_ROOT_OBJECT = f"^(?!/)[{_ROOT_OBJECT_CHARACTERS}]{{1,255}}(?<!/)$"


def _root_object(value: str) -> str:
    if compiled(_ROOT_OBJECT).fullmatch(value):
        return value
    allowed = "use letters, digits and _ - . * $ / ~ \" ' &"
    refused = [ch for ch in value if not re.fullmatch(f"[{_ROOT_OBJECT_CHARACTERS}]", ch)]
    if refused:
        why = f"holds {shown(refused[0])}, which CloudFront refuses in a default root object: "
        why += allowed
    elif len(value) > 255:
        why = f"is {len(value)} characters long; CloudFront takes at most 255"
    elif not value:
        why = "is empty; leave default_root_object out for none"
    else:
        why = "starts or ends with '/'; write the object's key alone, such as 'index.html'"
    raise PydanticCustomError(
        Code.ROOT_OBJECT_INVALID,
        "{value} {why}",
        {"value": shown(value if len(value) <= 64 else value[:61] + "..."), "why": why},
    )


#: An object key CloudFront serves for ``/``.
RootObject = Annotated[
    str,
    AfterValidator(_root_object),
    Field(json_schema_extra={"pattern": _ROOT_OBJECT, "maxLength": 255}),
]


class Distribution(Strict):
    """A CloudFront distribution: HTTPS for viewers (TLS 1.2+), compression, a cache policy
    and alias records. Its certificate is issued in us-east-1 by a stack of its own that
    deploy.sh deploys first."""

    origin: Origin
    """The origin: ``domain: NAME`` (a DNS name) or ``bucket: NAME`` (a bucket of this
    blueprint, a static site)."""

    default_root_object: RootObject | None = None
    """The object served for ``/``; default: ``index.html`` for a bucket origin, none for a
    domain origin (the origin answers ``/`` itself)."""

    spa: bool = False
    """A single-page app: a path the origin has no object for (403 or 404; S3 answers 403
    when the reader may not list the bucket) gets the default root object (``/index.html``)
    with status 200, so the app's own router handles it."""

    aliases: list[DomainName] = Field(min_length=1)
    """The names viewers use, each in one of the zones."""

    certificate: Name
    """The certificate (``certificates:``) covering the aliases; it is created in
    us-east-1, whatever the blueprint's region."""

    cache: CachePolicy = CachePolicy.model_construct()
    """Caching. A bucket origin without ``cache`` uses CloudFront's managed
    CachingOptimized policy (no cookies or query strings in the key, up to a day)."""

    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_200"
    """Which edge locations serve it."""

    logging: bool = True
    """Write CloudFront's standard logs to the stack's access-log bucket."""

    @property
    def root_object(self) -> str | None:
        """The default root object, with a bucket origin's default filled in."""
        if self.default_root_object is None and isinstance(self.origin, BucketOrigin):
            return SITE_ROOT_OBJECT
        return self.default_root_object


#: CloudFront's certificates live in this region, whatever the stack's.
CLOUDFRONT_REGION = "us-east-1"

#: The longest name CloudFront gives an Origin Access Control: "up to 64 characters"
#: (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateOriginAccessControl.html,
#: and cfn-lint's provider schema of AWS::CloudFront::OriginAccessControl); cache policies'
#: names, documented with no limit, are kept to it too. Both are unique in the account.
ACCOUNT_NAME_LIMIT = 64


def account_name(blueprint: str, region: str, distribution: str) -> str:
    """A name unique in the account for a distribution's Origin Access Control or cache
    policy: CloudFront is global, so the same blueprint deployed in two regions needs two
    names. ``shop``, ``eu-west-1``, ``www`` -> ``shop-eu-west-1-www``; a longer one keeps
    its start and ends in a hash of the whole, to fit 64 characters."""
    whole = f"{blueprint}-{region}-{distribution}"
    if len(whole) <= ACCOUNT_NAME_LIMIT:
        return whole
    digest = hashlib.sha256(whole.encode()).hexdigest()[:8]
    return f"{whole[: ACCOUNT_NAME_LIMIT - len(digest) - 1].rstrip('-_')}-{digest}"


#: The header CloudFront adds to every request to a service origin, holding a secret the
#: template never contains; the origin's container gets the same value to compare.
ORIGIN_HEADER = "X-Origin-Verify"


def origin_variable(distribution: str) -> str:
    """The variable that holds distribution's origin secret in its origin's container:
    ``blog`` -> ``ORIGIN_VERIFY_BLOG``."""
    return "ORIGIN_VERIFY_" + re.sub(r"[^A-Z0-9]", "_", distribution.upper())
