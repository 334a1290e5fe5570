"""A distribution whose origin is a bucket of the blueprint: a static site.

CloudFront signs its requests to the bucket with an Origin Access Control (SigV4, always),
and the bucket's policy admits CloudFront only on behalf of this distribution
(``AWS:SourceArn``), for ``s3:GetObject`` on the bucket's objects alone
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html).
The bucket keeps its public access blocked. Its objects are encrypted with S3-managed keys
(every bucket here is, generator/render/private_bucket.py), which CloudFront reads with no
key policy to change; a customer-managed KMS key would need one admitting CloudFront.

The bucket, its policy and the distribution are all in the main stack, in the blueprint's
region (only the certificate lives in us-east-1, and reaches the distribution as a
parameter): the distribution reads the bucket's regional domain name, the policy reads the
distribution's ID, and CloudFormation orders the three by those references alone.
"""

from __future__ import annotations

from typing import Any

from troposphere import AWSObject, GetAtt, Output, Ref, Sub, cloudfront

from ... import naming
from ...render.context import Context
from .model import SITE_ROOT_OBJECT, BucketOrigin, Distribution, account_name

#: CloudFront's managed CachingOptimized policy: no cookies, headers or query strings in
#: the key, compressed variants cached apart, 1 s to 1 year, a day by default
#: (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"

#: What a site's viewers may do: read.
SITE_METHODS = ["GET", "HEAD"]

#: S3 answers 403 for a missing key when the reader may not list the bucket, 404 when it
#: may: both mean "no such page" to a single-page app.
_SPA_ERRORS = (403, 404)


def origin(ctx: Context, name: str, source: BucketOrigin) -> cloudfront.Origin:
    """The S3 origin: the bucket's regional name (no redirect from the global one while a
    new bucket's name spreads), signed by an Origin Access Control of its own; an empty
    origin access identity, as CloudFront asks when OAC is used."""
    control = ctx.add(
        cloudfront.OriginAccessControl(
            naming.origin_access_control(name),
            OriginAccessControlConfig=cloudfront.OriginAccessControlConfig(
                Name=account_name(ctx.bp.name, ctx.bp.region, name),
                Description=f"{ctx.bp.name}: CloudFront {name} reads bucket {source.bucket}",
                OriginAccessControlOriginType="s3",
                SigningBehavior="always",
                SigningProtocol="sigv4",
            ),
        ),
        ("distributions", name, "origin"),
    )
    return cloudfront.Origin(
        Id="origin",
        DomainName=GetAtt(ctx.buckets[source.bucket], "RegionalDomainName"),
        S3OriginConfig=cloudfront.S3OriginConfig(OriginAccessIdentity=""),
        OriginAccessControlId=GetAtt(control, "Id"),
    )


def error_responses(spec: Distribution) -> list[cloudfront.CustomErrorResponse]:
    """A single-page app's fallback: a path with no object gets the app's page (the
    default root object), with status 200."""
    if not spec.spa:
        return []
    page = "/" + (spec.root_object or SITE_ROOT_OBJECT)
    return [
        cloudfront.CustomErrorResponse(ErrorCode=code, ResponseCode=200, ResponsePagePath=page)
        for code in _SPA_ERRORS
    ]


def admit(ctx: Context, name: str, source: BucketOrigin, distribution: AWSObject) -> None:
    """The bucket policy's statement for this distribution, and the outputs deploy.sh reads
    to upload the site and invalidate the distribution."""
    bucket = ctx.buckets[source.bucket]
    policy = ctx.bucket_policies[source.bucket]
    policy.PolicyDocument["Statement"].append(read_statement(name, bucket, distribution))
    at = ("distributions", name)
    ctx.output(
        Output(
            naming.output(name, "distribution-id"),
            Description=f"CloudFront distribution ID of {name}",
            Value=Ref(distribution),
        ),
        at,
    )
    ctx.output(
        Output(
            naming.output(name, "site-bucket"),
            Description=f"The bucket {name} serves",
            Value=Ref(bucket),
        ),
        at,
    )


def read_statement(name: str, bucket: AWSObject, distribution: AWSObject) -> dict[str, Any]:
    """CloudFront may read the bucket's objects only for this distribution."""
    return {
        "Sid": f"CloudFront{naming.output(name)}Reads",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": Sub("${Arn}/*", Arn=GetAtt(bucket, "Arn")),
        "Condition": {
            "StringEquals": {
                "AWS:SourceArn": Sub(
                    "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}",
                    Id=Ref(distribution),
                )
            }
        },
    }
