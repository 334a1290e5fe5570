"""deploy.sh --review and --execute against a stand-in AWS CLI that keeps stacks and change
sets in a JSON file: what is checked before anything changes, and which stacks a review
could not review (the real CLI on moto: tests/test_moto_deploy.py, exhaustive)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from generator import deploy
from generator.deploy_delegation import Delegation

# The world: "stacks" {name: {status, outputs {key: value}, resources [[id, type]...]}},
# "change_sets" {"stack/name": {status, exec, reason, changes}}, and "plans" {stack:
# {changes [[action, id, type, replacement]...], outputs}}: what a change set of that stack
# holds, and the outputs the stack has once it is executed.
STAND_IN = """#!{python}
import json, os, sys
path = os.environ["FAKE_WORLD"]
world = json.load(open(path))
args = sys.argv[1:]
with open(path + ".calls", "a") as log:
    log.write(json.dumps(args) + "\\n")
def opt(name):
    return args[args.index(name) + 1] if name in args else None
command, stack, query = args[1], opt("--stack-name"), opt("--query") or ""
stacks, sets = world["stacks"], world["change_sets"]
plan = world["plans"].get(stack, dict(changes=[], outputs=dict()))
key = f"{{stack}}/{{opt('--change-set-name')}}"
if stack is not None and stack not in stacks and command in (
        "describe-stacks", "list-stack-resources", "describe-stack-resource"):
    sys.exit(f"An error occurred (ValidationError): Stack with id {{stack}} does not exist")
if command == "describe-stacks" and stack is None:  # this blueprint's stacks
    print("\\t".join(sorted(stacks)))
elif command == "describe-stacks" and "StackStatus" in query:
    print(stacks[stack]["status"])
elif command == "describe-stacks":
    for k, v in sorted(stacks[stack]["outputs"].items()):
        print(f"{{k}}\\t{{v}}")
elif command == "list-change-sets":
    print("\\t".join(k.split("/")[1] for k in sets if k.startswith(stack + "/")))
elif command == "delete-change-set":
    del sets[key]
elif command == "create-change-set":
    if opt("--change-set-type") == "CREATE":
        stacks[stack] = dict(status="REVIEW_IN_PROGRESS", outputs=dict(), resources=[])
    empty = "The submitted information didn't contain changes."
    sets[key] = dict(status="CREATE_COMPLETE" if plan["changes"] else "FAILED",
                     exec="AVAILABLE", reason="None" if plan["changes"] else empty,
                     changes=plan["changes"])
elif command == "describe-change-set" and key not in sets:
    sys.exit("An error occurred (ChangeSetNotFound)")
elif command == "describe-change-set" and query.startswith("Changes"):
    for row in sets[key]["changes"]:
        print("\\t".join([*row, "", ""]))
elif command == "describe-change-set":
    found = sets[key]
    fields = [found["status"], found["exec"], found["reason"]]
    print("\\t".join(fields if "ExecutionStatus" in query else fields[::2]))
elif command == "execute-change-set":
    sets[key]["exec"] = world.get("execute_as", dict()).get(stack, "EXECUTE_COMPLETE")
    created = stacks[stack]["status"] == "REVIEW_IN_PROGRESS"
    stacks[stack] = dict(status="CREATE_COMPLETE" if created else "UPDATE_COMPLETE",
                         outputs=plan["outputs"], resources=stacks[stack]["resources"])
    world["plans"][stack] = dict(changes=[], outputs=plan["outputs"])  # now deployed
elif command == "list-stack-resources" and "length" in query:
    print(len(stacks[stack]["resources"]))
elif command == "list-stack-resources":
    for row in stacks[stack]["resources"]:
        print("\\t".join(row))
elif command == "describe-stack-resource":
    logical = opt("--logical-resource-id")
    if logical not in [row[0] for row in stacks[stack]["resources"]]:
        sys.exit(f"An error occurred (ValidationError): Resource {{logical}} does not exist "
                 f"for stack {{stack}}")
    print("Route53Zone-1")
elif command == "delete-stack":
    del stacks[stack]
json.dump(world, open(path, "w"))
"""

DATABASE = ["Remove", "OldDatabase", "AWS::RDS::DBInstance"]


def _plans() -> list[deploy.Planned]:
    """``shop``, then ``shop-service-web`` reading its outputs Vpc and Listener."""
    web = {"Vpc": ("shop", "eu-west-1", "Vpc"), "Listener": ("shop", "eu-west-1", "Listener")}
    return [
        deploy.Planned("shop", "eu-west-1", "shop.json", 10, {}),
        deploy.Planned("shop-service-web", "eu-west-1", "web.json", 10, {}, web),
    ]


def _stack(status: str = "UPDATE_COMPLETE", **outputs: str) -> dict[str, Any]:
    return {"status": status, "outputs": outputs, "resources": [["Thing", "AWS::SNS::Topic"]]}


def _world(**stacks: dict[str, Any]) -> dict[str, Any]:
    """Both stacks deployed, the web stack with changes, and ``stacks`` over them."""
    modify = [["Modify", "WebService", "AWS::ECS::Service", "False"]]
    return {
        "stacks": {
            "shop": _stack(Vpc="vpc-1", Listener="arn:listener"),
            "shop-service-web": _stack(),
            **stacks,
        },
        "change_sets": {},
        "plans": {"shop-service-web": {"changes": modify, "outputs": {}}},
    }


class Run:
    """deploy.sh built from ``_plans`` in ``folder``, run against the stand-in: each run
    keeps the world it leaves for the next."""

    def __init__(
        self,
        folder: Path,
        world: dict[str, Any],
        plans: list[deploy.Planned] | None = None,
        zones: tuple[Delegation, ...] = (),
    ) -> None:
        self.folder = folder
        out = folder / "out"
        out.mkdir()
        plans = plans or _plans()
        for plan in plans:
            (out / plan.file).write_text(json.dumps({"Outputs": {}, "Name": plan.stack}))
        script = deploy.script(plans, "blueprint.yaml", "shop", zones=zones)
        (out / "deploy.sh").write_text(script)
        (folder / "bin").mkdir()
        (folder / "bin" / "dig").write_text("#!/bin/sh\n")  # public DNS: no answer
        (folder / "bin" / "dig").chmod(0o755)
        (folder / "bin" / "aws").write_text(STAND_IN.format(python=sys.executable))
        (folder / "bin" / "aws").chmod(0o755)
        self.world_file = folder / "world.json"
        self.world_file.write_text(json.dumps(world))

    def __call__(self, *args: str) -> tuple[int, str, str, list[list[str]]]:
        """deploy.sh ``args``: its exit code, stdout, stderr and the calls it made."""
        calls = Path(f"{self.world_file}.calls")
        calls.unlink(missing_ok=True)
        done = subprocess.run(
            ["bash", str(self.folder / "out" / "deploy.sh"), *args],
            capture_output=True,
            text=True,
            check=False,
            env={
                "PATH": f"{self.folder / 'bin'}:/usr/bin:/bin",
                "FAKE_WORLD": str(self.world_file),
            },
        )
        made = [json.loads(line) for line in calls.read_text().splitlines()]
        return done.returncode, done.stdout, done.stderr, made

    @property
    def world(self) -> dict[str, Any]:
        return json.loads(self.world_file.read_text())


def _changing(calls: list[list[str]]) -> list[tuple[str, str]]:
    changing = ("delete-stack", "execute-change-set")
    return [(c[1], c[c.index("--stack-name") + 1]) for c in calls if c[1] in changing]


def test_execute_checks_every_reviewed_change_set_before_deleting_a_stale_stack(
    tmp_path: Path,
) -> None:
    """A removed service's stack is deleted by --execute only once every stack whose
    inputs are known has its reviewed change set: never reviewed, nothing is touched."""
    run = Run(tmp_path, _world(**{"shop-service-old": _stack()}))
    code, _, stderr, calls = run("--execute")
    assert code == 1
    assert _changing(calls) == []
    assert stderr == (
        "Stack shop changed since it was reviewed (or was never reviewed): run deploy.sh --review\n"
    )
    assert sorted(run.world["stacks"]) == ["shop", "shop-service-old", "shop-service-web"]
    code, stdout, stderr, _ = run("--review")
    assert code == 0, stdout + stderr
    assert "Stack shop-service-old: deleted first by --execute (its service is no longer in " in (
        stdout
    )
    code, _, stderr, calls = run("--execute")
    assert code == 0, stderr
    assert _changing(calls) == [
        ("delete-stack", "shop-service-old"),
        ("execute-change-set", "shop-service-web"),
    ]


def test_a_stale_stacks_stateful_resources_are_removes_refused_without_allow_replace(
    tmp_path: Path,
) -> None:
    """Deleting a removed service's stack removes its database: --review lists it and
    refuses, --execute refuses before any change, both pass with --allow-replace."""
    old = _stack()
    old["resources"] = [["OldQueue", "AWS::SNS::Topic"], DATABASE[1:]]
    run = Run(tmp_path, _world(**{"shop-service-old": old}))
    code, stdout, stderr, _ = run("--review")
    assert code == 1
    assert (
        "Stack shop-service-old: deleted first by --execute (its service is no longer in the "
        "blueprint):\n"
        "  Remove   OldQueue                             AWS::SNS::Topic\n"
        "  Remove   OldDatabase                          AWS::RDS::DBInstance\n"
    ) in stdout
    assert "  shop-service-old/OldDatabase (AWS::RDS::DBInstance): removed\n" in stderr
    code, _, stderr, calls = run("--execute")
    assert code == 1
    assert _changing(calls) == []
    assert stderr == (
        "Refused: deleting stack shop-service-old (its service is no longer in the blueprint) "
        "would remove these stateful resources; nothing was executed:\n"
        "  shop-service-old/OldDatabase (AWS::RDS::DBInstance): removed\n"
        "If that is intended, allow each by name: --allow-replace <stack>/<LogicalId>.\n"
    )
    allow = ("--allow-replace", "shop-service-old/OldDatabase")
    assert run("--review", *allow)[0] == 0
    code, _, stderr, calls = run("--execute", *allow)
    assert code == 0, stderr
    assert ("delete-stack", "shop-service-old") in _changing(calls)


def test_a_stack_reading_an_output_its_upstream_gains_is_reviewed_after_that_one(
    tmp_path: Path,
) -> None:
    """The main stack gains the output Listener (a routed service added): the web stack's
    review waits for its execute, and the review ends 0 saying so."""
    world = _world(shop=_stack(Vpc="vpc-1"))
    add = [["Add", "Listener", "AWS::ElasticLoadBalancingV2::Listener", "None"]]
    world["plans"]["shop"] = {"changes": add, "outputs": {"Vpc": "vpc-1", "Listener": "arn:l"}}
    run = Run(tmp_path, world)
    code, stdout, stderr, _ = run("--review")
    assert code == 0, stdout + stderr
    assert (
        "Stack shop-service-web: reviewed after shop is executed (its parameters come from "
        "that stack's outputs)\n" in stdout
    )
    assert stdout.endswith(
        "1 stack is reviewed after shop is executed: shop-service-web\n"
        "Reviewed. deploy.sh --execute executes exactly these change sets.\n"
    )
    # the round: --execute runs shop, then stops at the web stack, never reviewed
    code, _, stderr, calls = run("--execute")
    assert code == 1
    assert _changing(calls) == [("execute-change-set", "shop")]
    assert run("--review")[0] == 0
    code, _, stderr, calls = run("--execute")
    assert code == 0, stderr
    assert _changing(calls) == [("execute-change-set", "shop-service-web")]


def test_a_review_that_could_not_review_a_stack_ends_with_its_own_code(tmp_path: Path) -> None:
    """A stack in a failed state, or one waiting on an output its upstream stack will not
    gain (no change to execute there), is listed, and the review ends 4, not 0."""
    (tmp_path / "a").mkdir()
    run = Run(tmp_path / "a", _world(**{"shop-service-web": _stack("UPDATE_ROLLBACK_FAILED")}))
    code, stdout, stderr, _ = run("--review")
    assert code == 4, stdout + stderr
    assert "Reviewed." not in stdout
    assert stderr.endswith(
        "Not reviewed: deploy.sh --execute would stop at these stacks:\n"
        "  shop-service-web is in UPDATE_ROLLBACK_FAILED\n"
    )
    (tmp_path / "b").mkdir()
    run = Run(tmp_path / "b", _world(shop=_stack(Vpc="vpc-1")))
    code, stdout, stderr, _ = run("--review")
    assert code == 4, stdout + stderr
    assert stderr.endswith(
        "Not reviewed: deploy.sh --execute would stop at these stacks:\n"
        "  shop-service-web waits on shop, which has no reviewed change to execute\n"
    )


def test_a_zone_the_main_stack_holds_stops_the_deploy_before_the_zones_stack_is_created(
    tmp_path: Path,
) -> None:
    """Built without the last build, the zone deployed in the main stack is in the zones
    stack: deploy.sh asks the main stack, and stops before any change with the next step.
    A main stack without it (or none) goes on."""
    zone = {"Resources": {"MainZone": {"Type": "AWS::Route53::HostedZone"}}}
    plans = [
        deploy.Planned("shop-zones", "eu-west-1", "shop-zones.json", 10, zone),
        deploy.Planned(
            "shop",
            "eu-west-1",
            "shop.json",
            10,
            {},
            {"MainZone": ("shop-zones", "eu-west-1", "MainZone")},
        ),
    ]
    held = _stack()
    held["resources"] = [["MainZone", "AWS::Route53::HostedZone"]]
    add = {"changes": [["Add", "MainZone", "AWS::Route53::HostedZone", "None"]], "outputs": {}}
    world = {"stacks": {"shop": held}, "change_sets": {}, "plans": {"shop-zones": add}}
    for mode in ("deploy", "--review", "--execute"):
        (tmp_path / mode).mkdir()
        run = Run(tmp_path / mode, world, plans)
        code, _, stderr, calls = run(*[mode][: mode != "deploy"])
        assert code == 1, stderr
        assert stderr == (
            "Zone MainZone is in stack shop, deployed by a build from before stack shop-zones; "
            "this build would create it again in shop-zones (a new zone, with other name "
            "servers than those the domain is delegated to). deploy.sh changed nothing and "
            "stops here.\n"
            "Next: build again with the last build in the output folder (blueprint build "
            "--out <the folder of the build that deployed shop>, or that folder restored from "
            "version control), which keeps the zone in shop; then run deploy.sh again.\n"
        )
        assert [c[1] for c in calls] == ["describe-stacks", "describe-stack-resource"]
    world["stacks"]["shop"]["resources"] = [["Thing", "AWS::SNS::Topic"]]
    (tmp_path / "without").mkdir()
    code, stdout, stderr, calls = Run(tmp_path / "without", world, plans)("--review")
    assert code == 0, stdout + stderr
    assert "Stack shop-zones (CREATE, change set " in stdout


def test_a_change_set_whose_execution_failed_is_reported_as_such(tmp_path: Path) -> None:
    """A re-run of --execute after the execution failed says so, not 'changed since'."""
    run = Run(tmp_path, _world())
    assert run("--review")[0] == 0
    world = run.world
    for change_set in world["change_sets"].values():
        change_set["exec"] = "EXECUTE_FAILED"
    run.world_file.write_text(json.dumps(world))
    code, _, stderr, calls = run("--execute")
    assert code == 1
    assert _changing(calls) == []
    assert stderr.startswith("Stack shop-service-web: change set blueprint-")
    assert stderr.endswith(
        " was executed and failed. See why with: aws cloudformation describe-stack-events "
        "--stack-name shop-service-web --region eu-west-1 --max-items 20; then fix the cause, "
        "build, and run deploy.sh --review again\n"
    )


def test_a_zone_not_delegated_after_execute_advises_a_review_then_an_execute(
    tmp_path: Path,
) -> None:
    zone = {"Resources": {"MainZone": {"Type": "AWS::Route53::HostedZone"}}}
    plans = [deploy.Planned("shop-zones", "eu-west-1", "shop-zones.json", 10, zone)]
    servers = {"MainZoneNameServers": "ns-1.awsdns-01.org,ns-2.awsdns-02.co.uk"}
    add = [["Add", "MainZone", "AWS::Route53::HostedZone", "None"]]
    world = {
        "stacks": {},
        "change_sets": {},
        "plans": {"shop-zones": {"changes": add, "outputs": servers}},
    }
    delegation = Delegation(
        "main", "example.com", "shop-zones", "eu-west-1", "MainZoneNameServers", ("bot",)
    )
    run = Run(tmp_path, world, plans, (delegation,))
    assert run("--review")[0] == 0
    code, _, stderr, _ = run("--execute")
    assert code == 1
    assert stderr.endswith(
        "Next: set these name servers at your registrar (or in the parent zone) for "
        "example.com, then run deploy.sh --review, then deploy.sh --execute.\n"
        "deploy.sh stops here: nothing after stack shop-zones was deployed.\n"
    )
