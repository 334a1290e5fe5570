"""The pre-commit hooks, run the way pre-commit runs them (the entry, no file names) in a
repository started from an example: valid and fresh pass; a stale build or a broken
blueprint fails the commit, and neither hook writes anything."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.exits import EXIT_INVALID, EXIT_OK, EXIT_STALE

from .conftest import ROOT

HOOKS = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def run_hook(hook_id: str) -> int:
    hook = HOOKS[hook_id]
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    command = shlex.split(hook["entry"])
    assert command[0] == "blueprint"  # the console script pip installs
    return main(command[1:])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_hooks_are_declared() -> None:
    assert sorted(HOOKS) == ["blueprint-fresh", "blueprint-validate"]


def test_hooks_on_an_example_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--example", "chatbot-fargate-spot"]) == EXIT_OK
    # before any build, the templates are missing: stale
    assert run_hook("blueprint-validate") == EXIT_OK
    assert run_hook("blueprint-fresh") == EXIT_STALE
    assert not (tmp_path / "templates_out").exists()
    assert main(["build"]) == EXIT_OK
    assert run_hook("blueprint-fresh") == EXIT_OK
    # an edit without a rebuild: the hook fails and names the stale file
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(blueprint.read_text().replace("memory: 2048", "memory: 1024", 1))
    capsys.readouterr()
    before = snapshot(tmp_path)
    assert run_hook("blueprint-fresh") == EXIT_STALE
    assert "templates_out/ is stale: linebot-service-bot.json differ" in capsys.readouterr().err
    # a broken blueprint fails validation with its line
    blueprint.write_text(blueprint.read_text().replace("cpu: 256", "cpu: 300"))
    assert run_hook("blueprint-validate") == EXIT_INVALID
    assert "blueprint.yaml:34:10: services.bot.cpu:" in capsys.readouterr().err
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k != "blueprint.yaml"} == {
        k: v for k, v in before.items() if k != "blueprint.yaml"
    }
