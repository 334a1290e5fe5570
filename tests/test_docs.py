"""docs/examples.md is generated from the examples (blueprint, diagram, cost) and kept
fresh here: `pytest --update-golden` rewrites it. The commands it shows are run too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import cost, graph, starter
from generator.cli import main
from generator.exits import EXIT_OK
from generator.pipeline import Checked, check, check_each

from .conftest import ROOT

DOC = ROOT / "docs" / "examples.md"


def examples_doc() -> str:
    parts = [
        "# Examples\n",
        "Each example is one of the architectures blueprint was built for. Start from one "
        "with `blueprint init --example NAME`. The diagrams come from `blueprint graph` and "
        "the estimates from `blueprint cost`; this page is generated from `examples/` and "
        "checked by `tests/test_docs.py`.\n",
    ]
    for found in starter.examples():
        path = ROOT / "examples" / f"{found.name}.yaml"
        parts += [f"## {found.name}\n", f"{found.summary}.\n", f"```yaml\n{found.text}```\n"]
        for checked in check_each(path, f"examples/{path.name}"):
            parts += _drawn_and_priced(checked)
    return "\n".join(parts)


def _drawn_and_priced(checked: Checked) -> list[str]:
    """An example's diagram and estimate (each environment's, under its name)."""
    estimate = cost.estimate(checked)
    rows = "".join(
        f"| {line.component} | {line.item} | ${line.monthly:,.2f} |\n"
        for line in estimate.lines
        if line.monthly is not None and line.monthly > 0
    )
    named = [f"### Environment {checked.environment}\n"] if checked.environment else []
    return [
        *named,
        f"```mermaid\n{graph.render(checked, 'mermaid')}```\n",
        f"Estimated monthly cost in {estimate.region}: **${estimate.total:,.2f}** "
        f"(prices of {estimate.prices_date}; traffic and storage that the blueprint "
        "cannot know are priced per unit by `blueprint cost`, not included here).\n",
        "| Component | Item | Per month |\n| --- | --- | ---: |\n" + rows,
    ]


def test_examples_doc_is_fresh(update_golden: bool) -> None:
    text = examples_doc()
    if update_golden:
        DOC.write_text(text)
    assert DOC.read_text() == text, "docs/examples.md is stale: run pytest --update-golden"


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_command_prints_the_drawing(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "chatbot-fargate-spot.yaml"
    assert main(["graph", str(path), "--format", fmt]) == EXIT_OK
    expected = graph.render(check(path), fmt)
    assert capsys.readouterr().out == expected
    assert expected.startswith("flowchart LR\n" if fmt == "mermaid" else "digraph")


def test_cost_command_json_sums_to_the_printed_total(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "ghost-fargate-efs-cloudfront.yaml")
    assert main(["cost", path]) == EXIT_OK
    printed = capsys.readouterr().out
    assert main(["cost", path, "--format", "json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    lines = [line["monthly"] for line in data["lines"] if line["monthly"] is not None]
    assert round(sum(lines), 2) == data["total"]
    assert f"${data['total']:,.2f}" in printed


def test_cost_and_graph_report_an_invalid_blueprint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "blueprint.yaml"
    bad.write_text("name: x\nregion: ap-northeast-1\nservces: {}\n")
    for command in ("cost", "graph"):
        assert main([command, str(bad)]) == 1
        assert "blueprint.yaml:3:1: servces:" in capsys.readouterr().err
