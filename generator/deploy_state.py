"""deploy.sh's recovery: what it does with a stack found in a state left by an earlier run,
before deploying it, and what it prints when a deploy fails. The shell functions here take
their values as arguments; every value comes from the blueprint through deploy.py's quoting
helpers, so nothing a blueprint says becomes code."""

from __future__ import annotations

import shlex

# The stack status codes, as CloudFormation documents them ("Stack status codes",
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html,
# formerly using-cfn-describing-stacks.html):
# - ROLLBACK_COMPLETE "exists only after a failed stack creation": the resources created
#   were deleted, and "only a delete operation can be performed" on the stack. Nothing in
#   it exists, so deleting it and creating it again loses nothing.
# - REVIEW_IN_PROGRESS: the stack was made for a change set that was never executed; with
#   no resources, it holds nothing either.
# - *_FAILED (CREATE_FAILED, ROLLBACK_FAILED, DELETE_FAILED, UPDATE_ROLLBACK_FAILED...): a
#   resource could not be created, removed or rolled back; what exists must be looked at
#   (UPDATE_ROLLBACK_FAILED needs `continue-update-rollback`), never deleted blindly.
# - *_IN_PROGRESS: an operation is under way (another deploy, a rollback, a clean-up).
# Every other state (CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE,
# IMPORT_COMPLETE, IMPORT_ROLLBACK_COMPLETE) takes an update.
HELPERS = """\
# Before deploying stack $2 in region $1: a stack a failed first create left empty
# (ROLLBACK_COMPLETE, or REVIEW_IN_PROGRESS with no resources) is deleted so that it is
# created again; any other failed or in-progress state stops the deploy, untouched.
prepare_stack() {
  local status count why error
  # the error apart from the status: a warning the CLI prints on success stays out of it
  error="$(mktemp)"
  if ! status="$(aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
      --query 'Stacks[0].StackStatus' --output text 2>"$error")"; then
    case "$(cat "$error")" in
      *"does not exist"*) rm -f "$error"; return 0 ;;  # new: created by the deploy
    esac
    cat "$error" >&2
    rm -f "$error"
    exit 1
  fi
  cat "$error" >&2
  rm -f "$error"
  case "$status" in
    ROLLBACK_COMPLETE) why="its first create failed and was rolled back: nothing in it exists" ;;
    REVIEW_IN_PROGRESS)
      count="$(aws cloudformation list-stack-resources --region "$1" --stack-name "$2" \\
        --query 'length(StackResourceSummaries)' --output text)"
      if [ "$count" != 0 ]; then stack_stuck "$1" "$2" "$status"; fi
      why="it holds only a change set that was never executed: nothing in it exists" ;;
    *_FAILED|*_IN_PROGRESS) stack_stuck "$1" "$2" "$status" ;;
    *) return 0 ;;
  esac
  echo "Stack $2 is in $status; deleting it and creating it again: $why" >&2
  aws cloudformation delete-stack --region "$1" --stack-name "$2"
  aws cloudformation wait stack-delete-complete --region "$1" --stack-name "$2"
}
# Stop: stack $2 in region $1 is in state $3, which deploy.sh leaves to a person.
stack_stuck() {
  echo "Stack $2 is in $3: deploy.sh changed nothing and stops here. See what happened" \\
    "with: aws cloudformation describe-stack-events --stack-name $2 --region $1" \\
    "--max-items 20" >&2
  exit 1
}
# Stack $2 in region $1 failed to deploy (the deploy began at $3, UTC): each failed
# resource of this deploy (logical ID, type, reason), the stack's final state, then stop.
stack_failed() {
  local events status query="StackEvents[?ends_with(ResourceStatus, '_FAILED')]"
  query="$query.[Timestamp,LogicalResourceId,ResourceType,ResourceStatusReason]"
  events="$(aws cloudformation describe-stack-events --region "$1" --stack-name "$2" \\
    --query "$query" --output text)" || events=""
  echo "Stack $2 failed to deploy. Its failed resources:" >&2
  printf '%s\\n' "$events" | awk -F '\\t' -v since="$3" \\
    '$1 >= since && NF >= 3 { printf "  %s (%s): %s\\n", $2, $3, $4 }' | sort -u >&2
  status="$(aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
    --query 'Stacks[0].StackStatus' --output text 2>/dev/null)" || status="deleted"
  echo "Stack $2 is now $status; deploy.sh stops here." >&2
  exit 1
}"""


def deploy_lines(region: str, stack: str, command: str) -> list[str]:
    """The lines around one stack's ``aws cloudformation deploy`` ``command``: its state
    read (and a stack a failed first create left recovered) before, the failure reported
    after."""
    where = f"{shlex.quote(region)} {shlex.quote(stack)}"
    return [
        f"prepare_stack {where}",
        "since=\"$(date -u '+%Y-%m-%dT%H:%M:%S')\"",
        f'{command} \\\n  || stack_failed {where} "$since"',
    ]
