"""deploy.sh's arguments and its scheduler: which stacks each stack waits for, and the shell
that starts every stack as soon as those are deployed, at most ``BLUEPRINT_PARALLEL`` at once,
each one's output prefixed with its name. Values from the blueprint reach the script only
through deploy.py's quoting helper (passed in as ``quote``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from .errors import InternalError

#: How many stacks deploy at once unless BLUEPRINT_PARALLEL or --parallel says otherwise.
DEFAULT_PARALLEL = 4
#: Seconds between two reads of a deploying stack's events (BLUEPRINT_POLL).
DEFAULT_POLL = 5


class _Stack(Protocol):
    @property
    def stack(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def shared(self) -> bool: ...
    @property
    def sources(self) -> Mapping[str, tuple[str, str, str]]: ...


# One block, one case per option: --parallel here, --review, --execute and --allow-replace
# for deploy_review.
ARGUMENTS = f"""\
usage="usage: deploy.sh [--parallel N] [--review | --execute] [--allow-replace ID[,ID...]]..."
mode=deploy
allow_replace=,
parallel="${{BLUEPRINT_PARALLEL:-{DEFAULT_PARALLEL}}}"
while [ $# -gt 0 ]; do
  case "$1" in
    --parallel)
      if [ $# -lt 2 ]; then echo "$usage" >&2; exit 2; fi
      parallel="$2"
      shift ;;
    --review) mode=review ;;
    --execute) mode=execute ;;
    --allow-replace)
      if [ $# -lt 2 ]; then echo "--allow-replace needs logical IDs: ID[,ID...]" >&2; exit 2; fi
      allow_replace="$allow_replace$2,"
      shift ;;
    --allow-replace=*) allow_replace="$allow_replace${{1#*=}}," ;;
    *)
      echo "deploy.sh: unknown argument: $1" >&2
      echo "$usage" >&2
      exit 2 ;;
  esac
  shift
done
if [ "$mode" = deploy ] && [ "$allow_replace" != , ]; then
  echo "--allow-replace goes with --review or --execute" >&2
  exit 2
fi
case "$parallel" in
  ""|0*|*[!0-9]*)
    echo "deploy.sh: --parallel (or BLUEPRINT_PARALLEL) must be a whole number from 1," \\
      "not '$parallel'" >&2
    exit 2 ;;
esac
poll="${{BLUEPRINT_POLL:-{DEFAULT_POLL}}}"
case "$poll" in
  ""|*[!0-9.]*|*.*.*|.)
    echo "deploy.sh: BLUEPRINT_POLL must be a number of seconds, not '$poll'" >&2
    exit 2 ;;
esac
# Everything deploy.sh writes goes into this folder, removed on exit.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM"""

#: The exit code of a stack's function that deployed it, then stopped the deploy on purpose
#: (deploy_delegation: a zone not delegated): not a failed deploy.
STOPPED = 3

#: Seconds between two looks of the scheduler at whether each running stack's process is
#: still there (a whole number: macOS's bash 3.2 and sleep).
LOOK_EVERY = 1
#: Seconds a stopped stack's processes get to end on SIGTERM before SIGKILL (the CLI and
#: the shell's own processes end at once on SIGTERM: the bound is for one that does not).
GRACE = 1

# Bash 3.2 (macOS) runs it: no `wait -n`; a finished stack reports on a FIFO instead. Each
# stack's wrapper (start_stack) starts with job control on, so it leads a process group of
# its own that holds everything its deploy runs (the CLI, the events watcher): one kill of
# that group ends them all, even after the wrapper itself was killed, and a Ctrl-C at the
# terminal reaches deploy.sh alone, which then stops them (stop_stacks).
SCHEDULER = (
    f"STOPPED={STOPPED}\nLOOK_EVERY={LOOK_EVERY}\nGRACE={GRACE}\n"
    + """\
# Run stack $1's deploy (deploy_stack_$1) with errexit, each line it prints prefixed
# "[<stack>] "; then report "<index> <exit code>" on the FIFO (descriptor 3).
start_stack() {
  # without job control here: all it starts stays in its group (the one it leads)
  set +e +m
  # a process group apart from the terminal's: reading it or (under `stty tostop`) writing
  # to it would stop the deploy instead of failing or printing
  trap '' TTIN TTOU
  # line by line as they come (awk may wait for a whole block of input before the first)
  ( set -e; "deploy_stack_$1" ) 2>&1 |
    while IFS= read -r line || [ -n "$line" ]; do
      printf '[%s] %s\\n' "${stack_names[$1]}" "$line"
    done >&2
  echo "$1 ${PIPESTATUS[0]}" >&3
}
# End process group $1 (a stack's wrapper and all it started): SIGTERM, GRACE seconds to
# go, then SIGKILL.
end_group() {
  local tenths=0
  kill -TERM -- "-$1" 2>/dev/null || return 0
  wait "$1" 2>/dev/null || true
  while kill -0 -- "-$1" 2>/dev/null && [ "$tenths" -lt $((GRACE * 10)) ]; do
    sleep 0.1
    tenths=$((tenths + 1))
  done
  kill -KILL -- "-$1" 2>/dev/null || true
}
# Stack $1 reported exit code $2 (or "killed": its wrapper ended without a report). The
# variables here and in the functions below are deploy_stacks' own.
stack_ended() {
  running=$((running - 1))
  case "$2" in
    0) state[$1]=done ;;
    # deployed, then a check after it stopped the deploy (a zone not delegated)
    "$STOPPED") state[$1]=stopped; stopped="$stopped ${stack_names[$1]}" ;;
    *) state[$1]=failed; failed="$failed ${stack_names[$1]}" ;;
  esac
}
# $ended: the running stacks whose wrapper has ended, each index after a space. A wrapper
# reports before it ends, so each one's report is on the FIFO before the "check" line
# written after this look.
ended_wrappers() {
  local i
  ended=""
  for ((i = 0; i < count; i++)); do
    if [ "${state[i]:-}" = running ] && ! kill -0 "${pids[i]}" 2>/dev/null; then
      ended="$ended $i"
    fi
  done
}
# Stacks $@ ended before the "check" line just read, and still no report: killed without
# one. Each failed; what its wrapper started is ended.
unreported() {
  local i
  for i in "$@"; do
    [ "${state[i]}" = running ] || continue
    echo "deploy.sh: the deploy of ${stack_names[i]} ended without a result (its process" \\
      "was killed)" >&2
    end_group "${pids[i]}"
    stack_ended "$i" killed
  done
}
# Ctrl-C, SIGTERM or a hang-up while stacks deploy ($1: the exit code, 130, 143 or 129): no
# stack starts,
# what deploy.sh runs for each stack is ended, and it says which stacks CloudFormation may
# still be deploying and how to look at or stop them; the EXIT trap removes the work folder.
# CloudFormation carries on with a change it has begun whatever happens to the CLI; only
# an update can be cancelled (rolled back), and only while UPDATE_IN_PROGRESS
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn--stack-update-cancel.html).
stop_stacks() {
  local i was="" skipped=""
  # a second Ctrl-C does not cut the stopping short, nor a reader of its output gone (| tee)
  trap '' INT TERM HUP PIPE
  for ((i = 0; i < count; i++)); do
    case "${state[i]:-}" in
      running)
        # a Ctrl-C just as it started may come before its process ID is known
        [ -n "${pids[i]:-}" ] || continue
        was="$was $i"
        kill -TERM -- "-${pids[i]}" 2>/dev/null || true ;;
      "") skipped="$skipped ${stack_names[i]}" ;;
    esac
  done
  kill "$ticker" 2>/dev/null || true
  for i in $was; do end_group "${pids[i]}"; done
  echo "deploy.sh interrupted: it starts no more stacks, and stopped the deploys it was" \\
    "running." >&2
  if [ -n "$was" ]; then
    echo "CloudFormation carries on with what it had begun of these stacks; look at each" \\
      "with describe-stacks, and stop an update (rolled back) with cancel-update-stack:" >&2
    for i in $was; do
      echo "  aws cloudformation describe-stacks --stack-name ${stack_names[i]}" \\
        "--region ${stack_regions[i]} --query 'Stacks[0].StackStatus'" >&2
      echo "  aws cloudformation cancel-update-stack --stack-name ${stack_names[i]}" \\
        "--region ${stack_regions[i]}" >&2
    done
  fi
  if [ -n "$skipped" ]; then echo "Not started:$skipped" >&2; fi
  exit "$1"
}
# Deploy every stack: each starts once the stacks it needs are deployed, the first ready
# in the order above, at most $parallel at once. After a failure none starts; those
# running finish (never stopped mid-deploy). Stops naming each failed stack, and each
# deployed stack whose check stopped the deploy.
deploy_stacks() {
  local count=${#stack_names[@]} running=0 failed="" stopped="" skipped="" i j ready index code
  local ended checked="" ticker
  local -a state=() pids=()
  mkfifo "$work/finished"
  exec 3<>"$work/finished"
  # A "tick" on the FIFO every LOOK_EVERY seconds wakes the scheduler to look for stacks
  # whose process is gone (a timed read could end inside a report and lose part of it).
  # It ends with deploy.sh, and on SIGTERM at once, its sleep with it.
  (
    nap=""
    trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
    while kill -0 "$$" 2>/dev/null; do
      sleep "$LOOK_EVERY" &
      nap=$!
      wait "$nap" || true
      echo tick >&3
    done
  ) &
  ticker=$!
  trap 'stop_stacks 130' INT
  trap 'stop_stacks 143' TERM
  # the terminal closed: its hang-up reaches deploy.sh alone, which stops the stacks too
  trap 'stop_stacks 129' HUP
  while :; do
    for ((i = 0; i < count && running < parallel && ${#failed} + ${#stopped} == 0; i++)); do
      [ -z "${state[i]:-}" ] || continue
      ready=1
      for j in ${stack_needs[i]}; do [ "${state[j]:-}" = done ] || ready=0; done
      [ "$ready" = 1 ] || continue
      state[i]=running
      running=$((running + 1))
      set -m  # a process group of its own (see above)
      start_stack "$i" &
      pids[i]=$!
      set +m
    done
    [ "$running" -gt 0 ] || break
    read -r index code <&3
    case "$index" in
      tick)
        if [ -z "$checked" ]; then
          ended_wrappers
          # every report written before this look comes before this line
          if [ -n "$ended" ]; then checked="$ended"; echo check >&3; fi
        fi ;;
      check) unreported $checked; checked="" ;;
      *) stack_ended "$index" "$code" ;;
    esac
  done
  kill "$ticker" 2>/dev/null || true
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap - HUP
  exec 3>&-
  for ((i = 0; i < count; i++)); do
    [ -n "${state[i]:-}" ] || skipped="$skipped ${stack_names[i]}"
  done
  if [ -n "$failed$stopped" ]; then
    if [ -n "$failed" ]; then
      echo "deploy.sh failed: these stacks failed to deploy:$failed" >&2
    fi
    if [ -n "$stopped" ]; then echo "deploy.sh stopped after deploying:$stopped" >&2; fi
    if [ -n "$skipped" ]; then echo "Not started:$skipped" >&2; fi
    exit 1
  fi
}"""
)


def needs(stacks: Sequence[_Stack]) -> list[list[int]]:
    """For each stack, the positions of the stacks it waits for: those whose outputs it
    reads, and every stack shared by the account's blueprints placed before it (what it
    sets up, such as API Gateway's logging role, is read by no output)."""
    where = {(p.stack, p.region): i for i, p in enumerate(stacks)}
    found = []
    for i, plan in enumerate(stacks):
        wanted = {j for j in range(i) if stacks[j].shared}
        for stack, region, _output in plan.sources.values():
            if (stack, region) not in where:
                raise InternalError(f"stack {plan.stack} reads stack {stack}, which is not built")
            wanted.add(where[stack, region])
        if i in wanted:
            raise InternalError(f"stack {plan.stack} reads its own outputs")
        found.append(sorted(wanted))
    return found


def stack_function(position: int, body: list[str]) -> list[str]:
    """The function that deploys the stack at ``position`` (start_stack runs it by that
    name) with the lines ``body``, whose continuation lines are indented already: a line
    break inside a quoted value must stay as it is."""
    return [f"deploy_stack_{position}() {{", *["  " + line for line in body], "}"]


def table(stacks: Sequence[_Stack], quote: Callable[[str], str]) -> list[str]:
    """The lines naming the stacks in order, their regions, and what each waits for
    (deploy_stacks reads them)."""
    wanted = needs(stacks)
    return [
        "# The stacks in order, and the positions of those each waits for: the stacks whose",
        "# outputs it reads, and the stacks shared by the account's blueprints before it.",
        "stack_names=(" + " ".join(quote(p.stack) for p in stacks) + ")",
        "stack_regions=(" + " ".join(quote(p.region) for p in stacks) + ")",
        "stack_needs=(" + " ".join(quote(" ".join(map(str, w))) for w in wanted) + ")",
    ]
