"""deploy.sh's delegation check after the zones stack, against stand-ins for the AWS CLI
and for dig, host and nslookup: the only DNS tools on the PATH are the test's own, whatever
the machine has installed (a real one would ask the internet).

blueprint.yaml's own deploy.sh runs twice against tests/test_deploy.py's stand-in CLI (the
domain delegated, then not); every other case runs a two-stack script against a shell
stand-in, which starts in a millisecond where the Python one takes a tenth of a second."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import deploy
from generator.deploy_delegation import Delegation
from generator.pipeline import Build, check, render

from .conftest import ROOT, run_with_stand_in
from .test_deploy import FAKE_AWS, NASTY

DNS_TOOLS = ("dig", "host", "nslookup")
# What deploy.sh and the stand-ins run besides aws and the DNS tools.
PROGRAMS = ("bash", "sh", "dirname", "mktemp", "cat", "rm", "date", "awk", "sed", "tr", "grep")
PROGRAMS += ("sort", "comm", "paste", "mkfifo", "sleep", "mkdir", "cut", "head", "sha256sum")
# What both stand-in CLIs give as a zone's name servers, sorted and in lower case.
ZONE_NS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"]
# The same in another order and case, as public DNS may give them.
ANSWER = "NS-4.AWSDNS-04.NET ns-2.awsdns-02.co.uk ns-1.awsdns-01.org ns-3.awsdns-03.com"

# The stand-ins print FAKE_NS (names separated by spaces) as each tool does, and log
# their arguments. dig +short: one name a line, with the trailing dot.
STAND_INS = {
    "dig": 'for ns in $FAKE_NS; do echo "$ns."; done',
    "host": 'for ns in $FAKE_NS; do echo "$3 name server $ns."; done',
    "nslookup": (
        "echo 'Server:\t\t127.0.0.53'; echo 'Address:\t127.0.0.53#53'; echo; "
        "echo 'Non-authoritative answer:'; "
        'for ns in $FAKE_NS; do printf "%s\\tnameserver = %s.\\n" "$2" "$ns"; done'
    ),
}

# A stand-in CLI for the two-stack scripts: every stack exists, deploys do nothing, and
# the zones stack's output lists the four name servers.
SHELL_AWS = """#!/bin/sh
echo "$*" >> "$FAKE_AWS_STATE/calls"
case "$*" in
  *Stacks*StackStatus*) echo CREATE_COMPLETE ;;
  *Stacks*Outputs*) printf 'ZoneNameServers\\tns-3.awsdns-03.com,NS-1.awsdns-01.org.,%s\\n' \
    'ns-4.awsdns-04.net,ns-2.awsdns-02.co.uk' ;;
esac
"""


def _tools(tmp_path: Path, *dns: str) -> str:
    """A PATH: ``tmp_path/bin`` (where the stand-in CLI goes), a folder with the stand-ins
    ``dns`` (each logs its arguments to ``$FAKE_AWS_STATE/dns.log``), then the machine's
    programs without any DNS tool."""
    machine = tmp_path / "machine"
    machine.mkdir()
    for program in PROGRAMS:
        found = shutil.which(program, path="/usr/bin:/bin")
        assert found is not None, program
        (machine / program).symlink_to(found)
    stand_ins = tmp_path / "dns"
    stand_ins.mkdir()
    for tool in dns:
        path = stand_ins / tool
        log = f'echo "{tool} $*" >> "$FAKE_AWS_STATE/dns.log"'
        path.write_text(f"#!/bin/sh\n{log}\n{STAND_INS[tool]}\n")
        path.chmod(0o755)
    path = f"{tmp_path / 'bin'}:{stand_ins}:{machine}"
    assert [shutil.which(tool, path=path) for tool in DNS_TOOLS] == [
        str(stand_ins / tool) if tool in dns else None for tool in DNS_TOOLS
    ]
    return path


# --- blueprint.yaml's deploy.sh ------------------------------------------------------------


@functools.cache
def _linebot() -> Build:
    return render(check(ROOT / "blueprint.yaml", "blueprint.yaml"))


def _deploy_linebot(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list]:
    """blueprint.yaml's deploy.sh run with dig the only DNS tool: the run, and the stacks
    it deployed in order."""
    out = tmp_path / "out"
    out.mkdir()
    for name, data in _linebot().files.items():
        (out / name).write_bytes(data)
    path = _tools(tmp_path, "dig")
    done, calls = run_with_stand_in(out / "deploy.sh", FAKE_AWS, tmp_path, PATH=path, **env)
    return done, [c[c.index("--stack-name") + 1] for c in calls if c[1] == "deploy"]


PRINTED = "Zone main (example.com) has these name servers:\n" + "".join(
    f"  {ns}\n" for ns in ZONE_NS
)


def _in(stack: str, text: str) -> str:
    """``text`` as deploy.sh prints it from inside ``stack``'s deploy: each line prefixed."""
    return "".join(f"[{stack}] {line}\n" for line in text.splitlines())


def test_blueprint_yaml_deploys_on_once_its_domain_is_delegated(tmp_path: Path) -> None:
    """The answer matches whatever its order, case and trailing dots."""
    done, deployed = _deploy_linebot(tmp_path, FAKE_NS=ANSWER)
    assert done.returncode == 0, done.stderr
    assert deployed == ["linebot-zones", "linebot", "linebot-service-bot"]
    assert _in("linebot-zones", PRINTED + "example.com is delegated to them.\n") in done.stderr
    assert (tmp_path / "state" / "dns.log").read_text() == "dig +short NS example.com\n"


def test_blueprint_yaml_stops_after_the_zones_stack_until_delegated(tmp_path: Path) -> None:
    done, deployed = _deploy_linebot(tmp_path, FAKE_NS="")
    assert done.returncode == 1
    assert deployed == ["linebot-zones"]
    stopped = (
        PRINTED + "example.com is not delegated to them: public DNS gives no name servers for it.\n"
        "ACM issues certificate bot only once example.com is delegated to them, and the "
        "stacks after linebot-zones wait on that.\n"
        "Next: set these name servers at your registrar (or in the parent zone) for "
        "example.com, then run deploy.sh again.\n"
        "deploy.sh stops here: nothing after stack linebot-zones was deployed.\n"
    )
    assert done.stderr.endswith(
        _in("linebot-zones", stopped) + "deploy.sh stopped after deploying: linebot-zones\n"
        "Not started: linebot linebot-service-bot\n"
    )


# --- every case, on two stacks -------------------------------------------------------------

ZONE = Delegation(
    "main", "example.com", "app-zones", "eu-west-1", "ZoneNameServers", ("web", "api")
)


def _run(
    tmp_path: Path, zone: Delegation, *dns: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """deploy.sh of two stacks, ``zone.stack`` (creating ``zone``) then ``main``, run with
    ``dns`` the only DNS tools: the run, and the stacks it deployed in order."""
    reads = {"ZoneNameServers": (zone.stack, zone.region, "ZoneNameServers")}
    plans = [
        deploy.Planned(zone.stack, zone.region, "zones.json", 10, {}),
        deploy.Planned("main", zone.region, "main.json", 10, {}, reads),
    ]
    out = tmp_path / "out"
    out.mkdir()
    script = out / "deploy.sh"
    script.write_text(deploy.script(plans, "blueprint.yaml", zones=[zone]))
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    path = _tools(tmp_path, *dns)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "aws").write_text(SHELL_AWS)
    (tmp_path / "bin" / "aws").chmod(0o755)
    (tmp_path / "state").mkdir()
    done = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": path, "FAKE_AWS_STATE": str(tmp_path / "state"), **env},
    )
    calls = (tmp_path / "state" / "calls").read_text().splitlines()
    deploys = [c for c in calls if c.startswith("cloudformation deploy ") and "--stack-name " in c]
    return done, [c.split("--stack-name ")[1].split(" ")[0] for c in deploys]


TWO = "Zone main (example.com) has these name servers:\n" + "".join(f"  {ns}\n" for ns in ZONE_NS)
STOP = (
    "ACM issues certificates web, api only once example.com is delegated to them, and the "
    "stacks after app-zones wait on that.\n"
    "Next: set these name servers at your registrar (or in the parent zone) for example.com, "
    "then run deploy.sh again.\n"
    "deploy.sh stops here: nothing after stack app-zones was deployed.\n"
)
# What the scheduler says last when the zones stack's check stopped the deploy.
STOPPED = "deploy.sh stopped after deploying: app-zones\nNot started: main\n"


@pytest.mark.parametrize("tool", DNS_TOOLS)
def test_each_dns_tool_is_asked_for_ns_records(tmp_path: Path, tool: str) -> None:
    done, deployed = _run(tmp_path, ZONE, tool, FAKE_NS=ANSWER)
    assert done.returncode == 0, done.stderr
    assert deployed == ["app-zones", "main"]
    delegated = _in("app-zones", TWO + "example.com is delegated to them.\n")
    assert delegated + "[main] Deploying stack main" in done.stderr
    asked = {"dig": "+short NS", "host": "-t NS", "nslookup": "-type=NS"}[tool]
    assert (tmp_path / "state" / "dns.log").read_text() == f"{tool} {asked} example.com\n"


def test_dig_is_asked_before_host_and_nslookup(tmp_path: Path) -> None:
    done, deployed = _run(tmp_path, ZONE, *DNS_TOOLS, FAKE_NS=ANSWER)
    assert (done.returncode, deployed) == (0, ["app-zones", "main"])
    assert (tmp_path / "state" / "dns.log").read_text() == "dig +short NS example.com\n"


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (
            "a.iana-servers.net B.IANA-SERVERS.NET",
            "example.com is not delegated to them: public DNS names others: "
            "a.iana-servers.net b.iana-servers.net\n",
        ),
        (
            "ns-1.awsdns-01.org ns-2.awsdns-02.co.uk ns-9.example.net",
            "example.com is delegated to only some of them:\n"
            "  missing: ns-3.awsdns-03.com ns-4.awsdns-04.net\n"
            "  named too, not this zone's: ns-9.example.net\n",
        ),
        (
            "ns-1.awsdns-01.org ns-3.awsdns-03.com",
            "example.com is delegated to only some of them:\n"
            "  missing: ns-2.awsdns-02.co.uk ns-4.awsdns-04.net\n",
        ),
        (
            ANSWER + " ns-9.example.net",
            "example.com is delegated to all of them, and to others too, not this zone's: "
            "ns-9.example.net\n",
        ),
    ],
    ids=["others", "partly", "missing", "one-more"],
)
def test_a_partial_or_other_delegation_stops_saying_what_differs(
    tmp_path: Path, answer: str, why: str
) -> None:
    done, deployed = _run(tmp_path, ZONE, "dig", FAKE_NS=answer)
    assert (done.returncode, deployed) == (1, ["app-zones"])
    assert done.stderr.endswith(_in("app-zones", TWO + why + STOP) + STOPPED)


def test_without_a_dns_tool_it_says_what_to_install_or_how_to_skip(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    done, deployed = _run(tmp_path / "a", ZONE)
    assert (done.returncode, deployed) == (1, ["app-zones"])
    no_tool = (
        TWO + "deploy.sh checks that example.com is delegated to them with dig, host or "
        "nslookup, and none is installed: install dig (Debian, Ubuntu: apt-get install "
        "dnsutils; Amazon Linux, Fedora: dnf install bind-utils), or once example.com is "
        "delegated to them, run deploy.sh with BLUEPRINT_SKIP_DELEGATION_CHECK=1.\n"
        "deploy.sh stops here: nothing after stack app-zones was deployed.\n"
    )
    assert done.stderr.endswith(_in("app-zones", no_tool) + STOPPED)
    (tmp_path / "b").mkdir()
    done, deployed = _run(tmp_path / "b", ZONE, BLUEPRINT_SKIP_DELEGATION_CHECK="1")
    assert (done.returncode, deployed) == (0, ["app-zones", "main"])
    skipped = "Delegation of example.com not checked (BLUEPRINT_SKIP_DELEGATION_CHECK=1).\n"
    assert _in("app-zones", TWO + skipped) in done.stderr


def test_a_zone_nothing_validates_in_is_reported_and_the_deploy_goes_on(tmp_path: Path) -> None:
    """Without a certificate, nothing waits on the delegation: the name servers and the
    next step are printed, and the stacks after deploy; so without a DNS tool."""
    alone = Delegation("main", "example.com", "app-zones", "eu-west-1", "ZoneNameServers")
    (tmp_path / "a").mkdir()
    done, deployed = _run(tmp_path / "a", alone, "dig", FAKE_NS="")
    assert (done.returncode, deployed) == (0, ["app-zones", "main"])
    assert (
        _in(
            "app-zones",
            TWO + "example.com is not delegated to them: public DNS gives no name servers for it.\n"
            "Nothing in this blueprint validates in zone main, so the deploy goes on; its records "
            "resolve on the internet once you set these name servers at your registrar (or in the "
            "parent zone) for example.com.\n",
        )
        in done.stderr
    )
    (tmp_path / "b").mkdir()
    done, deployed = _run(tmp_path / "b", alone)
    assert (done.returncode, deployed) == (0, ["app-zones", "main"])
    assert "none is installed" in done.stderr
    assert "BLUEPRINT_SKIP_DELEGATION_CHECK=1.\n[app-zones] The deploy goes on.\n" in done.stderr


def test_zone_values_never_become_code(tmp_path: Path) -> None:
    """Every value of the check reaches the shell as data: names that try every way out of
    a quote are printed as they are, and nothing in them runs."""
    zone = Delegation(
        "zone" + NASTY,
        "example" + NASTY,
        "zones" + NASTY,
        "eu-west-1" + NASTY,
        "ZoneNameServers",
        ("cert" + NASTY,),
    )
    done, _ = _run(tmp_path, zone, "dig", FAKE_NS="")
    assert not list(tmp_path.rglob("pwned"))
    assert done.returncode == 1
    # each line deploy.sh prints is prefixed with the stack's name, which has a line break:
    # the values are checked up to it
    head = NASTY.split("\n", 1)[0]
    assert f"Deploying stack zones{head}" in done.stderr
    assert "Deploying stack main" not in done.stderr
    assert f"Zone zone{head}" in done.stderr
    assert f"ACM issues certificate cert{head}" in done.stderr
    assert (tmp_path / "state" / "dns.log").read_text() == f"dig +short NS {zone.domain}\n"
