"""What every S3 bucket here has: encryption at rest, no public access, no ACLs, and a
policy statement refusing anything but TLS."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Sub, s3


def private_bucket(logical_id: str, *, versioning: bool, bucket_key: bool) -> s3.Bucket:
    """A bucket encrypted with S3-managed keys (``bucket_key``: fewer encryption calls),
    with public access blocked and the owner enforced."""
    rule = s3.ServerSideEncryptionRule(
        ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(SSEAlgorithm="AES256")
    )
    if bucket_key:
        rule.BucketKeyEnabled = True
    return s3.Bucket(
        logical_id,
        BucketEncryption=s3.BucketEncryption(ServerSideEncryptionConfiguration=[rule]),
        PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True,
            BlockPublicPolicy=True,
            IgnorePublicAcls=True,
            RestrictPublicBuckets=True,
        ),
        OwnershipControls=s3.OwnershipControls(
            Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
        ),
        VersioningConfiguration=s3.VersioningConfiguration(
            Status="Enabled" if versioning else "Suspended"
        ),
    )


def deny_insecure_transport(bucket: s3.Bucket) -> dict[str, Any]:
    arn = GetAtt(bucket, "Arn")
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [arn, Sub("${Arn}/*", Arn=arn)],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
