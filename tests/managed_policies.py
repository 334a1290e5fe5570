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
    "AmazonSSMManagedInstanceCore": (
        "v2",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "ssm:DescribeAssociation",
                        "ssm:GetDeployablePatchSnapshotForInstance",
                        "ssm:GetDocument",
                        "ssm:DescribeDocument",
                        "ssm:GetManifest",
                        "ssm:GetParameter",
                        "ssm:GetParameters",
                        "ssm:ListAssociations",
                        "ssm:ListInstanceAssociations",
                        "ssm:PutInventory",
                        "ssm:PutComplianceItems",
                        "ssm:PutConfigurePackageResult",
                        "ssm:UpdateAssociationStatus",
                        "ssm:UpdateInstanceAssociationStatus",
                        "ssm:UpdateInstanceInformation",
                    ],
                    "Resource": _ALL,
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    "Resource": _ALL,
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "ec2messages:AcknowledgeMessage",
                        "ec2messages:DeleteMessage",
                        "ec2messages:FailMessage",
                        "ec2messages:GetEndpoint",
                        "ec2messages:GetMessages",
                        "ec2messages:SendReply",
                    ],
                    "Resource": _ALL,
                },
            ],
        },
    ),
    "service-role/AmazonEC2ContainerServiceforEC2Role": (
        "v10",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "ec2:DescribeTags",
                        "ecs:CreateCluster",
                        "ecs:DeregisterContainerInstance",
                        "ecs:DiscoverPollEndpoint",
                        "ecs:Poll",
                        "ecs:RegisterContainerInstance",
                        "ecs:StartTelemetrySession",
                        "ecs:UpdateContainerInstancesState",
                        "ecs:Submit*",
                        "ecr:GetAuthorizationToken",
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                    ],
                    "Resource": _ALL,
                },
                {
                    "Effect": "Allow",
                    "Action": "ecs:TagResource",
                    "Resource": _ALL,
                    "Condition": {
                        "StringEquals": {
                            "ecs:CreateAction": ["CreateCluster", "RegisterContainerInstance"]
                        }
                    },
                },
                {
                    "Effect": "Allow",
                    "Action": ["ecs:ListTagsForResource"],
                    "Resource": [
                        "arn:aws:ecs:*:*:task/*/*",
                        "arn:aws:ecs:*:*:container-instance/*/*",
                    ],
                },
            ],
        },
    ),
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
