"""The AWS managed policies the templates attach by ARN, as AWS publishes them.

cloudsplaining 0.7 ships no copy of the AWS managed policies, so their documents are kept
here, each from its page in the AWS Managed Policy Reference
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html), with the
version read. tests/test_cloudsplaining.py fails when a template attaches a managed policy
that is not in this table, so a new one is read before it is trusted.
"""

from __future__ import annotations

from typing import Any

_ALL = "*"

#: name (the ARN after ``:policy/``) -> (policy version read, policy document)
MANAGED: dict[str, tuple[str, dict[str, Any]]] = {
    "service-role/AmazonAPIGatewayPushToCloudWatchLogs": (
        "v1",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogGroup",
                        "logs:CreateLogStream",
                        "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                        "logs:GetLogEvents",
                        "logs:FilterLogEvents",
                    ],
                    "Resource": _ALL,
                }
            ],
        },
    ),
    "service-role/AmazonRDSEnhancedMonitoringRole": (
        "v1",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "EnableCreationAndManagementOfRDSCloudwatchLogGroups",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
                    "Resource": ["arn:aws:logs:*:*:log-group:RDS*"],
                },
                {
                    "Sid": "EnableCreationAndManagementOfRDSCloudwatchLogStreams",
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                        "logs:GetLogEvents",
                    ],
                    "Resource": ["arn:aws:logs:*:*:log-group:RDS*:log-stream:*"],
                },
            ],
        },
    ),
}
