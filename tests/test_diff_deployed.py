"""``blueprint diff --deployed``: the build compared with the stacks as CloudFormation holds
them, read with the AWS CLI. In the quick suite a stand-in ``aws`` answers from a folder of
stacks (and records each call); against moto, the real CLI reads what deploy.sh deployed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator import diff
from generator.cli import main
from generator.pipeline import check, render

from .conftest import ROOT
from .test_moto_deploy import BLUEPRINT, Aws, build
from .test_moto_deploy import aws as moto_server  # noqa: F401 (a fixture)

# A stand-in for the AWS CLI: the stacks are $FAKE_AWS_STATE/stacks.json
# ({name: {"region", "tags", "template"}}); each call is a JSON line in calls.jsonl.
STAND_IN = """#!{python}
import json, os, sys
state = os.environ["FAKE_AWS_STATE"]
args = sys.argv[1:]
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\\n")
fail = os.environ.get("FAKE_AWS_FAIL")
if fail:
    sys.stderr.write(fail + "\\n")
    sys.exit(255)
stacks = json.load(open(os.path.join(state, "stacks.json")))
region = args[args.index("--region") + 1]
if args[:2] == ["sts", "get-caller-identity"]:
    print(json.dumps({{"Account": os.environ.get("FAKE_AWS_ACCOUNT", "123456789012")}}))
elif args[:2] == ["cloudformation", "describe-stacks"]:
    found = [
        {{
            "StackName": n,
            "StackStatus": s.get("status", "CREATE_COMPLETE"),
            "Tags": [{{"Key": k, "Value": v}} for k, v in s["tags"].items()],
        }}
        for n, s in stacks.items() if s["region"] == region
    ]
    print(json.dumps({{"Stacks": found}}))
elif args[:2] == ["cloudformation", "get-template"]:
    name = args[args.index("--stack-name") + 1]
    stack = stacks.get(name)
    if stack is None or stack["region"] != region:
        sys.stderr.write(
            "\\nAn error occurred (ValidationError) when calling the GetTemplate operation: "
            f"Stack with id {{name}} does not exist\\n"
        )
        sys.exit(254)
    print(json.dumps({{"TemplateBody": stack["template"], "StagesAvailable": ["Original"]}}))
else:
    sys.exit(2)
"""


def _deployed(tmp: Path, text: str) -> dict[str, dict[str, Any]]:
    """The stacks ``text`` (a blueprint) builds, as deploy.sh would have deployed them."""
    source = tmp / "deployed.yaml"
    source.write_text(text)
    build = render(check(source, "blueprint.yaml"))
    return {
        s.name: {
            "region": s.region,
            "tags": {} if s.shared else {"blueprint:name": "linebot"},
            "template": s.data,
        }
        for s in build.stacks
    }


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in ``aws`` first on PATH; its state folder."""
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    program = bin_dir / "aws"
    program.write_text(STAND_IN.format(python=sys.executable))
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    monkeypatch.setenv("FAKE_AWS_STATE", str(state))
    monkeypatch.chdir(tmp_path)
    return state


def _calls(state: Path) -> list[list[str]]:
    return [json.loads(line) for line in (state / "calls.jsonl").read_text().splitlines()]


def test_diff_deployed_reads_each_stack_and_shows_the_change(
    stand_in: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "blueprint.yaml").read_text()
    (stand_in / "stacks.json").write_text(json.dumps(_deployed(tmp_path, text)))
    (tmp_path / "blueprint.yaml").write_text(text)
    assert main(["diff", "--deployed"]) == diff.EXIT_NO_CHANGES
    assert capsys.readouterr().out == "no changes\n"
    listed = "cloudformation describe-stacks --region ap-northeast-1 --output json"
    read = (
        "cloudformation get-template --stack-name {} --region ap-northeast-1 "
        "--template-stage Original --output json"
    )
    assert _calls(stand_in) == [
        listed.split(),
        read.format("linebot").split(),
        read.format("linebot-service-bot").split(),
        read.format("linebot-zones").split(),
    ]
    (tmp_path / "blueprint.yaml").write_text(text.replace("cpu: 256", "cpu: 512", 1))
    assert main(["diff", "--deployed", "--format", "tsv"]) == diff.EXIT_CHANGES
    assert capsys.readouterr().out == (
        "linebot-service-bot\tBotService\tin_place\n"
        "linebot-service-bot\tBotTaskDefinition\treplaced\n"
    )


def test_a_stack_not_deployed_is_added_and_one_no_longer_built_is_removed(
    stand_in: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "blueprint.yaml").read_text()
    stacks = _deployed(tmp_path, text)
    stacks["linebot-service-old"] = {**stacks.pop("linebot-service-bot")}
    # a first create that failed left the main stack: nothing of it exists
    stacks["linebot"]["status"] = "ROLLBACK_COMPLETE"
    # another blueprint's stack in the region, and an untagged one: neither is this one's
    stacks["other-service-bot"] = {**stacks["linebot-service-old"], "tags": {"blueprint:name": "x"}}
    stacks["loose"] = {**stacks["linebot-service-old"], "tags": {}}
    (stand_in / "stacks.json").write_text(json.dumps(stacks))
    (tmp_path / "blueprint.yaml").write_text(text)
    assert main(["diff", "--deployed"]) == diff.EXIT_DATA_LOSS  # the old stack's log group
    lines = capsys.readouterr().out.splitlines()
    assert "stack linebot (ap-northeast-1): added" in lines
    assert "stack linebot-service-bot (ap-northeast-1): added" in lines
    assert "stack linebot-service-old (ap-northeast-1): removed" in lines
    assert not [line for line in lines if "other-service-bot" in line or "loose" in line]
    # two templates read: the stacks of this blueprint with something deployed
    assert [c[:4] for c in _calls(stand_in) if c[1] == "get-template"] == [
        ["cloudformation", "get-template", "--stack-name", "linebot-service-old"],
        ["cloudformation", "get-template", "--stack-name", "linebot-zones"],
    ]


def test_an_aws_error_is_a_clear_message_and_exit_1(
    stand_in: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "blueprint.yaml").write_text((ROOT / "blueprint.yaml").read_text())
    monkeypatch.setenv("FAKE_AWS_FAIL", "\nUnable to locate credentials. You can configure ...")
    assert main(["diff", "--deployed"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "aws:1:1: aws cloudformation describe-stacks --region ap-northeast-1: Unable to locate "
        "credentials. You can configure ...\n"
    )
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert main(["diff", "--deployed"]) == 1
    assert "the AWS CLI ('aws') is not installed or not on PATH" in capsys.readouterr().err


def test_deployed_and_against_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["diff", "--deployed", "--against", "HEAD"])
    assert stopped.value.code == 3
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.exhaustive
def test_diff_deployed_against_moto_after_deploy_sh(
    moto_server: Aws,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    """The real CLI against moto: before any deploy the stack is added; deploy.sh deploys
    the build; an unchanged blueprint then shows no changes, and a key attribute's new type
    shows the table replaced, as a data-loss risk."""
    source = (ROOT / "tests" / "golden" / "table_on_demand.yaml").read_text()
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(source.replace("us-east-1", "ap-northeast-1"))

    def blueprint_diff(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BLUEPRINT, "diff", str(blueprint), "--deployed", *extra],
            capture_output=True, text=True, check=False, env=moto_server.env, cwd=tmp_path,
        )  # fmt: skip

    before = blueprint_diff()
    assert before.returncode == diff.EXIT_CHANGES, before.stdout + before.stderr
    assert "stack ledger (ap-northeast-1): added" in before.stdout.splitlines()
    assert build(blueprint, tmp_path / "out") == [("ap-northeast-1", "ledger")]
    deployed = moto_server.deploy(tmp_path / "out")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    same = blueprint_diff()
    assert (same.returncode, same.stdout) == (diff.EXIT_NO_CHANGES, "no changes\n"), same.stderr
    blueprint.write_text(blueprint.read_text().replace("type: N", "type: S"))
    changed = blueprint_diff("--format", "tsv")
    assert changed.returncode == diff.EXIT_DATA_LOSS, changed.stdout + changed.stderr
    assert changed.stdout == "ledger\tEntriesTable\treplaced\n"


ACCOUNTS = """\
name: notes
region: eu-west-1
queues:
  jobs: {}
environments:
  dev: {}
  prod:
    account: "222222222222"
"""


def test_diff_deployed_refuses_another_accounts_credentials(
    stand_in: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (stand_in / "stacks.json").write_text("{}")
    (tmp_path / "blueprint.yaml").write_text(ACCOUNTS)
    monkeypatch.setenv("FAKE_AWS_ACCOUNT", "111111111111")
    assert main(["diff", "--deployed", "--env", "prod"]) == 1
    assert capsys.readouterr().err == (
        "aws:1:1: these credentials are for account 111111111111; environment prod deploys "
        "to account 222222222222: use credentials of account 222222222222 (AWS_PROFILE, "
        "AWS_ACCESS_KEY_ID) to compare with its stacks\n"
    )
    # nothing read: every stack would have shown as added
    assert [c[:2] for c in _calls(stand_in)] == [["sts", "get-caller-identity"]]
    # dev names no account: compared under any credentials
    assert main(["diff", "--deployed", "--env", "dev"]) == diff.EXIT_CHANGES
    monkeypatch.setenv("FAKE_AWS_ACCOUNT", "222222222222")
    assert main(["diff", "--deployed", "--env", "prod"]) == diff.EXIT_CHANGES
    assert "stack notes-prod (eu-west-1): added" in capsys.readouterr().out
