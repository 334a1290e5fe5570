"""``deploy.sh --review`` and ``deploy.sh --execute``: CloudFormation's own verdict on every
stack before anything changes, then exactly the reviewed change sets executed.

``--review`` makes one change set per stack (never executed), prints each resource's action
and ``Replacement``, compares them with ``blueprint diff --deployed`` when ``blueprint`` is
on PATH, and ends non-zero when a stateful resource would be replaced or removed without
``--allow-replace``. A change set is named after a hash of what it deploys (the template's
bytes, the parameter values, capabilities, tags, stack and region), so ``--execute``
recomputes the name from what it would deploy now and finds the reviewed change set, or
stops: anything that changed since (the template, an output of an earlier stack) changes
the name. The shell functions take their values as arguments; deploy.py quotes each one.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from .replacement import STATEFUL_TYPES
from .shell import oneline

#: A resource with one of these deletion policies is kept when it is removed or replaced:
#: what it holds matters (generator/render/stateful.py sets them).
KEPT = frozenset({"Retain", "Snapshot", "RetainExceptOnCreate"})

# Status and StatusReason of a change set, as CloudFormation documents them
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html):
# Status CREATE_PENDING | CREATE_IN_PROGRESS | CREATE_COMPLETE | FAILED (an update with
# nothing to change is FAILED, "The submitted information didn't contain changes..."),
# ExecutionStatus AVAILABLE only while it can be executed (OBSOLETE once the stack changed).
# A change's Replacement is True, False or Conditional ("depends on the value of a
# parameter or attribute not known yet"; ResourceChange in the API reference).
_CHANGES = (
    "Changes[].ResourceChange.[Action,LogicalResourceId,ResourceType,Replacement,"
    "join(`,`,Scope || `[]`),join(`,`,Details[].Target.Name || `[]`)]"
)

HELPERS = f"""\
# Types whose replacement or removal loses what they hold (blueprint's replacement.py).
stateful_types={shlex.quote(" ".join(sorted(STATEFUL_TYPES)))}
if command -v sha256sum >/dev/null 2>&1; then sha256=sha256sum; else sha256="shasum -a 256"; fi
review_dir=""
UNREVIEWED=4  # --review's exit code when a stack could not be reviewed (review_end)
phase=run  # --execute checks every stack first (phase=check), then executes (phase=run)
if [ "$mode" != deploy ]; then
  review_dir="$work/review"  # inside deploy.sh's work folder, removed on exit
  mkdir "$review_dir"
  : >"$review_dir/reviewed"; : >"$review_dir/verdicts"; : >"$review_dir/refused"
  : >"$review_dir/waiting"; : >"$review_dir/changed"; : >"$review_dir/unreviewed"
fi
# The status of stack $2 in region $1, or NONE when it does not exist.
stack_status() {{
  local status error
  error="$(mktemp "$work/error.XXXXXX")"
  if status="$(aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
      --query 'Stacks[0].StackStatus' --output text 2>"$error")"; then
    rm -f "$error"; echo "$status"; return 0
  fi
  case "$(cat "$error")" in *"does not exist"*) rm -f "$error"; echo NONE; return 0 ;; esac
  cat "$error" >&2; rm -f "$error"; return 1
}}
# The outputs of stack $2 (outputs_of); under --review and --execute's first pass, "#missing"
# for a stack not deployed yet (none, only a change set, or a failed first create): what
# reads them waits a round.
stack_outputs() {{
  if [ "$mode" = review ] || [ "$phase" = check ]; then
    case "$(stack_status "$1" "$2")" in
      NONE|REVIEW_IN_PROGRESS|ROLLBACK_COMPLETE) echo "#missing"; return 0 ;;
    esac
  fi
  outputs_of "$1" "$2"
}}
# Stack $1 reads outputs $4... of stack $2, whose outputs are $3: true when they are all
# there. Otherwise (a stack not deployed yet, or one that gains the output when its change
# set is executed) under --review it is reviewed after $2 is executed (recorded for
# review_end); --execute's first pass skips it; --execute itself reads them (output stops
# on one missing).
outputs_ready() {{
  local stack="$1" upstream="$2" outputs="$3" key
  shift 3
  if [ "$mode" = execute ] && [ "$phase" = run ]; then return 0; fi
  if [ "$outputs" != "#missing" ]; then
    for key in "$@"; do
      if ! printf '%s\\n' "$outputs" | awk -F '\\t' -v key="$key" \\
          '$1 == key {{ found = 1 }} END {{ exit !found }}'; then
        outputs="#missing"; break
      fi
    done
    if [ "$outputs" != "#missing" ]; then return 0; fi
  fi
  if [ "$mode" = review ]; then
    echo "Stack $stack: reviewed after $upstream is executed (its parameters come from" \\
      "that stack's outputs)"
    printf '%s\\t%s\\n' "$stack" "$upstream" >>"$review_dir/waiting"
  fi
  return 1
}}
# The change set of one stack: stack_change_set REGION STACK FILE BUCKET CAPABILITIES TAGS
# STATEFUL_IDS [PARAMETER=VALUE...]. Its name is a hash of all of that and the file's bytes.
stack_change_set() {{
  local name
  # the bucket ($4) is where the template travels, not what is deployed; the file by its name
  name="blueprint-$( {{ printf '%s\\n' "$1" "$2" "${{3##*/}}" "${{@:5}}"; cat "$3"; }} \\
    | $sha256 | cut -c1-12)"
  if [ "$mode" = review ]; then review_stack "$name" "$@"; else execute_stack "$name" "$@"; fi
}}
# The changes of change set $1 of stack $3 in region $2 into file $4, one line each:
# action, logical ID, type, Replacement, scope, properties (tab-separated).
change_lines() {{
  aws cloudformation describe-change-set --region "$2" --stack-name "$3" \\
    --change-set-name "$1" --query {shlex.quote(_CHANGES)} --output text >"$4"
}}
# The lines of changes file $3 (stack $1, stateful logical IDs $2) that replace or remove a
# stateful resource not named in --allow-replace (as ID or stack/ID).
risky_changes() {{
  awk -F '\\t' -v stack="$1" -v ids=" $2 " -v types=" $stateful_types " \\
    -v allow="$allow_replace" '
    ($1 == "Remove" || ($1 == "Modify" && ($4 == "True" || $4 == "Conditional"))) &&
    (index(ids, " " $2 " ") || index(types, " " $3 " ")) &&
    !index(allow, "," $2 ",") && !index(allow, "," stack "/" $2 ",") {{
      printf "  %s/%s (%s): %s\\n", stack, $2, $3,
        ($1 == "Remove" ? "removed" : "replaced (Replacement " $4 ")")
    }}' "$3"
}}"""

# A JSON string of $1 (the quotes inside the expansions keep each pattern literal).
JSON = r"""json_string() {
  local s="$1" bs='\' q='"'
  s="${s//"$bs"/"$bs$bs"}"
  s="${s//"$q"/"$bs$q"}"
  s="${s//$'\n'/"${bs}n"}"
  s="${s//$'\r'/"${bs}r"}"
  s="${s//$'\t'/"${bs}t"}"
  printf '"%s"' "$s"
}"""

REVIEW = """\
# --review of one stack (stack_change_set's arguments after the change set's name $1): older
# review change sets deleted, this one made and waited for, its changes printed.
review_stack() {
  local name="$1" region="$2" stack="$3" file="$4" bucket="$5" caps="$6" tags="$7"
  local stateful="$8" old status type reason parameters="" extra=() key
  shift 8
  for old in $(aws cloudformation list-change-sets --region "$region" --stack-name "$stack" \\
      --query "Summaries[?starts_with(ChangeSetName, 'blueprint-')].ChangeSetName" \\
      --output text 2>/dev/null); do
    aws cloudformation delete-change-set --region "$region" --stack-name "$stack" \\
      --change-set-name "$old"
  done
  status="$(stack_status "$region" "$stack")"
  case "$status" in
    NONE|REVIEW_IN_PROGRESS) type=CREATE ;;
    ROLLBACK_COMPLETE|*_FAILED|*_IN_PROGRESS)
      echo "Stack $stack is in $status and cannot be reviewed: deploy.sh (without --review)" \\
        "recovers a failed first create; any other state needs a look first"
      printf '%s\\tis in %s\\n' "$stack" "$status" >>"$review_dir/unreviewed"
      return 0 ;;
    *) type=UPDATE ;;
  esac
  for key in "$@"; do
    parameters="$parameters${parameters:+,}{\\"ParameterKey\\":$(json_string "${key%%=*}"),"
    parameters="$parameters\\"ParameterValue\\":$(json_string "${key#*=}")}"
  done
  if [ -n "$parameters" ]; then extra+=(--parameters "[$parameters]"); fi
  if [ -n "$caps" ]; then extra+=(--capabilities $caps); fi
  if [ -n "$tags" ]; then extra+=(--tags "Key=${tags%%=*},Value=${tags#*=}"); fi
  if [ -n "$bucket" ]; then  # too big to send: through the bucket, as the deploy does
    aws s3 cp --region "$region" --only-show-errors "$file" "s3://$bucket/$name-${file##*/}"
    extra+=(--template-url \\
      "${AWS_ENDPOINT_URL_S3:-${AWS_ENDPOINT_URL:-https://s3.$region.amazonaws.com}}/$bucket/$name-${file##*/}")
  else
    extra+=(--template-body "file://$file")
  fi
  aws cloudformation create-change-set --region "$region" --stack-name "$stack" \\
    --change-set-name "$name" --change-set-type "$type" "${extra[@]}" >/dev/null
  while :; do
    status="$(aws cloudformation describe-change-set --region "$region" --stack-name "$stack" \\
      --change-set-name "$name" --query '[Status,StatusReason]' --output text)"
    case "$status" in CREATE_PENDING*|CREATE_IN_PROGRESS*) sleep 5 ;; *) break ;; esac
  done
  printf '%s\\n' "$stack" >>"$review_dir/reviewed"
  case "$status" in
    CREATE_COMPLETE*) ;;
    *"didn't contain changes"*|*"No updates are to be performed"*)
      echo "Stack $stack: no changes"; return 0 ;;
    *) reason="${status#*$'\\t'}"
      echo "Stack $stack: CloudFormation could not make change set $name: $reason" >&2
      exit 1 ;;
  esac
  echo "Stack $stack ($type, change set $name):"
  printf '%s\\n' "$stack" >>"$review_dir/changed"
  change_lines "$name" "$region" "$stack" "$review_dir/changes"
  awk -F '\\t' -v stack="$stack" -v verdicts="$review_dir/verdicts" '{
    why = $5 ($6 != "" ? ": " $6 : "")
    if (length(why) > 60) why = substr(why, 1, 57) "..."
    replacement = ($1 == "Modify" ? "Replacement " $4 : "")
    line = sprintf("  %-8s %-36s %-44s %-18s %s", $1, $2, $3, replacement, why)
    sub(/ +$/, "", line)
    print line
    verdict = tolower($1)
    if ($1 == "Add") verdict = "added"
    if ($1 == "Remove") verdict = "removed"
    if ($1 == "Modify") verdict = ($4 == "True" ? "replaced" : \\
      ($4 == "Conditional" ? "may_be_replaced" : "in_place"))
    printf "%s\\t%s\\t%s\\n", stack, $2, verdict >> verdicts
  }' "$review_dir/changes"
  risky_changes "$stack" "$stateful" "$review_dir/changes" >>"$review_dir/refused"
}
# The end of --review: blueprint's own prediction compared (blueprint $2 in folder $1, as
# the build was given it; BLUEPRINT_ROOT overrides the folder; environment $3 when it has
# environments), then the refusal, if any.
review_end() {
  predicted "$1" "$2" "${3:-}"
  if [ -s "$review_dir/refused" ]; then
    {
      echo "Refused: these stateful resources would be replaced or removed, losing what" \\
        "they hold:"
      cat "$review_dir/refused"
      echo "If that is intended, allow each by name: deploy.sh --review --allow-replace" \\
        "<LogicalId> (or <stack>/<LogicalId>), and the same --allow-replace with --execute."
    } >&2
    exit 1
  fi
  waiting
  echo "Reviewed. deploy.sh --execute executes exactly these change sets."
  exit 0
}
# The stacks --review could not review: those waiting on an upstream stack's change (one
# reviewed with changes, or waiting on one itself) are reviewed in the next round, after
# --execute; any other (a stack in a failed or in-progress state, or waiting on a stack
# that has no change to execute) ends the review with exit $UNREVIEWED.
waiting() {
  awk -F '\\t' -v unreviewed="$review_dir/unreviewed" '
    FILENAME == ARGV[1] { ready[$1] = 1; next }
    $2 in ready { ready[$1] = 1; if (!($2 in count)) order[n++] = $2
      count[$2]++; names[$2] = names[$2] ", " $1; next }
    { printf "%s\\twaits on %s, which has no reviewed change to execute\\n", $1, $2 >>unreviewed }
    END {
      for (i = 0; i < n; i++)
        printf "%d stack%s reviewed after %s is executed: %s\\n", count[order[i]],
          (count[order[i]] == 1 ? " is" : "s are"), order[i], substr(names[order[i]], 3)
    }' "$review_dir/changed" "$review_dir/waiting"
  if [ -s "$review_dir/unreviewed" ]; then
    {
      echo "Not reviewed: deploy.sh --execute would stop at these stacks:"
      awk -F '\\t' '{ printf "  %s %s\\n", $1, $2 }' "$review_dir/unreviewed"
    } >&2
    exit "$UNREVIEWED"
  fi
}
predicted() {
  local code=0 skipped="Comparison with blueprint's prediction skipped"
  if ! command -v blueprint >/dev/null 2>&1; then
    echo "$skipped: blueprint is not on PATH"; return 0
  fi
  blueprint diff "${BLUEPRINT_ROOT:-$1}/$2" --deployed --format tsv ${3:+--env "$3"} \\
    >"$review_dir/predicted" 2>"$review_dir/predict.err" || code=$?
  case "$code" in
    0|10|11|12) ;;
    *) echo "$skipped: blueprint diff --deployed ended with $code:" \\
        "$(head -n 1 "$review_dir/predict.err")"
      return 0 ;;
  esac
  awk -F '\\t' '
    FILENAME == ARGV[1] { reviewed[$1] = 1; next }
    FILENAME == ARGV[2] { cfn[$1 "/" $2] = $3; n++; next }
    ($1 in reviewed) && NF == 3 { blueprint[$1 "/" $2] = $3 }
    END {
      for (k in cfn) if (blueprint[k] != cfn[k])
        printf "  %s: CloudFormation says %s, blueprint predicted %s\\n", k, cfn[k],
          (k in blueprint ? blueprint[k] : "no change")
      for (k in blueprint) if (!(k in cfn))
        printf "  %s: CloudFormation says no change, blueprint predicted %s\\n", k, blueprint[k]
    }' "$review_dir/reviewed" "$review_dir/verdicts" "$review_dir/predicted" \\
    | sort >"$review_dir/disagree"
  if [ -s "$review_dir/disagree" ]; then
    echo "Where blueprint's prediction differs from CloudFormation's verdict:"
    cat "$review_dir/disagree"
  else
    echo "blueprint's prediction agrees on $(wc -l <"$review_dir/verdicts" | tr -d ' ') changes"
  fi
}"""

EXECUTE = """\
# --execute of one stack (stack_change_set's arguments after the change set's name $1): the
# change set of that name, checked again, executed and waited for, as a deploy would.
execute_stack() {
  local name="$1" region="$2" stack="$3" stateful="$8" status since wait
  status="$(aws cloudformation describe-change-set --region "$region" --stack-name "$stack" \\
    --change-set-name "$name" --query '[Status,ExecutionStatus,StatusReason]' --output text \\
    2>/dev/null)" || status=""
  case "$status" in
    FAILED*"didn't contain changes"*|FAILED*"No updates are to be performed"*)
      if [ "$phase" = run ]; then echo "Stack $stack: no changes; skipped" >&2; fi
      return 0 ;;
    CREATE_COMPLETE$'\\t'AVAILABLE$'\\t'*) ;;
    CREATE_COMPLETE$'\\t'EXECUTE_COMPLETE$'\\t'*)  # by an earlier --execute that stopped later
      if [ "$phase" = run ]; then
        echo "Stack $stack: change set $name was executed already; skipped" >&2
      fi
      return 0 ;;
    CREATE_COMPLETE$'\\t'EXECUTE_FAILED$'\\t'*)  # an earlier --execute ran it, and it failed
      echo "Stack $stack: change set $name was executed and failed. See why with: aws" \\
        "cloudformation describe-stack-events --stack-name $stack --region $region" \\
        "--max-items 20; then fix the cause, build, and run deploy.sh --review again" >&2
      exit 1 ;;
    *) echo "Stack $stack changed since it was reviewed (or was never reviewed): run" \\
        "deploy.sh --review" >&2
      exit 1 ;;
  esac
  change_lines "$name" "$region" "$stack" "$review_dir/changes"
  risky_changes "$stack" "$stateful" "$review_dir/changes" >"$review_dir/refused"
  if [ -s "$review_dir/refused" ]; then
    {
      echo "Refused: change set $name of stack $stack would replace or remove these" \\
        "stateful resources; nothing of it was executed:"
      cat "$review_dir/refused"
      echo "If that is intended, allow each by name: --allow-replace <LogicalId> (or" \\
        "<stack>/<LogicalId>)."
    } >&2
    exit 1
  fi
  # a stack left failed or in progress stops here, as a deploy does; REVIEW_IN_PROGRESS is
  # the stack this change set creates (prepare_stack would delete it)
  status="$(stack_status "$region" "$stack")"
  case "$status" in
    REVIEW_IN_PROGRESS) wait=stack-create-complete ;;
    *_FAILED|*_IN_PROGRESS|ROLLBACK_COMPLETE) stack_stuck "$region" "$stack" "$status" ;;
    *) wait=stack-update-complete ;;
  esac
  if [ "$phase" = check ]; then return 0; fi  # reviewed and allowed: executed in order
  echo "Executing change set $name of stack $stack" >&2
  since="$(date -u '+%Y-%m-%dT%H:%M:%S')"
  aws cloudformation execute-change-set --region "$region" --stack-name "$stack" \\
    --change-set-name "$name"
  aws cloudformation wait "$wait" --region "$region" --stack-name "$stack" \\
    || stack_failed "$region" "$stack" "$since"
}"""


def stateful_ids(template: dict[str, Any]) -> list[str]:
    """The logical IDs of a stack's resources whose replacement or removal --review
    refuses: a stateful type, or a deletion policy that keeps the resource."""
    return sorted(
        logical_id
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") in STATEFUL_TYPES or resource.get("DeletionPolicy") in KEPT
    )


def stack_lines(
    args: Sequence[str],
    sources: Sequence[tuple[str, str, Sequence[str]]],
    reads: Sequence[str],
) -> list[str]:
    """The lines that review or execute one stack: ``args`` (already quoted) are
    stack_change_set's; ``sources`` the (stack, outputs variable, outputs) it reads
    parameters from, all quoted but the variable; ``reads`` the lines that read them, the
    same as the deploy's."""
    call = "stack_change_set " + " \\\n  ".join(args)
    if not sources:
        return [*reads, call]
    ready = " && ".join(
        f'outputs_ready {args[1]} {stack} "${var}" {" ".join(keys)}' for stack, var, keys in sources
    )
    return [f"if {ready}; then", *reads, call, "fi"]


def end_lines(source: str, environment: str | None = None) -> list[str]:
    """After the last stack: the end of --review (its comparison, of ``environment`` when
    the blueprint has environments, and its refusal)."""
    folder, _, name = source.rpartition("/")
    env = f" {oneline(environment)}" if environment else ""
    return [
        'if [ "$mode" = review ]; then',
        f"  review_end {oneline(folder or '.')} {oneline(name)}{env}",
        "fi",
    ]
