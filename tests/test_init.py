"""``blueprint init``: every shipped example starts a project that builds, in a folder that
holds nothing else; nothing already there is overwritten unless asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import starter
from generator.cli import main
from generator.exits import EXIT_OK, EXIT_USAGE

from .conftest import ROOT

EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.yaml"))


def test_the_package_ships_every_example() -> None:
    assert [e.name for e in starter.examples()] == EXAMPLES
    for found in starter.examples():
        assert found.text == (ROOT / "examples" / f"{found.name}.yaml").read_text()


def test_list_names_each_example_with_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--list"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == EXAMPLES
    summaries = dict(line.split(maxsplit=1) for line in lines)
    assert summaries["chatbot-fargate-spot"] == "A LINE chat-bot webhook"
    assert summaries["ghost-fargate-efs-cloudfront"] == (
        "A Ghost blog for about a thousand yen a month"
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_init_then_build_in_an_empty_folder(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--example", name]) == EXIT_OK
    text = (tmp_path / "blueprint.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=blueprint.schema.json\n")
    schema = json.loads((tmp_path / "blueprint.schema.json").read_text())
    assert schema["title"] == "blueprint"
    assert main(["build"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "cfn-lint 0 error(s) 0 warning(s)" in out
    # the templates are the example's own: the same as the expected ones
    expected = ROOT / "tests" / "golden" / "examples" / name
    # (of an example with environments, each in its folder)
    for path in expected.rglob("*.json"):
        built = tmp_path / "templates_out" / path.relative_to(expected)
        assert built.read_text() == path.read_text()


def test_init_refuses_to_overwrite_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "blueprint.yaml"
    target.write_text("name: mine\n")
    assert main(["init", str(target)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"{target}: already there; nothing was written (--force replaces)" in err
    assert target.read_text() == "name: mine\n"
    assert not (tmp_path / "blueprint.schema.json").exists()
    assert main(["init", str(target), "--force"]) == EXIT_OK
    assert "name: linebot" in target.read_text()


def test_init_names_the_examples_when_one_is_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--example", "chatbot", str(tmp_path / "b.yaml")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "no example named 'chatbot'; the examples are: chatbot-fargate-spot," in err
    assert list(tmp_path.iterdir()) == []
