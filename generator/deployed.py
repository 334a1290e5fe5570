"""The stacks of a blueprint as deployed, for ``blueprint diff --deployed``: each template as
CloudFormation holds it (``aws cloudformation get-template --template-stage Original``),
read with the AWS CLI the user already has, as deploy.sh uses it (no SDK, no new
dependency). Every call is an argument list, never a shell command line, so no name from a
blueprint can become code. The only place ``diff`` talks to AWS.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from typing import Any

from .codes import Code
from .deploy import TAG
from .errors import BlueprintError, Problem, Severity
from .previous import parse_template

#: Seconds one call may take: the CLI retries throttled calls itself.
TIMEOUT = 300


class Missing(Exception):
    """The stack does not exist (never deployed, or deleted)."""


def _refuse(message: str) -> BlueprintError:
    return BlueprintError(
        [Problem("aws", 1, 1, "", message, Severity.ERROR, code=Code.DEPLOYED_UNREADABLE)]
    )


def aws(*args: str) -> Any:
    """The JSON the AWS CLI prints for ``aws ARGS --output json``. A stack that does not
    exist raises :class:`Missing`; any other failure (no CLI, no credentials, no network)
    is a problem that names the command and the CLI's own message."""
    command = ["aws", *args, "--output", "json"]
    shown = " ".join(command[:3]) + " " + " ".join(args[2:])
    env = {**os.environ, "AWS_PAGER": ""}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    except FileNotFoundError:
        raise _refuse("the AWS CLI ('aws') is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise _refuse(f"{shown}: no answer in {TIMEOUT} seconds") from None
    if done.returncode != 0:
        why = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        # "An error occurred (ValidationError) when calling the GetTemplate operation:
        # Stack with id X does not exist"
        if "ValidationError" in why and "does not exist" in why:
            raise Missing(why)
        raise _refuse(f"{shown}: {why}")
    try:
        return json.loads(done.stdout or "null")
    except json.JSONDecodeError:
        raise _refuse(f"{shown}: the AWS CLI printed no JSON") from None


def check_account(environment: str | None, account: str, region: str) -> None:
    """Refuse, as the environment's deploy.sh does (:mod:`generator.deploy_account`), when
    the credentials are another account's than the one the environment deploys to: its
    stacks are not there, and every one of them would show as added. ``aws sts
    get-caller-identity`` answers for any credentials, without a permission of its own
    (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)."""
    got = aws("sts", "get-caller-identity", "--region", region)
    caller = str(got.get("Account", "")) if isinstance(got, dict) else ""
    if caller != account:
        who = f"environment {environment}" if environment else "this blueprint"
        raise BlueprintError(
            [
                Problem(
                    "aws",
                    1,
                    1,
                    "",
                    f"these credentials are for account {caller or '(none)'}; {who} deploys "
                    f"to account {account}: use credentials of account {account} "
                    "(AWS_PROFILE, AWS_ACCESS_KEY_ID) to compare with its stacks",
                    Severity.ERROR,
                    code=Code.DEPLOYED_ACCOUNT,
                )
            ]
        )


def template(stack: str, region: str) -> dict[str, Any] | None:
    """The template ``stack`` was deployed with (the one sent, before any transform), or
    None when it does not exist."""
    try:
        got = aws(
            "cloudformation", "get-template", "--stack-name", stack, "--region", region,
            "--template-stage", "Original",
        )  # fmt: skip
    except Missing:
        return None
    body = got.get("TemplateBody") if isinstance(got, dict) else None
    # The CLI prints a JSON template as an object, and any other template as text.
    text = body if isinstance(body, str) else json.dumps(body)
    return parse_template(f"stack {stack} ({region})", text.encode("utf-8"))


#: States in which nothing of a stack exists: a failed first create rolled back, or a
#: change set never executed (deploy.sh deletes and creates such a stack again,
#: generator/deploy_state.py). The diff sees such a stack as not deployed.
NOTHING_DEPLOYED = frozenset({"ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"})


def listed(region: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Every stack of ``region``: its status and its tags."""
    found = aws("cloudformation", "describe-stacks", "--region", region)
    stacks = found.get("Stacks", []) if isinstance(found, dict) else []
    out = {}
    for stack in stacks if isinstance(stacks, list) else []:
        if isinstance(stack, dict) and isinstance(stack.get("StackName"), str):
            tags = {
                str(t.get("Key")): str(t.get("Value"))
                for t in stack.get("Tags", [])
                if isinstance(t, dict)
            }
            out[stack["StackName"]] = (str(stack.get("StackStatus", "")), tags)
    return out


def read(blueprint: str, stacks: Iterable[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Stack name -> deployed template, for each of ``stacks`` (name, region) deployed, and
    for every other stack of their regions tagged as ``blueprint``'s, as deploy.sh finds
    them (what the build no longer makes: the diff shows it removed)."""
    wanted = dict(stacks)
    out = {}
    for region in sorted(set(wanted.values())):
        for name, (status, tags) in sorted(listed(region).items()):
            ours = wanted.get(name) == region or tags.get(TAG) == blueprint
            if ours and status not in NOTHING_DEPLOYED:
                found = template(name, region)
                if found is not None:
                    out[name] = found
    return out
