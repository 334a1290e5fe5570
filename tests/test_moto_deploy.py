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
# deploy.sh asks public DNS (dig +short NS) whether each domain is delegated to the name
# servers of the zone it created: this stand-in answers as public DNS would once the
# registrar names them, with the name servers Route 53 (the moto server) gives the zone of
# that name that a stack created (not the zone made before the test); nothing while
# FAKE_UNDELEGATED is set, as before the registrar is told.
DIG = f"""#!{sys.executable}
import os, sys
import boto3
if os.environ.get("FAKE_UNDELEGATED"):
    sys.exit(0)
route53 = boto3.client("route53", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
for zone in route53.list_hosted_zones()["HostedZones"]:
    made = not zone["Id"].endswith("/{EXISTING_ZONE[0]}")
    if zone["Name"].rstrip(".") == sys.argv[-1].rstrip(".") and made:
        for name in route53.get_hosted_zone(Id=zone["Id"])["DelegationSet"]["NameServers"]:
            print(name + ".")
"""


@dataclass
class Aws:
    """One moto server of this test's own: deploy.sh runs against it with the real AWS CLI,
    and the tests read back what it deployed with boto3 (in process: no CLI start-up)."""

    env: dict[str, str]

    def deploy(self, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(out / "deploy.sh")],
            env={**self.env, **env},
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
        (tmp_path / "dns").mkdir()
        (tmp_path / "dns" / "dig").write_text(DIG)
        (tmp_path / "dns" / "dig").chmod(0o755)
        env = {
            # the stand-in dig, the venv's aws
            "PATH": os.pathsep.join([str(tmp_path / "dns"), os.path.dirname(sys.executable)])
            + os.pathsep
            + "/usr/bin:/bin",
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
    """Its zone is created: the first run stops after the zones stack, printing the zone's
    name servers, until the domain is delegated to them; then everything deploys."""
    out = tmp_path / "out"
    stacks = build(EXAMPLES / "websocket-lambda-dynamodb.yaml", out)
    names = ["blueprint-shared-account-settings", "chat-zones", "chat"]
    assert [name for _, name in stacks] == names
    first = aws.deploy(out, FAKE_UNDELEGATED="1")
    assert first.returncode == 1, first.stdout + first.stderr
    assert sorted(aws.stacks("ap-northeast-1")) == names[:2]
    assert_deployed(aws, out, stacks[:2], "CREATE_COMPLETE")
    (zone,) = [
        z for z in aws.client("route53").list_hosted_zones()["HostedZones"] if "/Z0" not in z["Id"]
    ]
    servers = aws.client("route53").get_hosted_zone(Id=zone["Id"])["DelegationSet"]["NameServers"]
    assert len(servers) == 4
    stopped = (
        "Zone main (example.com) has these name servers:\n"
        + "".join(f"  {ns.lower().rstrip('.')}\n" for ns in sorted(servers))
        + "example.com is not delegated to them: public DNS gives no name servers for it.\n"
        "ACM issues certificate ws only once example.com is delegated to them, and the stacks "
        "after chat-zones wait on that.\n"
        "Next: set these name servers at your registrar (or in the parent zone) for "
        "example.com, then run deploy.sh again.\n"
        "deploy.sh stops here: nothing after stack chat-zones was deployed.\n"
    )
    assert first.stderr.endswith(
        "".join(f"[chat-zones] {line}\n" for line in stopped.splitlines())
        + "deploy.sh stopped after deploying: chat-zones\nNot started: chat\n"
    )
    assert deploy_twice(aws, EXAMPLES / "websocket-lambda-dynamodb.yaml", out) == stacks
    chat = aws.resources("ap-northeast-1", "chat")
    assert chat["ConnectionsTable"] == "AWS::DynamoDB::Table"


@pytest.mark.exhaustive
@pytest.mark.parametrize(
    # websocket runs in the quick suite above; shop in the test after this one; the
    # environments example (a folder per environment) in tests/test_environments.py
    "example",
    sorted(
        set(p.stem for p in EXAMPLES.glob("*.yaml"))
        - {
            "websocket-lambda-dynamodb",
            "web-worker-jobs-rds",
            "environments",
            "existing-infrastructure",
        }
    ),
)
def test_example_deploys_with_the_real_cli_and_redeploys_unchanged(
    aws: Aws, tmp_path: Path, example: str
) -> None:
    stacks = deploy_twice(aws, EXAMPLES / f"{example}.yaml", tmp_path / "out")
    assert stacks  # the names come from deploy.sh's own progress lines


def _precreate_existing(example: Path) -> None:
    """The VPC, subnets, security group, load balancer and listener the example names by
    ID, made in moto with exactly those IDs (moto draws its IDs at random: the draw is
    fixed for each)."""
    from unittest import mock

    from moto.ec2.models import ec2_backends, security_groups, subnets, vpcs
    from moto.elbv2 import models as elbv2

    data = yaml.safe_load(example.read_text())
    region, net = data["region"], data["network"]["existing"]
    existing = data["load_balancers"]["shared"]["existing"]
    ec2 = ec2_backends["123456789012"][region]
    with mock.patch.object(vpcs, "random_vpc_id", return_value=net["vpc_id"]):
        ec2.create_vpc("10.20.0.0/16")
    ids = net["public_subnets"] + net["private_subnets"]
    for i, subnet in enumerate(ids):
        with mock.patch.object(subnets, "random_subnet_id", return_value=subnet):
            zone = f"{region}{'ab'[i % 2]}"
            ec2.create_subnet(net["vpc_id"], f"10.20.{i}.0/24", availability_zone=zone)
    group = existing["security_group"]
    with mock.patch.object(security_groups, "random_security_group_id", return_value=group):
        ec2.create_security_group("shared-web", "shared web", vpc_id=net["vpc_id"])
    # .../listener/app/NAME/LB_ID/LISTENER_ID
    name, lb_id, listener_id = existing["listener_arn"].split("/")[2:]
    lbs = elbv2.elbv2_backends["123456789012"][region]
    with mock.patch.object(elbv2.mock_random, "get_random_hex", side_effect=[lb_id, listener_id]):
        lb = lbs.create_load_balancer(name, [group], net["public_subnets"])
        listener = lbs.create_listener(
            lb.arn,
            "HTTP",
            "80",
            "",
            None,
            [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
        )
    assert listener.arn == existing["listener_arn"]


@pytest.mark.exhaustive
def test_existing_infrastructure_deploys_its_rules_onto_the_listener_that_exists(
    aws: Aws, tmp_path: Path
) -> None:
    example = EXAMPLES / "existing-infrastructure.yaml"
    _precreate_existing(example)
    stacks = deploy_twice(aws, example, tmp_path / "out")
    assert [name for _, name in stacks] == [
        "orders",
        "orders-service-admin",
        "orders-service-api",
    ]
    listener = yaml.safe_load(example.read_text())["load_balancers"]["shared"]["existing"]
    elb = aws.client("elbv2", "eu-west-1")
    rules = elb.describe_rules(ListenerArn=listener["listener_arn"])["Rules"]
    assert sorted(r["Priority"] for r in rules) == ["4100", "4110", "default"]
    vpcs = {g["VpcId"] for g in elb.describe_target_groups()["TargetGroups"]}
    assert vpcs == {"vpc-0a1b2c3d4e5f60718"}


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
        "create failed and was rolled back: the stack holds nothing\n"
    ) in again.stderr
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")


# ---- deploy.sh --review / --execute -------------------------------------------------------
LEDGER = Path(__file__).parent / "golden" / "database_postgres_tls.yaml"  # one stack, a database
STAND_IN_BLUEPRINT = """#!/bin/sh
# blueprint's stand-in: records its arguments, prints $PREDICTION, ends with $PREDICTION_EXIT
printf '%s\\n' "$@" >"${PREDICTION:?the test sets PREDICTION}.args"
cat "$PREDICTION"
echo "the stand-in's complaint" >&2
exit "${PREDICTION_EXIT:-10}"
"""


def unlinted_build(blueprint: Path, out: Path) -> list[tuple[str, str]]:
    """``build`` rendered in-process without lint (deploy.sh and the templates are the same;
    these tests stay cheap), the blueprint given to it as its full path."""
    from generator.pipeline import check, render, write

    write(render(check(blueprint, str(blueprint))), out)
    script = (out / "deploy.sh").read_text()
    return [(r, s) for s, r in re.findall(r"'Deploying stack (\S+) to (\S+)'", script)]


def review_build(blueprint: Path, out: Path, **changes: Any) -> None:
    """An unlinted build of ``blueprint`` with ``changes`` to its databases.books, into
    ``out``; the blueprint as the build is given it is ``<out>/../bp/ledger.yaml``."""
    data = yaml.safe_load(blueprint.read_text())
    data["databases"]["books"].update(changes)
    folder = out.parent / "bp"
    folder.mkdir(exist_ok=True)
    (folder / "ledger.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    unlinted_build(folder / "ledger.yaml", out)


def run(aws: Aws, out: Path, *args: str, path: str = "", **env: str) -> tuple[int, str, str]:
    """deploy.sh with ``args``; PATH is ``path`` (a folder with a stand-in ``blueprint``, or
    one with only ``aws``) before the system's."""
    done = subprocess.run(
        ["bash", str(out / "deploy.sh"), *args],
        env={**aws.env, **env, "PATH": f"{path}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def stand_in_bin(tmp_path: Path, prediction: str | None) -> Path:
    """A folder holding the real ``aws`` and, unless ``prediction`` is None, a stand-in
    ``blueprint`` printing it (set PREDICTION to its file)."""
    folder = tmp_path / ("bin" if prediction is not None else "bin-without-blueprint")
    folder.mkdir()
    (folder / "aws").symlink_to(Path(sys.executable).parent / "aws")
    if prediction is not None:
        (folder / "blueprint").write_text(STAND_IN_BLUEPRINT)
        (folder / "blueprint").chmod(0o755)
        (tmp_path / "prediction.tsv").write_text(prediction)
    return folder


def test_review_prints_the_changes_and_refuses_a_replaced_database(
    aws: Aws, tmp_path: Path
) -> None:
    """The ledger deployed (in-process, to keep this test cheap), then its database's name
    changed (DBName is create-only): --review prints the replacement CloudFormation
    reports, where blueprint's prediction (a stand-in) differs, and last refuses, naming
    the database and how to allow it. The stack itself is left as it was."""
    first = tmp_path / "first"
    review_build(LEDGER, first)
    aws.client("cloudformation", "eu-west-1").create_stack(
        StackName="ledger",
        TemplateBody=(first / "ledger.json").read_text(),
        Capabilities=["CAPABILITY_IAM"],
    )
    out = tmp_path / "out"
    review_build(LEDGER, out, database_name="books")
    bin_dir = stand_in_bin(tmp_path, "ledger\tBooksDatabase\tin_place\n")
    prediction = str(tmp_path / "prediction.tsv")

    code, stdout, stderr = run(aws, out, "--review", path=str(bin_dir), PREDICTION=prediction)
    assert code == 1, stdout + stderr
    assert re.fullmatch(
        r"Stack ledger \(UPDATE, change set blueprint-[0-9a-f]{12}\):\n"
        r"  Modify   BooksDatabase +AWS::RDS::DBInstance +Replacement True +Properties: DBName\n"
        r"Where blueprint's prediction differs from CloudFormation's verdict:\n"
        r"  ledger/BooksDatabase: CloudFormation says replaced, blueprint predicted in_place\n",
        stdout,
    ), stdout
    assert stderr == (
        "Refused: these stateful resources would be replaced or removed, losing what they "
        "hold:\n"
        "  ledger/BooksDatabase (AWS::RDS::DBInstance): replaced (Replacement True)\n"
        "If that is intended, allow each by name: deploy.sh --review --allow-replace "
        "<LogicalId> (or <stack>/<LogicalId>), and the same --allow-replace with --execute.\n"
    )
    # BLUEPRINT_ROOT (the examples' folder here) overrides the blueprint's folder
    assert (tmp_path / "prediction.tsv.args").read_text() == (
        f"diff\n{EXAMPLES / 'ledger.yaml'}\n--deployed\n--format\ntsv\n"
    )
    assert aws.stacks("eu-west-1")["ledger"]["StackStatus"] == "CREATE_COMPLETE"


@pytest.mark.exhaustive
def test_review_then_execute_a_new_stack_and_a_replacement_allowed(
    aws: Aws, tmp_path: Path
) -> None:
    """--review on a stack that does not exist: its additions, the prediction agreeing;
    --execute creates it from that change set. Then the database's name changed: refused
    by --review and by --execute, passed by both with --allow-replace (as ID or
    stack/ID); the earlier review's change set is deleted by the next review."""
    first = tmp_path / "first"
    review_build(LEDGER, first)
    resources = json.loads((first / "ledger.json").read_text())["Resources"]
    bin_dir = stand_in_bin(tmp_path, "".join(f"ledger\t{k}\tadded\n" for k in resources))
    prediction = str(tmp_path / "prediction.tsv")

    code, stdout, stderr = run(
        aws, first, "--review", path=str(bin_dir), PREDICTION=prediction, BLUEPRINT_ROOT=""
    )
    assert code == 0, stdout + stderr
    (name,) = re.findall(
        r"^Stack ledger \(CREATE, change set (blueprint-[0-9a-f]{12})\):$", stdout, re.M
    )
    assert "  Add      BooksDatabase                        AWS::RDS::DBInstance\n" in stdout
    assert f"blueprint's prediction agrees on {len(resources)} changes\n" in stdout
    # the blueprint as the build was given it
    assert (tmp_path / "prediction.tsv.args").read_text() == (
        f"diff\n{tmp_path / 'bp' / 'ledger.yaml'}\n--deployed\n--format\ntsv\n"
    )
    assert aws.stacks("eu-west-1")["ledger"]["StackStatus"] == "REVIEW_IN_PROGRESS"

    code, stdout, stderr = run(aws, first, "--execute", path=str(bin_dir))
    assert code == 0, stdout + stderr
    assert f"Executing change set {name} of stack ledger\n" in stderr
    assert_deployed(aws, first, [("eu-west-1", "ledger")], "CREATE_COMPLETE")

    out = tmp_path / "out"
    review_build(LEDGER, out, database_name="books")
    assert run(aws, out, "--review", path=str(bin_dir), PREDICTION=prediction)[0] == 1
    code, stdout, stderr = run(
        aws,
        out,
        "--review",
        "--allow-replace",
        "Other,BooksDatabase",
        path=str(bin_dir),
        PREDICTION=prediction,
    )
    assert (code, stderr) == (0, ""), stdout + stderr
    assert stdout.endswith("Reviewed. deploy.sh --execute executes exactly these change sets.\n")
    cfn = aws.client("cloudformation", "eu-west-1")
    assert len(cfn.list_change_sets(StackName="ledger")["Summaries"]) == 1

    code, stdout, stderr = run(aws, out, "--execute", path=str(bin_dir))
    assert code == 1
    assert stderr.startswith("Refused: change set blueprint-")
    assert "  ledger/BooksDatabase (AWS::RDS::DBInstance): replaced (Replacement True)\n" in stderr
    assert aws.stacks("eu-west-1")["ledger"]["StackStatus"] == "CREATE_COMPLETE"
    # Executing it needs moto to replace a DBInstance, which it cannot (it has no update for
    # the type): the refusal, the allowance and the finding are what is shown here.
    code, stdout, stderr = run(
        aws, out, "--review", "--allow-replace=ledger/BooksDatabase", path=str(bin_dir)
    )
    assert code == 0, stdout + stderr


@pytest.mark.exhaustive
def test_a_plain_deploy_after_a_review_and_the_prediction_skipped(aws: Aws, tmp_path: Path) -> None:
    """A review leaves a new stack in REVIEW_IN_PROGRESS; a plain deploy.sh still creates
    it. The comparison is skipped, never failing the review, when blueprint is not on PATH
    or fails."""
    out = tmp_path / "out"
    review_build(LEDGER, out)
    without = stand_in_bin(tmp_path, None)
    code, stdout, _ = run(aws, out, "--review", path=str(without))
    assert code == 0
    assert "Comparison with blueprint's prediction skipped: blueprint is not on PATH\n" in stdout
    failing = stand_in_bin(tmp_path, "")
    code, stdout, _ = run(
        aws,
        out,
        "--review",
        path=str(failing),
        PREDICTION=str(tmp_path / "prediction.tsv"),
        PREDICTION_EXIT="1",
    )
    assert code == 0
    assert (
        "Comparison with blueprint's prediction skipped: blueprint diff --deployed ended "
        "with 1: the stand-in's complaint\n"
    ) in stdout
    assert aws.stacks("eu-west-1")["ledger"]["StackStatus"] == "REVIEW_IN_PROGRESS"

    code, stdout, stderr = run(aws, out, path=str(without))
    assert code == 0, stdout + stderr
    assert "Stack ledger is in REVIEW_IN_PROGRESS; deleting it and creating it again" in stderr
    assert_deployed(aws, out, [("eu-west-1", "ledger")], "CREATE_COMPLETE")


def _first_deploy_in_rounds(
    aws: Aws, out: Path, path: str, stacks: list[tuple[str, str]], services: list[str]
) -> None:
    """The three rounds of --review and --execute of the shop's first deploy."""
    code, stdout, stderr = run(aws, out, "--review", path=path)
    assert code == 0, stdout + stderr
    assert "Stack shop-zones (CREATE, change set " in stdout
    assert "Stack shop: reviewed after shop-zones is executed" in stdout
    for name in services:
        assert f"Stack {name}: reviewed after shop is executed" in stdout
    assert "1 stack is reviewed after shop-zones is executed: shop\n" in stdout
    code, stdout, stderr = run(aws, out, "--execute", path=path)
    assert code == 1
    assert "example.com is delegated to them" in stderr, stderr
    assert stderr.endswith(
        "Stack shop changed since it was reviewed (or was never reviewed): run deploy.sh --review\n"
    )
    assert sorted(aws.stacks("ap-northeast-1")) == ["shop-zones"]

    code, stdout, stderr = run(aws, out, "--review", path=path)
    assert code == 0, stdout + stderr
    assert "Stack shop-zones: no changes\n" in stdout
    assert "Stack shop (CREATE, change set " in stdout
    code, stdout, stderr = run(aws, out, "--execute", path=path)
    assert code == 1
    assert stderr.endswith(
        f"Stack {services[0]} changed since it was reviewed (or was never reviewed): run "
        "deploy.sh --review\n"
    )
    assert sorted(aws.stacks("ap-northeast-1")) == ["shop", "shop-zones"]

    code, stdout, stderr = run(aws, out, "--review", path=path)
    assert code == 0, stdout + stderr
    assert "Stack shop: no changes\n" in stdout
    code, stdout, stderr = run(aws, out, "--execute", path=path)
    assert code == 0, stdout + stderr
    assert "Job migrate succeeded" in stderr
    assert_deployed(aws, out, stacks, "CREATE_COMPLETE")


@pytest.mark.exhaustive
def test_execute_runs_exactly_the_reviewed_change_sets_in_rounds(aws: Aws, tmp_path: Path) -> None:
    """The shop, first deploy, in rounds: the main stack reads the zones stack's outputs
    and the service stacks the main stack's, so the first review covers the zones stack
    alone; --execute creates it, checks the delegation (the stand-in dig answers), then
    stops at the main stack, never reviewed. The second round reviews and executes the
    main stack, stopping at the first service stack; the third the services (and the job
    run after a deploy). Then a change reviewed (the web service's size), and another
    made after the review: --execute refuses the stack that changed since, touching
    nothing; the reviewed build executes exactly the web stack."""
    shop = EXAMPLES / "web-worker-jobs-rds.yaml"
    out = tmp_path / "out"
    stacks = unlinted_build(shop, out)
    services = [name for _, name in stacks if name.startswith("shop-service-")]
    assert [name for _, name in stacks if name not in services] == ["shop-zones", "shop"]
    path = f"{tmp_path / 'dns'}:{os.path.dirname(sys.executable)}"  # the stand-in dig
    _first_deploy_in_rounds(aws, out, path, stacks, services)

    data = yaml.safe_load(shop.read_text())
    (tmp_path / "bp").mkdir()
    bigger = _with_services(
        shop, tmp_path / "bp", {"web": {**data["services"]["web"], "cpu": 1024, "memory": 2048}}
    )
    unlinted_build(bigger, tmp_path / "reviewed")
    code, stdout, stderr = run(aws, tmp_path / "reviewed", "--review", path=path)
    assert code == 0, stdout + stderr
    assert re.search(
        r"^  Modify   WebTaskDefinition +AWS::ECS::TaskDefinition +Replacement True", stdout, re.M
    ), stdout
    biggest = _with_services(
        shop, tmp_path / "bp", {"web": {**data["services"]["web"], "cpu": 2048, "memory": 4096}}
    )
    unlinted_build(biggest, tmp_path / "changed")
    code, stdout, stderr = run(aws, tmp_path / "changed", "--execute", path=path)
    assert code == 1
    assert stderr.endswith(
        "Stack shop-service-web changed since it was reviewed (or was never reviewed): run "
        "deploy.sh --review\n"
    )
    assert "Executing" not in stderr.replace("Stack shop: no changes; skipped", "")

    code, stdout, stderr = run(aws, tmp_path / "reviewed", "--execute", path=path)
    assert code == 0, stdout + stderr
    assert re.findall(r"^Executing change set \S+ of stack (\S+)$", stderr, re.M) == [
        "shop-service-web"
    ]
    live = aws.stacks("ap-northeast-1")
    assert {n: s["StackStatus"] for n, s in live.items()} == {
        name: "UPDATE_COMPLETE" if name == "shop-service-web" else "CREATE_COMPLETE"
        for _, name in stacks
    }
    web = aws.client("cloudformation").get_template(StackName="shop-service-web")["TemplateBody"]
    (task,) = [r for r in web["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert (task["Properties"]["Cpu"], task["Properties"]["Memory"]) == ("1024", "2048")


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


@pytest.mark.exhaustive
def test_more_events_than_a_page_are_each_printed_once_by_the_real_cli(
    aws: Aws, tmp_path: Path
) -> None:
    """A stack of 60 queues made (123 events), then 60 more added (over 120 more): each
    deploy's events, well past the CLI's first page of 100, are printed once and in order,
    and none of the first deploy's again in the second."""
    from generator import deploy

    out = tmp_path / "out"
    out.mkdir()
    printed = []
    for count in (60, 120):
        template = {"Resources": {f"Queue{i}": {"Type": "AWS::SQS::Queue"} for i in range(count)}}
        text = json.dumps(template)
        (out / "many.json").write_text(text)
        plan = deploy.Planned("many", "ap-northeast-1", "many.json", len(text), template)
        (out / "deploy.sh").write_text(deploy.script([plan], "many.yaml"))
        done = aws.deploy(out)
        assert done.returncode == 0, done.stderr
        printed.append(
            [line.split(" ", 2)[2] for line in done.stderr.splitlines() if " AWS::" in line]
        )
    events = aws.client("cloudformation").describe_stack_events(StackName="many")["StackEvents"]
    shown = [
        f"{e['LogicalResourceId']} {e['ResourceType']} {e['ResourceStatus']}"
        + (f": {e['ResourceStatusReason']}" if e.get("ResourceStatusReason") else "")
        for e in reversed(events)
    ]
    assert len(printed[0]) == 123
    assert printed[0] + printed[1] == shown
    assert len(printed[1]) > 120
