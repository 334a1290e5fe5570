"""deploy.sh's delegation check, right after the zones stack: each zone it created has its
name servers printed, and public DNS is asked whether the zone's domain is delegated to
exactly them.

Why the deploy stops there: a DNS-validated certificate is issued only once ACM finds its
validation record through public DNS, and until then the stack that holds it stays in
``CREATE_IN_PROGRESS`` ("Further stack operations will be delayed until you validate the
certificate request",
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-certificatemanager-certificate.html).
Public DNS reaches a new zone only when the registrar (or the parent zone) names its four
name servers ("update your registrar's or your DNS service's NS records for the domain ...
with the names of the four Route 53 name servers in the delegation set",
https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/GetInfoAboutHostedZone.html).

Which zones stop the deploy: those a certificate of this blueprint validates in. A zone that
only holds records (aliases, a service's public name) deploys and works in Route 53 without
the delegation; its names just do not resolve on the internet yet. Stopping on it would
make the user set the registrar before anything else can deploy, for no stack's sake: its
name servers are printed with that warning, and the deploy goes on.

The shell functions take every value as an argument, quoted with :func:`shlex.quote` (the
quoting deploy.py's ``_q`` is), so nothing a blueprint says becomes code.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

#: Set to 1, deploy.sh prints the name servers but asks no DNS (no dig, host or nslookup
#: on the machine, or a resolver that cannot see the delegation).
SKIP_VARIABLE = "BLUEPRINT_SKIP_DELEGATION_CHECK"


@dataclass(frozen=True)
class Delegation:
    """A zone the zones stack creates, as deploy.sh checks it after that stack."""

    #: the entry under ``zones:``
    zone: str
    domain: str
    stack: str
    region: str
    #: the output of ``stack`` listing the zone's name servers, comma-separated
    output: str
    #: the certificates of the blueprint validated in the zone: with any, a zone not
    #: delegated stops the deploy
    certificates: tuple[str, ...] = ()


HELPERS = f"""\
# The name servers public DNS gives for domain $1, one a line, in lower case without the
# trailing dot, sorted: from dig, else host, else nslookup; status 3 when none is installed.
# A failed lookup gives no names.
public_name_servers() {{
  local answer
  if command -v dig >/dev/null 2>&1; then
    answer="$(dig +short NS "$1" 2>&1)" || true
  elif command -v host >/dev/null 2>&1; then
    answer="$(host -t NS "$1" 2>&1 | awk '/ name server / {{ print $NF }}')" || true
  elif command -v nslookup >/dev/null 2>&1; then
    answer="$(nslookup -type=NS "$1" 2>&1 | awk -F '= *' '/nameserver *=/ {{ print $2 }}')" \\
      || true
  else
    return 3
  fi
  printf '%s\\n' "$answer" | tr '[:upper:]' '[:lower:]' | sed -e 's/\\.$//' \\
    | grep -E '^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$' | LC_ALL=C sort -u || true
}}
# How to run deploy.sh again after a stop (then $1 after --execute, $2 otherwise): after
# --execute, a new review first.
run_again() {{
  if [ "$mode" = execute ]; then echo "deploy.sh --review, then deploy.sh --execute$1"
  else echo "deploy.sh$2"; fi
}}
# The lines of $1 on one line, separated by spaces.
on_one_line() {{
  printf '%s\\n' "$1" | paste -s -d ' ' -
}}
# Zone $5 (domain $4), made by stack $2 in region $1, lists its name servers in output $3:
# print them, then ask public DNS whether $4 is delegated to exactly them. $6: the
# certificates validated in the zone ("certificate x"); with any, a zone not delegated sets
# undelegated=1.
check_delegation() {{
  local expected answer missing extra found=0
  expected="$(aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
      --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text \\
    | awk -F '\\t' -v key="$3" '$1 == key {{ print $2 }}' | tr ',' '\\n' \\
    | tr '[:upper:]' '[:lower:]' | sed -e 's/\\.$//' | grep -v '^$' | LC_ALL=C sort -u)" || true
  if [ -z "$expected" ]; then
    echo "stack $2 has no output $3 (the name servers of zone $5): deploy.sh stops here" >&2
    exit 1
  fi
  echo "Zone $5 ($4) has these name servers:" >&2
  printf '%s\\n' "$expected" | sed -e 's/^/  /' >&2
  if [ "${{{SKIP_VARIABLE}:-}}" = 1 ]; then
    echo "Delegation of $4 not checked ({SKIP_VARIABLE}=1)." >&2
    return 0
  fi
  answer="$(public_name_servers "$4")" || found=$?
  if [ "$found" = 3 ]; then
    echo "deploy.sh checks that $4 is delegated to them with dig, host or nslookup, and" \\
      "none is installed: install dig (Debian, Ubuntu: apt-get install dnsutils; Amazon" \\
      "Linux, Fedora: dnf install bind-utils), or once $4 is delegated to them, run" \\
      "$(run_again , '') with {SKIP_VARIABLE}=1." >&2
    if [ -n "$6" ]; then undelegated=1; else echo "The deploy goes on." >&2; fi
    return 0
  fi
  if [ "$answer" = "$expected" ]; then
    echo "$4 is delegated to them." >&2
    return 0
  elif [ -z "$answer" ]; then
    echo "$4 is not delegated to them: public DNS gives no name servers for it." >&2
  else
    missing="$(LC_ALL=C comm -23 <(printf '%s\\n' "$expected") <(printf '%s\\n' "$answer"))"
    extra="$(LC_ALL=C comm -13 <(printf '%s\\n' "$expected") <(printf '%s\\n' "$answer"))"
    if [ "$missing" = "$expected" ]; then
      echo "$4 is not delegated to them: public DNS names others: $(on_one_line "$extra")" >&2
    elif [ -z "$missing" ]; then
      echo "$4 is delegated to all of them, and to others too, not this zone's:" \\
        "$(on_one_line "$extra")" >&2
    else
      echo "$4 is delegated to only some of them:" >&2
      if [ -n "$missing" ]; then echo "  missing: $(on_one_line "$missing")" >&2; fi
      if [ -n "$extra" ]; then
        echo "  named too, not this zone's: $(on_one_line "$extra")" >&2
      fi
    fi
  fi
  if [ -z "$6" ]; then
    echo "Nothing in this blueprint validates in zone $5, so the deploy goes on; its" \\
      "records resolve on the internet once you set these name servers at your registrar" \\
      "(or in the parent zone) for $4." >&2
    return 0
  fi
  echo "ACM issues $6 only once $4 is delegated to them, and the stacks after $2" \\
    "wait on that." >&2
  echo "Next: set these name servers at your registrar (or in the parent zone) for $4," \\
    "then run $(run_again '' ' again')." >&2
  undelegated=1
}}"""


def delegation_lines(stack: str, zones: Sequence[Delegation], code: int = 1) -> list[str]:
    """The lines deploy.sh runs right after deploying ``stack``: the check of each zone of
    ``zones`` that stack creates (none for any other stack); if one a certificate
    validates in is not delegated, the deploy stops there with ``code``."""
    mine = [zone for zone in zones if zone.stack == stack]
    if not mine:
        return []
    lines = [
        "# The zones' name servers, and whether each domain is delegated to them: the",
        "# certificates validated in a zone wait on that (check_delegation: HELPERS).",
        "undelegated=0",
    ]
    for zone in mine:
        args = (zone.region, zone.stack, zone.output, zone.domain, zone.zone)
        lines.append(f"check_delegation {' '.join(map(shlex.quote, args))} {_named(zone)}")
    where = f"deploy.sh stops here: nothing after stack {stack} was deployed."
    lines += [
        'if [ "$undelegated" = 1 ]; then',
        f"  echo {shlex.quote(where)} >&2",
        f"  exit {code}",
        "fi",
    ]
    return lines


def _named(zone: Delegation) -> str:
    """The certificates validated in ``zone`` as deploy.sh names them (empty: none)."""
    if not zone.certificates:
        return "''"
    kind = "certificate" if len(zone.certificates) == 1 else "certificates"
    return shlex.quote(f"{kind} {', '.join(zone.certificates)}")


# A zone an earlier build deployed in the main stack stays there (docs/stacks.md, "A zone
# deployed before the zones stack existed stays in the main stack"), decided from the last
# build in the output folder. A build without it (a fresh clone, another --out) puts the
# zone in the zones stack: deploying that would create a second zone with other name
# servers. DescribeStackResource answers whether the main stack holds that logical ID
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResource.html).
HELD = """\
# Before zones stack $2 (region $1) is first created: stop, before any change, when the
# main stack $3 holds one of the zones $4... (deployed there by a build from before the
# zones stack; this build, made without that last build, would create it again).
zones_held() {
  local region="$1" zones="$2" main="$3" id error
  shift 3
  case "$(stack_status "$region" "$zones")" in
    NONE|REVIEW_IN_PROGRESS|ROLLBACK_COMPLETE) ;;
    *) return 0 ;;
  esac
  for id in "$@"; do
    error="$(mktemp "$work/error.XXXXXX")"
    if aws cloudformation describe-stack-resource --region "$region" --stack-name "$main" \\
        --logical-resource-id "$id" >/dev/null 2>"$error"; then
      rm -f "$error"
      {
        echo "Zone $id is in stack $main, deployed by a build from before stack $zones;" \\
          "this build would create it again in $zones (a new zone, with other name servers" \\
          "than those the domain is delegated to). deploy.sh changed nothing and stops here."
        echo "Next: build again with the last build in the output folder (blueprint build" \\
          "--out <the folder of the build that deployed $main>, or that folder restored" \\
          "from version control), which keeps the zone in $main; then run deploy.sh again."
      } >&2
      exit 1
    fi
    case "$(cat "$error")" in
      *"does not exist"*) rm -f "$error" ;;  # not there, or no main stack yet
      *) cat "$error" >&2; rm -f "$error"; exit 1 ;;
    esac
  done
}"""


def held_lines(region: str, zones_stack: str, main: str, zones: Sequence[str]) -> list[str]:
    """The line that stops deploy.sh before any change when ``main`` holds one of the
    hosted zones (logical IDs) ``zones_stack`` would create (HELD)."""
    args = " ".join(shlex.quote(value) for value in (region, zones_stack, main, *zones))
    return [f"zones_held {args}"]
