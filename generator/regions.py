"""The AWS commercial regions a blueprint may name (validation), each of which `blueprint
cost` must estimate in: those cfn-lint ships resource schemas for, since a template for
any other region cannot be checked (tests/test_cost.py holds this list to cfn-lint's)."""

REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
)

#: Regions AWS has that blueprint refuses, and why.
UNSUPPORTED = {
    "me-south-1": "the pinned cfn-lint ships no resource schemas for it, so its templates "
    "cannot be checked",
}
