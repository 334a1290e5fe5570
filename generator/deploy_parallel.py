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

# Bash 3.2 (macOS) runs it: no `wait -n`; a finished stack reports on a FIFO instead.
SCHEDULER = (
    f"STOPPED={STOPPED}\n"
    + """\
# Run stack $1's deploy (deploy_stack_$1) with errexit, each line it prints prefixed
# "[<stack>] "; then report "<index> <exit code>" on the FIFO (descriptor 3).
start_stack() {
  set +e
  # line by line as they come (awk may wait for a whole block of input before the first)
  ( set -e; "deploy_stack_$1" ) 2>&1 |
    while IFS= read -r line || [ -n "$line" ]; do
      printf '[%s] %s\\n' "${stack_names[$1]}" "$line"
    done >&2
  echo "$1 ${PIPESTATUS[0]}" >&3
}
# Deploy every stack: each starts once the stacks it needs are deployed, the first ready
# in the order above, at most $parallel at once. After a failure none starts; those
# running finish (never stopped mid-deploy). Stops naming each failed stack, and each
# deployed stack whose check stopped the deploy.
deploy_stacks() {
  local count=${#stack_names[@]} running=0 failed="" stopped="" skipped="" i j ready index code
  local -a state=()
  mkfifo "$work/finished"
  exec 3<>"$work/finished"
  while :; do
    for ((i = 0; i < count && running < parallel && ${#failed} + ${#stopped} == 0; i++)); do
      [ -z "${state[i]:-}" ] || continue
      ready=1
      for j in ${stack_needs[i]}; do [ "${state[j]:-}" = done ] || ready=0; done
      [ "$ready" = 1 ] || continue
      state[i]=running
      running=$((running + 1))
      start_stack "$i" &
    done
    [ "$running" -gt 0 ] || break
    read -r index code <&3
    running=$((running - 1))
    case "$code" in
      0) state[index]=done ;;
      # deployed, then a check after it stopped the deploy (a zone not delegated)
      "$STOPPED") state[index]=stopped; stopped="$stopped ${stack_names[index]}" ;;
      *) state[index]=failed; failed="$failed ${stack_names[index]}" ;;
    esac
  done
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
    """The lines naming the stacks in order and what each waits for (deploy_stacks reads
    them)."""
    wanted = needs(stacks)
    return [
        "# The stacks in order, and the positions of those each waits for: the stacks whose",
        "# outputs it reads, and the stacks shared by the account's blueprints before it.",
        "stack_names=(" + " ".join(quote(p.stack) for p in stacks) + ")",
        "stack_needs=(" + " ".join(quote(" ".join(map(str, w))) for w in wanted) + ")",
    ]
