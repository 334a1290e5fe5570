"""The stack's access-log bucket: where load balancers, VPC flow logs, S3 server access
logging and CloudFront write their records.

Created the first time something asks for it, with the protections of any bucket here
(encrypted, private, TLS only, versioned, retained) and a policy that grants each log
delivery service write access to its own prefix and nothing else. Records expire after
:data:`RETENTION_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from troposphere import GetAtt, Ref, Sub, s3

from .. import naming
from . import private_bucket, scanner
from .context import Context
from .stateful import RETAIN, protect

#: How long access records are kept.
RETENTION_DAYS = 365

#: The account Elastic Load Balancing writes access logs from, in regions opened before
#: August 2022; later regions grant the log delivery service principal instead.
ELB_LOG_ACCOUNTS = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}
_ELB_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
_ORIGIN = ("network",)


@dataclass
class Archive:
    bucket: s3.Bucket
    policy: s3.BucketPolicy
    statements: list[dict[str, Any]]
    #: Sids already granted
    granted: set[str] = field(default_factory=set)

    def grant(self, statement: dict[str, Any]) -> None:
        if statement["Sid"] not in self.granted:
            self.granted.add(statement["Sid"])
            self.statements.append(statement)

    def objects(self, prefix: str) -> Sub:
        """``arn:...:bucket/PREFIX/AWSLogs/ACCOUNT/*``: where a service writes."""
        return Sub(
            f"${{Arn}}/{prefix}/AWSLogs/${{AWS::AccountId}}/*", Arn=GetAtt(self.bucket, "Arn")
        )


def _archive(ctx: Context) -> Archive:
    if ctx.access_log_archive is not None:
        return ctx.access_log_archive
    # Load balancers can write only to buckets encrypted with S3-managed keys.
    bucket = private_bucket.private_bucket(
        naming.ACCESS_LOG_ARCHIVE, versioning=True, bucket_key=False
    )
    bucket.LifecycleConfiguration = s3.LifecycleConfiguration(
        Rules=[
            s3.LifecycleRule(
                Id="expire-access-records",
                Status="Enabled",
                ExpirationInDays=RETENTION_DAYS,
                NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(NoncurrentDays=7),
                AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                    DaysAfterInitiation=7
                ),
            )
        ]
    )
    protect(bucket, RETAIN)
    scanner.skip(bucket, "log-bucket")
    ctx.add(bucket, _ORIGIN)
    statements: list[dict[str, Any]] = [private_bucket.deny_insecure_transport(bucket)]
    policy = ctx.add(
        s3.BucketPolicy(
            naming.ACCESS_LOG_ARCHIVE_POLICY,
            Bucket=Ref(bucket),
            PolicyDocument={"Version": "2012-10-17", "Statement": statements},
        ),
        _ORIGIN,
    )
    archive = Archive(bucket, policy, statements)
    ctx.access_log_archive = archive
    return archive


def _this_account() -> dict[str, Any]:
    return {"StringEquals": {"aws:SourceAccount": Ref("AWS::AccountId")}}


def for_load_balancer(ctx: Context) -> Archive:
    """The archive, with Elastic Load Balancing allowed to write under ``load-balancers/``."""
    archive = _archive(ctx)
    account = ELB_LOG_ACCOUNTS.get(ctx.bp.region)
    principal = (
        {"AWS": Sub(f"arn:${{AWS::Partition}}:iam::{account}:root")}
        if account
        else {"Service": _ELB_SERVICE}
    )
    archive.grant(
        {
            "Sid": "LoadBalancerAccessLogs",
            "Effect": "Allow",
            "Principal": principal,
            "Action": "s3:PutObject",
            "Resource": archive.objects("load-balancers/*"),
        }
    )
    return archive


def for_flow_logs(ctx: Context) -> Archive:
    """The archive, with the log delivery service allowed to write under ``vpc-flow-logs/``."""
    archive = _archive(ctx)
    archive.grant(
        {
            "Sid": "FlowLogsWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": archive.objects("vpc-flow-logs"),
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": Ref("AWS::AccountId"),
                    "s3:x-amz-acl": "bucket-owner-full-control",
                }
            },
        }
    )
    archive.grant(
        {
            "Sid": "FlowLogsAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": GetAtt(archive.bucket, "Arn"),
            "Condition": _this_account(),
        }
    )
    return archive


def for_bucket(ctx: Context, name: str) -> Archive:
    """The archive, with S3 server access logging allowed to write under ``buckets/``."""
    archive = _archive(ctx)
    arn = GetAtt(archive.bucket, "Arn")
    archive.grant(
        {
            "Sid": "BucketServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": Sub("${Arn}/buckets/*", Arn=arn),
            "Condition": _this_account(),
        }
    )
    return archive


def for_distribution(ctx: Context) -> Archive:
    """The archive, made to accept CloudFront's standard logs, which are delivered with
    object ACLs: the bucket's owner is preferred (and still owns every object) rather than
    enforced, which would refuse them."""
    archive = _archive(ctx)
    archive.bucket.OwnershipControls = s3.OwnershipControls(
        Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerPreferred")]
    )
    return archive
