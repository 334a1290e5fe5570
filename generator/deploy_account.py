"""The first lines of an environment's deploy.sh: the credentials must be those of the
account the environment names, else nothing is changed.

``aws sts get-caller-identity`` answers for any credentials, without a permission of its
own (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), so
the check needs nothing a deployer might lack.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    """The environment a deploy.sh is for, and the AWS account it deploys to."""

    environment: str | None
    account: str


def check_lines(target: Account, region: str) -> list[str]:
    """Stop (exit 1) before anything else when the caller's account is another."""
    wanted = shlex.quote(target.account)
    environment = f"environment {target.environment}" if target.environment else "this build"
    stop = (
        f"these credentials are for account $caller; {environment} deploys to account "
        f"{target.account}: use credentials of account {target.account} (AWS_PROFILE, "
        "AWS_ACCESS_KEY_ID) and run deploy.sh again; nothing was changed"
    )
    return [
        "# The account this environment deploys to, before anything changes",
        'caller="$(aws sts get-caller-identity --query Account --output text '
        f'--region {shlex.quote(region)})"',
        f'if [ "$caller" != {wanted} ]; then',
        f'  echo "{stop}" >&2',
        "  exit 1",
        "fi",
    ]
