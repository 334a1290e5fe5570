"""The checkov checks a resource is allowed to skip, each with its one reason.

Every template passes checkov's CloudFormation checks. Where a check does not fit what
a resource is for (a listener on port 80 that only redirects) or what the blueprint
explicitly asked for (``multi_az: false``), the renderer writes a skip into that
resource's ``Metadata`` with the reason below; checkov reports it as skipped, not
failed. This table is the only source of skips, and ``docs/security.md`` lists every
entry (a test keeps the two equal, and checks the skips checkov reports against it).
"""

from __future__ import annotations

from typing import Any

#: key -> (checkov check id, the reason written into the template)
SKIPS: dict[str, tuple[str, str]] = {
    "redirect-listener": (
        "CKV_AWS_260",
        "Port 80 is open only for the listener that redirects every request to HTTPS",
    ),
    "origin-secret-key": (
        "CKV_AWS_149",
        "The CloudFront origin header's value, encrypted with the AWS managed key of Secrets "
        "Manager; no customer managed key ($1 a month) is created",
    ),
    "lookup-concurrency": (
        "CKV_AWS_115",
        "The prefix-list lookup runs once per deploy that changes it; reserving concurrency "
        "would take from the account's shared pool",
    ),
    "https-off": (
        "CKV_AWS_2",
        "The blueprint turns HTTPS off for this load balancer (https: false)",
    ),
    "https-off-tls": (
        "CKV_AWS_103",
        "The blueprint turns HTTPS off for this load balancer (https: false)",
    ),
    "log-group-key": (
        "CKV_AWS_158",
        "CloudWatch Logs encrypts every log group at rest with its own key; no customer "
        "managed key ($1 a month each) is created",
    ),
    "function-concurrency": (
        "CKV_AWS_115",
        "No reserved concurrency unless functions.NAME.reserved_concurrency sets it: "
        "reserving takes from the account's shared pool",
    ),
    "updater-concurrency": (
        "CKV_AWS_115",
        "The DNS updater runs a few times a day; reserving concurrency would take from the "
        "account's shared pool",
    ),
    "function-vpc": (
        "CKV_AWS_117",
        "Calls only AWS service APIs; in a VPC it would need a NAT gateway or endpoints "
        "to reach them",
    ),
    "function-environment": (
        "CKV_AWS_173",
        "The environment holds no secrets (they are passed as references); Lambda encrypts "
        "it at rest with its own key",
    ),
    "queue-sse-sqs": (
        "CKV_AWS_27",
        "Encrypted at rest with SQS-managed keys (SSE-SQS), which need no key policy",
    ),
    "database-single-az": (
        "CKV_AWS_157",
        "The blueprint runs this database in one zone (multi_az: false)",
    ),
    "database-monitoring-off": (
        "CKV_AWS_118",
        "The blueprint turns enhanced monitoring off (monitoring_interval_seconds: 0)",
    ),
    "table-key": (
        "CKV_AWS_119",
        "Encrypted at rest with the AWS managed key of DynamoDB; no customer managed key "
        "($1 a month) is created",
    ),
    "cache-auth": (
        "CKV_AWS_31",
        "Reachable only from the entries allow_from names, through its security group, "
        "with TLS in transit",
    ),
    "log-bucket": (
        "CKV_AWS_18",
        "This bucket receives the access logs; logging it into itself would loop",
    ),
    "bucket-logs-off": (
        "CKV_AWS_18",
        "The blueprint turns this bucket's access logs off (access_logs: false)",
    ),
    "load-balancer-logs-off": (
        "CKV_AWS_91",
        "The blueprint turns this load balancer's access logs off (access_logs: false)",
    ),
    "distribution-logs-off": (
        "CKV_AWS_86",
        "The blueprint turns this distribution's logs off (logging: false)",
    ),
    "distribution-waf": (
        "CKV_AWS_68",
        "No web ACL by default: AWS WAF costs at least $5 a month plus $1 a rule",
    ),
    "public-instance": (
        "CKV_AWS_88",
        "The blueprint puts these instances in a public subnet with a public address; "
        "SSH is limited to ssh_from",
    ),
    "public-hosts": (
        "CKV_AWS_88",
        "The blueprint puts this EC2 capacity in a public subnet: its hosts reach ECS through "
        "the internet gateway, which needs a public address; their group admits no one else",
    ),
    "wildcard-certificate": (
        "CKV2_AWS_71",
        "The blueprint asks for a wildcard certificate",
    ),
}


def skip(resource: Any, *keys: str) -> None:
    """Write checkov skips for *keys* into the resource's Metadata, keeping what is there."""
    metadata = dict(getattr(resource, "Metadata", None) or {})
    checkov = dict(metadata.get("checkov", {}))
    entries = list(checkov.get("skip", []))
    for key in keys:
        check, reason = SKIPS[key]
        entry = {"id": check, "comment": reason}
        if entry not in entries:
            entries.append(entry)
    checkov["skip"] = sorted(entries, key=lambda e: (e["id"], e["comment"]))
    metadata["checkov"] = checkov
    resource.Metadata = metadata
