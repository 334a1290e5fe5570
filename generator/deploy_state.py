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
#   were deleted, and "only a delete operation can be performed" on the stack. It holds
#   nothing: a resource its deletion policy kept (Retain: DELETE_SKIPPED) is outside it
#   and stays, so deleting the stack and creating it again loses nothing; deploy.sh names
#   what was kept. (Snapshot deletes the resource after taking a snapshot, also kept.)
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
# stack_exists says whether the stack is there now (1) or will be created (0).
prepare_stack() {
  local status count why error kept
  stack_exists=1
  # the error apart from the status: a warning the CLI prints on success stays out of it
  error="$(mktemp "$work/error.XXXXXX")"
  if ! status="$(aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
      --query 'Stacks[0].StackStatus' --output text 2>"$error")"; then
    case "$(cat "$error")" in
      *"does not exist"*) rm -f "$error"; stack_exists=0; return 0 ;;  # new: created now
    esac
    cat "$error" >&2
    rm -f "$error"
    exit 1
  fi
  cat "$error" >&2
  rm -f "$error"
  case "$status" in
    ROLLBACK_COMPLETE)
      why="its first create failed and was rolled back: the stack holds nothing"
      # a resource its deletion policy kept is outside the stack now: named, not lost
      kept="StackEvents[?ResourceStatus=='DELETE_SKIPPED']"
      kept="$kept.[LogicalResourceId,ResourceType,PhysicalResourceId]"
      kept="$(aws cloudformation describe-stack-events --region "$1" --stack-name "$2" \\
        --max-items 300 --output text --query "$kept" \\
        | awk -F '\\t' 'NF >= 2 { printf "%s%s (%s) %s", sep, $1, $2, $3; sep = ", " }')" \\
        || kept=""
      if [ -n "$kept" ]; then why="$why; kept outside it by its deletion policy: $kept"; fi ;;
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
  stack_exists=0
}
# Stop: stack $2 in region $1 is in state $3, which deploy.sh leaves to a person.
stack_stuck() {
  echo "Stack $2 is in $3: deploy.sh changed nothing and stops here. See what happened" \\
    "with: aws cloudformation describe-stack-events --stack-name $2 --region $1" \\
    "--max-items 20" >&2
  exit 1
}
# Stack $2 in region $1 failed to deploy: each failed resource of this deploy (logical ID,
# type, reason), the stack's final state, then stop. The events are read newest first, at
# most 300, back to this deploy's first (the stack's own *_IN_PROGRESS "User Initiated");
# only when that one is not among them does the local clock bound them ($3: when the
# deploy began, UTC).
stack_failed() {
  local events status query='StackEvents[].[Timestamp,LogicalResourceId,ResourceType,'
  query="${query}ResourceStatus,ResourceStatusReason]"
  events="$(aws cloudformation describe-stack-events --region "$1" --stack-name "$2" \\
    --max-items 300 --query "$query" --output text)" || events=""
  echo "Stack $2 failed to deploy. Its failed resources:" >&2
  printf '%s\\n' "$events" | awk -F '\\t' -v stack="$2" -v since="$3" '
    $2 == stack && $3 == "AWS::CloudFormation::Stack" && $4 ~ /_IN_PROGRESS$/ &&
      $5 == "User Initiated" { started = 1; exit }
    NF >= 4 && $4 ~ /_FAILED$/ { when[n] = $1; line[n++] = sprintf("  %s (%s): %s", $2, $3, $5) }
    END { for (i = 0; i < n; i++) if (started || when[i] >= since) print line[i] }' \\
    | sort -u >&2
  status="$(aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
    --query 'Stacks[0].StackStatus' --output text 2>/dev/null)" || status="deleted"
  echo "Stack $2 is now $status; deploy.sh stops here." >&2
  exit 1
}"""

# Events, as CloudFormation documents them (DescribeStackEvents, "Returns all stack related
# events for a specified stack in reverse chronological order", 100 a page,
# https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackEvents.html).
# The stack's own events (logical ID = the stack's name) carry its status; one ending in
# _COMPLETE or _FAILED (not _IN_PROGRESS) is final. `aws cloudformation deploy` itself
# looks at the status only every 30 seconds (its waiter's delay), so deploy.sh ends the
# CLI's wait as soon as the events show the final status, and decides from that status.
#
# More than a page of events can come between two looks. The CLI's `--max-items N` reads
# the newest N, page after page (its own pagination: no token is carried from one call to
# the next, and the text form of the one it prints for the rest, under --query, is read by
# nothing here), so a look asks for 100, then 200, 400... until what it read reaches an
# event printed already, the newest event from before this deploy (noted as it begins),
# an update's own first event (the stack's UPDATE_IN_PROGRESS "User Initiated": when that
# note could not be read), or the stack's first event; at most EVENTS_BOUND. That bound
# holds every event of one whole deploy of the largest stack a build makes (450 resources,
# stack_checks; each gives at most 3 events going forward and 3 more rolling back); past
# it, the older events are left out with a line saying so. A look costs one page, and one
# that falls behind by more at most 1 + 2 + 4 + ... + 32 pages. Only events newer than the
# note (or down to that first event) are printed: never an earlier deploy's.
EVENTS_BOUND = 3200
EVENTS = (
    f"EVENTS_BOUND={EVENTS_BOUND}\n"
    + """\
# The ID of the newest event of stack $2 in region $1, into file $3 (empty when the stack
# has none or they cannot be read): the events of this deploy are the newer ones.
newest_event() {
  aws cloudformation describe-stack-events --region "$1" --stack-name "$2" --max-items 1 \\
    --query 'StackEvents[].[EventId,Timestamp,LogicalResourceId,ResourceType,ResourceStatus]' \\
    --output text 2>/dev/null | awk -F '\\t' 'NF >= 5 { print $1; exit }' >"$3" || true
}
# The events of stack $2 in region $1 not printed yet ($3 keeps the IDs of those printed,
# $3.before the newest event before this deploy), oldest first: time (UTC), logical ID,
# type, status, reason. The stack's final status, once one of them shows it, goes into $4.
stack_events() {
  local events items=100 more before=""
  local query='StackEvents[].[EventId,Timestamp,LogicalResourceId,ResourceType,'
  query="${query}ResourceStatus,ResourceStatusReason]"
  if [ -s "$3.before" ]; then before="$(cat "$3.before")"; fi
  while :; do
    events="$(aws cloudformation describe-stack-events --region "$1" --stack-name "$2" \\
      --max-items "$items" --query "$query" --output text 2>/dev/null)" || return 0
    more="$(printf '%s\\n' "$events" | stack="$2" seen="$3" before="$before" \\
      awk -F '\\t' -v items="$items" '
      BEGIN {
        stack = ENVIRON["stack"]; seen = ENVIRON["seen"]; before = ENVIRON["before"]
        while ((getline id < seen) > 0) printed[id] = 1
        close(seen)
      }
      NF >= 5 {
        rows++
        if (($1 in printed) || $1 == before || ($3 == stack && $5 == "UPDATE_IN_PROGRESS" &&
            $4 == "AWS::CloudFormation::Stack" && $6 == "User Initiated")) { reached = 1; exit }
      }
      END { if (!reached && rows >= items) print "more" }')"
    [ -n "$more" ] && [ "$items" -lt "$EVENTS_BOUND" ] || break
    items=$((items * 2))
  done
  if [ -n "$more" ]; then
    echo "(more than $items events since the last look: the older ones are not shown; see" \\
      "them with: aws cloudformation describe-stack-events --stack-name $2 --region $1)" >&2
  fi
  printf '%s\\n' "$events" | stack="$2" seen="$3" final="$4" before="$before" awk -F '\\t' '
    BEGIN {
      stack = ENVIRON["stack"]; seen = ENVIRON["seen"]; final = ENVIRON["final"]
      before = ENVIRON["before"]
      while ((getline id < seen) > 0) printed[id] = 1
      close(seen)
    }
    NF < 5 || ended { next }
    $1 == before { ended = 1; next }
    !($1 in printed) {
      printed[$1] = 1
      print $1 >> seen
      line[n++] = substr($2, 12, 8) " " $3 " " $4 " " $5 (NF >= 6 && $6 != "None" ? ": " $6 : "")
      # newest first: the first final status met is the status now
      if (last == "" && $3 == stack && $4 == "AWS::CloudFormation::Stack" &&
          $5 ~ /_(COMPLETE|FAILED)$/) last = $5
    }
    # the first event of an update: older ones belong to earlier deploys
    $3 == stack && $4 == "AWS::CloudFormation::Stack" && $5 == "UPDATE_IN_PROGRESS" &&
      $6 == "User Initiated" { ended = 1 }
    END {
      for (i = n - 1; i >= 0; i--) print line[i]
      if (last != "") print last > final
    }' >&2
}
# Every $poll seconds, the new events of stack $2 in region $1 (the arguments of
# stack_events); once the final status is known, the CLI's wait (process $5) is ended.
watch_events() {
  local nap=""
  trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
  while :; do
    sleep "$poll" &
    nap=$!
    wait "$nap" || true
    stack_events "$1" "$2" "$3" "$4"
    if [ -s "$4" ]; then kill "$5" 2>/dev/null || true; exit 0; fi
  done
}
# Deploy stack $2 in region $1 (its position: $3) with the command after them, printing
# the stack's events as they come; a failure (the final status, or the CLI's exit code
# when no final status was seen) is reported by stack_failed.
deploy_watched() {
  local region="$1" stack="$2" seen="$work/$3.seen" final="$work/$3.final" since cli watcher
  local code=0
  shift 3
  since="$(date -u '+%Y-%m-%dT%H:%M:%S')"
  # only this deploy's events are shown: those newer than the newest one now
  : >"$seen"
  : >"$seen.before"
  if [ "$stack_exists" = 1 ]; then newest_event "$region" "$stack" "$seen.before"; fi
  "$@" &
  cli=$!
  watch_events "$region" "$stack" "$seen" "$final" "$cli" &
  watcher=$!
  wait "$cli" || code=$?
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" || true
  # the CLI's wait ended by itself: the events since the last look, and the final status
  if [ ! -s "$final" ]; then stack_events "$region" "$stack" "$seen" "$final"; fi
  if [ -s "$final" ]; then
    case "$(cat "$final")" in
      CREATE_COMPLETE|UPDATE_COMPLETE|IMPORT_COMPLETE) code=0 ;;
      *) code=1 ;;
    esac
  fi
  if [ "$code" != 0 ]; then stack_failed "$region" "$stack" "$since"; fi
}"""
)


def deploy_lines(region: str, stack: str, index: int, command: str) -> list[str]:
    """The lines around one stack's ``aws cloudformation deploy`` ``command``: its state
    read (and a stack a failed first create left recovered) before, then the command run
    with the stack's events printed as they come and a failure reported. The lines go
    inside a function: ``command``'s continuation lines are indented by four spaces."""
    where = f"{shlex.quote(region)} {shlex.quote(stack)}"
    return [
        f"prepare_stack {where}",
        f"deploy_watched {where} {index} \\\n    {command}",
    ]
