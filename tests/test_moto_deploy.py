"""deploy.sh for real: each example's generated script run unchanged by the real AWS CLI
against an in-process moto server (tests/moto_aws.py), then CloudFormation's view of what it
deployed read back with the same CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
BLUEPRINT = os.path.join(os.path.dirname(sys.executable), "blueprint")  # the venv's CLI
BUCKET = "bp-deploy"  # BLUEPRINT_DEPLOY_BUCKET: templates over 51,200 bytes go through it
# The hosted zone the examples name as zones.main.existing_id: it must exist before deploying.
EXISTING_ZONE = ("Z0123456789ABCDEFGHIJ", "example.com")
# What `aws cloudformation deploy --no-fail-on-empty-changeset` prints for an unchanged stack.
UNCHANGED = "No changes to deploy. Stack {} is up to date"


@dataclass
class Aws:
    """One moto server of this test's own: deploy.sh runs against it with the real AWS CLI,
    and the tests read back what it deployed with boto3 (in process: no CLI start-up)."""

    env: dict[str, str]

    def deploy(self, out: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(out / "deploy.sh")],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )

    def client(self, service: str, region: str = "ap-northeast-1") -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stacks(self, region: str) -> dict[str, dict[str, Any]]:
        """The region's live stacks by name, as describe-stacks gives them."""
        found = self.client("cloudformation", region).describe_stacks()["Stacks"]
        return {s["StackName"]: s for s in found}

    def resources(self, region: str, name: str) -> dict[str, str]:
        """Logical ID -> type of each resource of the stack, as CloudFormation lists them."""
        listed = self.client("cloudformation", region).describe_stack_resources(StackName=name)
        return {r["LogicalResourceId"]: r["ResourceType"] for r in listed["StackResources"]}


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[Aws]:
    """A moto server of this test alone on a free port of 127.0.0.1, started in this process
    (where moto_aws's patches apply) and stopped when the test ends."""
    from . import moto_aws  # imports moto (seconds): only the tests that use it pay

    server, url = moto_aws.start()
    try:
        # moto keeps its state per process, not per server: start from none.
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
        moto_aws.precreate_zone(*EXISTING_ZONE)
        moto_aws.stop_tasks_at_once()  # shop's after_deploy job: `aws ecs wait tasks-stopped`
        env = {
            "PATH": os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin",  # venv's aws
            "HOME": str(tmp_path),
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_PAGER": "",
            "BLUEPRINT_DEPLOY_BUCKET": BUCKET,
            "BLUEPRINT_ROOT": str(EXAMPLES),  # static-site's folder to upload
        }
        cli = Aws(env)
        cli.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
        )
        yield cli
    finally:
        server.stop()
        moto_aws.LATENCY = 0.0
        moto_aws.EXECUTIONS.clear()
        moto_aws.CHANGING.clear()


def build(blueprint: Path, out: Path) -> list[tuple[str, str]]:
    """``blueprint build`` into ``out``; the stacks deploy.sh deploys, in order, as (region,
    name)."""
    done = subprocess.run(
        [BLUEPRINT, "build", str(blueprint), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=blueprint.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    script = (out / "deploy.sh").read_text()
    return [(r, s) for s, r in re.findall(r"'Deploying stack (\S+) to (\S+)'", script)]


def assert_deployed(aws: Aws, out: Path, stacks: list[tuple[str, str]], status: str) -> None:
    """Each stack is in ``status`` with the resources of its template, the parameters its
    template declares, and each parameter passed from another stack equal to that stack's
    output of the same name."""
    outputs: dict[str, dict[str, str]] = {}
    for region, name in stacks:
        template = json.loads((out / f"{name}.json").read_text())
        stack = aws.stacks(region)[name]
        assert stack["StackStatus"] == status, name
        assert aws.resources(region, name) == {
            k: v["Type"] for k, v in template["Resources"].items()
        }
        params = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
        assert set(params) == set(template.get("Parameters", {})), name
        for key, declared in template.get("Parameters", {}).items():
            source = re.search(r"from stack (\S+) \(deploy\.sh", declared.get("Description", ""))
            if source:
                assert params[key] == outputs[source[1]][key], (name, key)
        outputs[name] = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        assert set(outputs[name]) == set(template.get("Outputs", {})), name


def deploy_twice(aws: Aws, blueprint: Path, out: Path) -> list[tuple[str, str]]:
    """Build and deploy: every stack created as its template says; then deploy again: the
    CLI finds nothing to change in any stack, and none was updated."""
    stacks = build(blueprint, out)
    first = aws.deploy(out)
    assert first.returncode == 0, first.stdout + first.stderr
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")
    again = aws.deploy(out)
    assert again.returncode == 0, again.stdout + again.stderr
    assert [UNCHANGED.format(name) in again.stdout + again.stderr for _, name in stacks] == [
        True
    ] * len(stacks)
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")
    return stacks


def test_websocket_example_deploys_with_the_real_cli_and_redeploys_unchanged(
    aws: Aws, tmp_path: Path
) -> None:
    stacks = deploy_twice(aws, EXAMPLES / "websocket-lambda-dynamodb.yaml", tmp_path / "out")
    assert [name for _, name in stacks] == ["blueprint-shared-account-settings", "chat"]
    chat = aws.resources("ap-northeast-1", "chat")
    assert chat["ConnectionsTable"] == "AWS::DynamoDB::Table"


@pytest.mark.exhaustive
@pytest.mark.parametrize(
    # websocket runs in the quick suite above; shop in the test after this one
    "example",
    sorted(
        set(p.stem for p in EXAMPLES.glob("*.yaml"))
        - {"websocket-lambda-dynamodb", "web-worker-jobs-rds"}
    ),
)
def test_example_deploys_with_the_real_cli_and_redeploys_unchanged(
    aws: Aws, tmp_path: Path, example: str
) -> None:
    stacks = deploy_twice(aws, EXAMPLES / f"{example}.yaml", tmp_path / "out")
    assert stacks  # the names come from deploy.sh's own progress lines


def _with_services(blueprint: Path, into: Path, change: dict[str, Any]) -> Path:
    """A copy of ``blueprint`` beside it (its relative paths still resolve) whose services
    are ``change`` applied to its own (a None value removes that service)."""
    data = yaml.safe_load(blueprint.read_text())
    for name, service in change.items():
        if service is None:
            del data["services"][name]
        else:
            data["services"][name] = service
    path = into / blueprint.name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.exhaustive
def test_shop_through_the_bucket_then_a_service_added_and_removed(aws: Aws, tmp_path: Path) -> None:
    shop = EXAMPLES / "web-worker-jobs-rds.yaml"
    stacks = deploy_twice(aws, shop, tmp_path / "out")
    main = (tmp_path / "out" / "shop.json").read_bytes()
    assert len(main) > 51_200  # so deploy.sh had to send it through the bucket
    (uploaded,) = aws.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]
    assert uploaded["Size"] == len(main)

    services = yaml.safe_load(shop.read_text())["services"]
    (tmp_path / "bp").mkdir()
    bigger_web = {**services["web"], "cpu": 1024, "memory": 2048}
    added = _with_services(
        shop, tmp_path / "bp", {"worker2": services["worker"], "web": bigger_web}
    )
    added_stacks = build(added, tmp_path / "added")
    assert set(added_stacks) - set(stacks) == {("ap-northeast-1", "shop-service-worker2")}
    done = aws.deploy(tmp_path / "added")
    assert done.returncode == 0, done.stdout + done.stderr
    live = aws.stacks("ap-northeast-1")
    assert live["shop-service-worker2"]["StackStatus"] == "CREATE_COMPLETE"
    assert live["shop-service-web"]["StackStatus"] == "UPDATE_COMPLETE"
    web = aws.client("cloudformation").get_template(StackName="shop-service-web")["TemplateBody"]
    (task,) = [r for r in web["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert (task["Properties"]["Cpu"], task["Properties"]["Memory"]) == ("1024", "2048")
    for _, name in stacks:  # the others were left as they were
        if name != "shop-service-web":
            assert UNCHANGED.format(name) in done.stdout + done.stderr

    done = aws.deploy(tmp_path / "out")  # the blueprint without worker2 again
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Deleting stack shop-service-worker2" in done.stderr
    live = aws.stacks("ap-northeast-1")
    assert sorted(live) == sorted(name for _, name in stacks)
    gone = aws.client("cloudformation").list_stacks(StackStatusFilter=["DELETE_COMPLETE"])
    gone = gone["StackSummaries"]
    assert [s["StackName"] for s in gone] == ["shop-service-worker2"]


def test_a_failed_first_create_is_reported_then_recovered_by_the_next_run(
    aws: Aws, tmp_path: Path
) -> None:
    """One resource made to fail: the first run prints its logical ID, type and reason and
    leaves the stack in ROLLBACK_COMPLETE (which CloudFormation refuses to update); the
    next run, the failure gone, deletes the stack, creates it again and completes."""
    from . import moto_aws

    out = tmp_path / "out"
    # one small stack: this test stays in the quick suite
    stacks = build(Path(__file__).parent / "golden" / "table_on_demand.yaml", out)
    assert stacks == [("us-east-1", "ledger")]
    moto_aws.FAIL["EntriesTable"] = "Table capacity exceeded on purpose"
    try:
        failed = aws.deploy(out)
    finally:
        moto_aws.FAIL.clear()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    # the resource's failure among the events, as it came; then the report
    assert re.search(
        r"^\[ledger\] \d\d:\d\d:\d\d EntriesTable AWS::DynamoDB::Table CREATE_FAILED: "
        "Table capacity exceeded on purpose$",
        failed.stderr,
        re.MULTILINE,
    )
    assert failed.stderr.endswith(
        "[ledger] Stack ledger failed to deploy. Its failed resources:\n"
        "[ledger]   EntriesTable (AWS::DynamoDB::Table): Table capacity exceeded on purpose\n"
        "[ledger] Stack ledger is now ROLLBACK_COMPLETE; deploy.sh stops here.\n"
        "deploy.sh failed: these stacks failed to deploy: ledger\n"
    )
    assert aws.stacks("us-east-1")["ledger"]["StackStatus"] == "ROLLBACK_COMPLETE"

    again = aws.deploy(out)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        "Stack ledger is in ROLLBACK_COMPLETE; deleting it and creating it again: its first "
        "create failed and was rolled back: nothing in it exists\n"
    ) in again.stderr
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")


# ---- parallel stacks, on moto with the latency of AWS (moto_aws.LATENCY) ----------------
SCALE = 20  # services: 21 stacks, the main one first


def _scale(tmp_path: Path, without: tuple[int, ...] = ()) -> tuple[Path, list[tuple[str, str]]]:
    """The synthetic blueprint of SCALE services (bench/synthetic.py), built."""
    from bench import synthetic

    (tmp_path / "bp").mkdir()
    path = tmp_path / "bp" / "scale.yaml"
    path.write_text(synthetic.blueprint(SCALE, without))
    return tmp_path / "out", build(path, tmp_path / "out")


def _run_live(aws: Aws, out: Path, **env: str) -> tuple[int, list[tuple[float, str]]]:
    """Run deploy.sh, each line of its output with the time it came."""
    import time

    done = subprocess.Popen(
        ["bash", str(out / "deploy.sh")],
        env={**aws.env, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert done.stderr is not None
    lines = [(time.time(), line.rstrip("\n")) for line in done.stderr]
    return done.wait(), lines


def _started(lines: list[tuple[float, str]]) -> list[str]:
    return [m[1] for _, line in lines if (m := re.match(r"\[(\S+)\] Deploying stack ", line))]


@pytest.mark.exhaustive
def test_twenty_services_deploy_in_parallel_within_the_bound(aws: Aws, tmp_path: Path) -> None:
    """Each stack takes 3 seconds on the simulated AWS: the main stack first, then the
    service stacks, 4 at once (the default) and never more, all complete and correct."""
    from . import moto_aws

    out, stacks = _scale(tmp_path)
    moto_aws.LATENCY = 3.0
    code, lines = _run_live(aws, out, BLUEPRINT_POLL="1")
    assert code == 0, "\n".join(line for _, line in lines)
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")
    assert moto_aws.in_progress_peak() == 4
    ((_, _, main_end),) = [e for e in moto_aws.EXECUTIONS if e[0] == "scale"]
    assert min(start for name, start, _ in moto_aws.EXECUTIONS if name != "scale") >= main_end


@pytest.mark.exhaustive
def test_events_are_printed_while_the_stack_deploys(aws: Aws, tmp_path: Path) -> None:
    """A stack that takes 10 seconds: its events are printed as they come, the first
    before its final status is shown, each once."""
    from . import moto_aws

    out = tmp_path / "out"
    stacks = build(Path(__file__).parent / "golden" / "table_on_demand.yaml", out)
    moto_aws.LATENCY = 10.0
    code, lines = _run_live(aws, out, BLUEPRINT_POLL="1")
    assert code == 0, "\n".join(line for _, line in lines)
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")
    ((_, _, end),) = moto_aws.EXECUTIONS
    events = [(at, line) for at, line in lines if " AWS::" in line]
    assert events[0][0] < end
    assert [line.split(" ", 2)[2] for _, line in events] == [
        "ledger AWS::CloudFormation::Stack REVIEW_IN_PROGRESS: User Initiated",
        "ledger AWS::CloudFormation::Stack CREATE_IN_PROGRESS: User Initiated",
        "EntriesTable AWS::DynamoDB::Table CREATE_IN_PROGRESS",
        "EntriesTable AWS::DynamoDB::Table CREATE_COMPLETE",
        "ledger AWS::CloudFormation::Stack CREATE_COMPLETE",
    ]


@pytest.mark.exhaustive
def test_a_failed_service_stops_new_starts_and_the_running_ones_finish(
    aws: Aws, tmp_path: Path
) -> None:
    from . import moto_aws

    out, stacks = _scale(tmp_path)
    moto_aws.LATENCY = 3.0
    moto_aws.FAIL["Svc001Service"] = "Service failed on purpose"
    try:
        code, lines = _run_live(aws, out, BLUEPRINT_POLL="1", BLUEPRINT_PARALLEL="2")
    finally:
        moto_aws.FAIL.clear()
    text = "\n".join(line for _, line in lines)
    assert code == 1, text
    started = _started(lines)
    names = [name for _, name in stacks]
    not_started = [name for name in names if name not in started]
    assert text.endswith(
        "\ndeploy.sh failed: these stacks failed to deploy: scale-service-svc001\n"
        "Not started: " + " ".join(not_started)
    )
    assert "[scale-service-svc001]   Svc001Service (AWS::ECS::Service): Service failed" in text
    assert len(not_started) >= SCALE - 4  # no start after the failure was seen
    live = aws.stacks("ap-northeast-1")
    assert sorted(live) == sorted(started)  # the others were never created
    assert live.pop("scale-service-svc001")["StackStatus"] == "ROLLBACK_COMPLETE"
    assert_deployed(
        aws, out, [("ap-northeast-1", name) for name in names if name in live], "CREATE_COMPLETE"
    )
