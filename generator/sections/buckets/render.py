"""S3 buckets: private, encrypted, versioned, TLS-only, kept on stack deletion and
replacement, with server access logs unless turned off."""

from __future__ import annotations

from troposphere import GetAtt, Ref, s3

from ... import naming
from ...render import access_logs, private_bucket, scanner
from ...render.context import Context
from ...render.stateful import RETAIN, protect
from .model import Bucket


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.buckets):
        _bucket(ctx, name, ctx.bp.buckets[name])


def _bucket(ctx: Context, name: str, spec: Bucket) -> None:
    origin = ("buckets", name)
    rules = []
    if spec.versioning and spec.noncurrent_version_expiry_days is not None:
        rules.append(
            s3.LifecycleRule(
                Id="expire-noncurrent-versions",
                Status="Enabled",
                NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                    NoncurrentDays=spec.noncurrent_version_expiry_days
                ),
            )
        )
    bucket = private_bucket.private_bucket(
        naming.bucket(name), versioning=spec.versioning, bucket_key=True
    )
    if spec.name is not None:
        bucket.BucketName = spec.name
    if spec.access_logs:
        archive = access_logs.for_bucket(ctx, name)
        bucket.LoggingConfiguration = s3.LoggingConfiguration(
            DestinationBucketName=Ref(archive.bucket), LogFilePrefix=f"buckets/{name}/"
        )
        bucket.DependsOn = [archive.policy.title]
    else:
        scanner.skip(bucket, "bucket-logs-off")
    if rules:
        bucket.LifecycleConfiguration = s3.LifecycleConfiguration(Rules=rules)
    resource = ctx.add(protect(bucket, RETAIN), origin)
    ctx.bucket_policies[name] = ctx.add(
        s3.BucketPolicy(
            naming.bucket_policy(name),
            Bucket=Ref(resource),
            PolicyDocument={
                "Version": "2012-10-17",
                "Statement": [private_bucket.deny_insecure_transport(resource)],
            },
        ),
        origin,
    )
    ctx.buckets[name] = resource
    ctx.publish("buckets", name, {"name": Ref(resource), "arn": GetAtt(resource, "Arn")})
