"""The access-log archive, VPC flow logs and CloudWatch log groups, from the templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .data import by_entry

if TYPE_CHECKING:
    from ..facts import Facts, LogGroup
    from .lines import Lines
    from .prices import Prices

#: Parts of an origin that name the log group's own setting, not a thing of its own.
_SETTINGS = ("log_retention_days", "stage")


def _writers(facts: Facts) -> list[str]:
    """What writes to the stack's access-log bucket."""
    writers = ["VPC flow logs"] if facts.of("AWS::EC2::FlowLog") else []
    lbs = by_entry(facts.load_balancers, "load_balancers")
    writers += [f"load balancer {lb.entry[1]}" for lb in lbs if lb.access_logs]
    buckets = by_entry(facts.buckets, "buckets")
    writers += [f"bucket {b.entry[1]}" for b in buckets if b.access_logging]
    dists = by_entry(facts.distributions, "distributions")
    writers += [f"distribution {d.entry[1]}" for d in dists if d.logging]
    return writers


def _label(group: LogGroup) -> str:
    parts = [*group.entry, *(str(p) for p in group.origin[2:3] if p not in _SETTINGS)]
    days = "never expiring" if group.retention_days is None else f"{group.retention_days} d"
    return ".".join(p for p in parts if p) + f" {days}"


def logs(facts: Facts, p: Prices, out: Lines) -> None:
    writers = _writers(facts)
    if writers:
        # the archive: the bucket blueprint adds, not one of the blueprint's own
        days = next((b.expiration_days for b in facts.buckets if b.entry[0] != "buckets"), None)
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
    groups = sorted(_label(g) for g in facts.log_groups)
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
