"""The access-log archive, VPC flow logs and CloudWatch log groups, from the templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .data import _lifecycle

if TYPE_CHECKING:
    from ..facts import Facts, Resource
    from .lines import Lines
    from .prices import Prices

#: Parts of an origin that name the log group's own setting, not a thing of its own.
_SETTINGS = ("log_retention_days", "stage")


def _writers(facts: Facts) -> list[str]:
    """What writes to the stack's access-log bucket."""
    writers = ["VPC flow logs"] if facts.of("AWS::EC2::FlowLog") else []
    for lb in sorted(facts.of("AWS::ElasticLoadBalancingV2::LoadBalancer"), key=lambda r: r.entry):
        attributes = lb.properties.get("LoadBalancerAttributes", [])
        if {"Key": "access_logs.s3.enabled", "Value": "true"} in attributes:
            writers.append(f"load balancer {lb.entry[1]}")
    for bucket in sorted(facts.of("AWS::S3::Bucket"), key=lambda r: r.entry):
        if bucket.entry[0] == "buckets" and "LoggingConfiguration" in bucket.properties:
            writers.append(f"bucket {bucket.entry[1]}")
    for dist in sorted(facts.of("AWS::CloudFront::Distribution"), key=lambda r: r.entry):
        if "Logging" in dist.properties.get("DistributionConfig", {}):
            writers.append(f"distribution {dist.entry[1]}")
    return writers


def _archive_days(facts: Facts) -> int | None:
    for bucket in facts.of("AWS::S3::Bucket"):
        if bucket.entry[0] != "buckets":
            days = _lifecycle(bucket.properties, "ExpirationInDays", "")
            if days is not None:
                return days
    return None


def _label(group: Resource) -> str:
    parts = [*group.entry, *(str(p) for p in group.origin[2:3] if p not in _SETTINGS)]
    return ".".join(p for p in parts if p)


def logs(facts: Facts, p: Prices, out: Lines) -> None:
    writers = _writers(facts)
    if writers:
        days = _archive_days(facts)
        kept = f"; kept {days} days" if days else "; kept forever"
        out.usage(
            "logs",
            "access-log bucket: S3 Standard storage",
            "GB-month",
            p.at("s3", "standard_gb_month"),
            f"records of {', '.join(writers)}{kept}",
        )
    if facts.of("AWS::EC2::FlowLog"):
        out.usage(
            "logs",
            "VPC flow logs delivered to S3",
            "GB",
            p.at("logs", "vended_to_s3_gb"),
            "every accepted and rejected connection",
        )
    groups = sorted(
        f"{_label(g)} {g.properties.get('RetentionInDays', 'never expiring')} d"
        for g in facts.of("AWS::Logs::LogGroup")
    )
    if not groups:
        return
    out.usage(
        "logs",
        f"ingestion ({len(groups)} log group{'s' if len(groups) > 1 else ''})",
        "GB",
        p.at("logs", "ingestion_gb"),
        ", ".join(groups),
    )
    out.usage(
        "logs",
        "storage",
        "GB-month",
        p.at("logs", "storage_gb_month"),
        "kept for each group's retention",
    )
