"""The account-level stack: API Gateway's CloudWatch Logs role, one setting per account and
region, in a stack of its own that every blueprint with a logging WebSocket API deploys
alike (same name, same template, no blueprint tags), first; and diff, cost and graph read a
build that has it."""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cost, diff, facts, graph
from generator.naming import ACCOUNT_STACK
from generator.pipeline import Build, check, render

from .conftest import HERE, ROOT

ACCOUNT_TYPE = "AWS::ApiGateway::Account"
TEMPLATES = sorted((HERE / "golden").rglob("*.json"))


@pytest.fixture(scope="module")
def chat() -> Build:
    return render(check(ROOT / "examples" / "websocket-lambda-dynamodb.yaml"))


def _without_account(build: Build) -> Build:
    kept = [s for s in build.stacks if s.name != ACCOUNT_STACK]
    assert len(kept) == len(build.stacks) - 1
    return dataclasses.replace(build, stacks=kept)


def _build(tmp_path: Path, data: dict[str, Any]) -> Build:
    if not (tmp_path / "files").exists():
        shutil.copytree(ROOT / "examples" / "files", tmp_path / "files")
    path = tmp_path / "blueprint.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return render(check(path, "blueprint.yaml"))


def _chat_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "examples" / "websocket-lambda-dynamodb.yaml").read_text()
    )
    return data


# --- what the stack is ---------------------------------------------------------------------


def test_only_the_account_stack_sets_the_account() -> None:
    """No template of a blueprint holds AWS::ApiGateway::Account but the account stack's;
    and the goldens have such a stack to look at."""
    holders = set()
    for path in TEMPLATES:
        resources = json.loads(path.read_text()).get("Resources", {})
        if any(r["Type"] == ACCOUNT_TYPE for r in resources.values()):
            holders.add(path.name)
    assert holders == {f"{ACCOUNT_STACK}.json"}


def test_every_blueprint_writes_the_same_account_template() -> None:
    """Two blueprints in different regions, with different names and tags: byte for byte
    the same template, so neither undoes the other's deploy."""
    texts = {p.read_bytes() for p in TEMPLATES if p.name == f"{ACCOUNT_STACK}.json"}
    assert len([p for p in TEMPLATES if p.name == f"{ACCOUNT_STACK}.json"]) >= 2
    assert len(texts) == 1
    template = json.loads(texts.pop())
    assert "Tags" not in json.dumps(template)
    for logical_id, resource in template["Resources"].items():
        assert resource["DeletionPolicy"] == "RetainExceptOnCreate", logical_id
        assert resource["UpdateReplacePolicy"] == "Retain", logical_id


def test_it_is_deployed_first_untagged_and_idempotently(chat: Build) -> None:
    # then the zones stack (docs/stacks.md)
    assert [s.name for s in chat.stacks] == [ACCOUNT_STACK, "chat-zones", "chat"]
    script = chat.deploy_script
    account = script.index(f"--stack-name {ACCOUNT_STACK}")
    assert account < script.index("--stack-name chat-zones") < script.index("--stack-name chat ")
    command = script[account : script.index("--no-fail-on-empty-changeset", account)]
    assert "--tags" not in command
    assert f'--template-file "$here/{ACCOUNT_STACK}.json"' in command
    assert "--capabilities CAPABILITY_IAM" in command
    # the blueprint's own stack keeps its tag
    assert "--tags blueprint:name=chat" in script[account + len(command) :]


def test_no_account_stack_without_an_api_that_logs(tmp_path: Path) -> None:
    quiet = _chat_data()
    for api in quiet["websocket_apis"].values():
        api.setdefault("stage", {})["logging_level"] = "OFF"
    assert [s.name for s in _build(tmp_path, quiet).stacks] == ["chat-zones", "chat"]
    bare = render(check(ROOT / "examples" / "chatbot-fargate-spot.yaml"))
    assert ACCOUNT_STACK not in [s.name for s in bare.stacks]
    assert ACCOUNT_STACK not in bare.deploy_script


def test_the_stage_does_not_wait_for_a_resource_of_another_stack(chat: Build) -> None:
    main = next(s for s in chat.stacks if s.name == "chat")
    stage = main.data["Resources"]["ChatApiStage"]
    assert "DependsOn" not in stage
    assert stage["Properties"]["DefaultRouteSettings"]["LoggingLevel"] == "INFO"


# --- diff, cost and graph ------------------------------------------------------------------


def test_diff_names_the_move_from_the_main_stack_without_data_loss(chat: Build) -> None:
    """A build from before the account stack: its main stack held the role and the
    setting. They move (the new stack deploys first and takes the setting over)."""
    new = {s.name: s.data for s in chat.stacks}
    regions = {s.name: s.region for s in chat.stacks}
    old = copy.deepcopy({"chat": new["chat"]})
    old["chat"]["Resources"].update(copy.deepcopy(new[ACCOUNT_STACK]["Resources"]))
    report = diff.compare(old, new, regions, "ap-northeast-1")
    lines = diff.text(report).splitlines()
    assert f"stack {ACCOUNT_STACK} (ap-northeast-1): added" in lines
    assert (
        f"  - ApiGatewayAccount ({ACCOUNT_TYPE}): removed (moves to stack {ACCOUNT_STACK}: "
        "deleted here, created new there)"
    ) in lines
    assert f"  + ApiGatewayAccount ({ACCOUNT_TYPE}): added (moved from stack chat)" in lines
    assert not report.data_loss
    assert report.exit_code == diff.EXIT_CHANGES


def test_diff_of_an_unchanged_build_with_the_account_stack(chat: Build) -> None:
    templates = {s.name: s.data for s in chat.stacks}
    regions = {s.name: s.region for s in chat.stacks}
    report = diff.compare(copy.deepcopy(templates), templates, regions, "ap-northeast-1")
    assert report.exit_code == diff.EXIT_NO_CHANGES


def test_cost_reads_the_account_stack_and_prices_nothing_in_it(chat: Build) -> None:
    """The role and the setting are free: the estimate is the same with or without them,
    and the facts hold them (so the test ties priced lines to every stack)."""
    read = facts.read(chat)
    assert {r.logical_id for r in read.resources if r.stack == ACCOUNT_STACK} == {
        "ApiGatewayAccount",
        "ApiGatewayLoggingRole",
    }
    bp = chat.checked.blueprint
    with_it = cost.priced(bp, read)
    assert with_it.total > 0
    assert with_it == cost.priced(bp, facts.read(_without_account(chat)))


def test_graph_reads_the_account_stack_and_draws_nothing_of_it(chat: Build) -> None:
    bp = chat.checked.blueprint
    drawn = graph.build(bp, facts.read(chat))
    assert drawn.nodes
    assert drawn == graph.build(bp, facts.read(_without_account(chat)))
    text = graph.render(check(ROOT / "examples" / "websocket-lambda-dynamodb.yaml"))
    assert "WebSocket API chat" in text
    assert "ApiGatewayAccount" not in text
