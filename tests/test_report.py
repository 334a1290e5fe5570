"""How problems reach the user: each format of a problem, the order, what fails a run, and
the exit code and message of a refused blueprint or a stopped command."""

from __future__ import annotations

import json

import pytest

from generator import report
from generator.cli import main
from generator.codes import Code
from generator.errors import BlueprintError, InternalError, Problem, Severity
from generator.exits import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_USAGE

from .conftest import ROOT

ERROR = Problem("bp.yaml", 7, 3, "services.api.cpu", "100% of 3\r\nlines", code=Code.FARGATE_SIZE)
WARNING = Problem(
    "bp.yaml", 2, 1, "", "looks like a secret", Severity.WARNING, code=Code.SECRET_IN_PLAIN_TEXT
)


def test_text_is_one_located_line_per_problem_sorted_by_place() -> None:
    """A line break in a message is printed escaped: one problem, one line."""
    assert report.formatted([ERROR, WARNING], "text") == (
        "bp.yaml:2:1: warning: looks like a secret\n"
        "bp.yaml:7:3: services.api.cpu: 100% of 3\\r\\nlines\n"
    )


def test_json_is_a_list_of_objects_with_every_field() -> None:
    text = report.formatted([ERROR, WARNING], "json")
    assert text.endswith("]\n")
    assert json.loads(text) == [
        {
            "file": "bp.yaml",
            "line": 2,
            "column": 1,
            "path": "",
            "severity": "warning",
            "code": "secret-in-plain-text",
            "message": "looks like a secret",
        },
        {
            "file": "bp.yaml",
            "line": 7,
            "column": 3,
            "path": "services.api.cpu",
            "severity": "error",
            "code": "fargate-size",
            "message": "100% of 3\r\nlines",
        },
    ]
    assert report.formatted([], "json") == "[]\n"


def test_github_annotations_escape_what_would_end_the_command() -> None:
    assert report.formatted([ERROR, WARNING], "github") == (
        "::warning file=bp.yaml,line=2,col=1::looks like a secret\n"
        "::error file=bp.yaml,line=7,col=3::services.api.cpu: 100%25 of 3%0D%0Alines\n"
    )
    assert report.formatted([], "github") == ""


def test_errors_fail_a_run_and_warnings_only_when_strict() -> None:
    assert (report.failed([ERROR], False), report.failed([ERROR, WARNING], True)) == (True, True)
    assert (report.failed([WARNING], False), report.failed([WARNING], True)) == (False, True)
    assert (report.failed([], False), report.failed([], True)) == (False, False)


def test_a_refused_file_exits_3_and_a_refused_blueprint_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = Problem("nope.yaml", 1, 1, "", "no such file", code=Code.FILE_UNREADABLE)
    assert report.refused(BlueprintError([missing]), "text") == EXIT_USAGE
    assert report.refused(BlueprintError([ERROR, WARNING]), "github") == EXIT_INVALID
    assert capsys.readouterr().err == (
        "nope.yaml:1:1: no such file\n"
        "::warning file=bp.yaml,line=2,col=1::looks like a secret\n"
        "::error file=bp.yaml,line=7,col=3::services.api.cpu: 100%25 of 3%0D%0Alines\n"
    )


def test_a_stopped_command_says_why_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert report.stopped(InternalError("rendering failed")) == EXIT_INTERNAL
    assert report.stopped(KeyboardInterrupt()) == EXIT_INTERRUPTED
    assert report.stopped(OSError(28, "No space left on device", "out/a.json")) == EXIT_USAGE
    assert capsys.readouterr().err == (
        "blueprint: internal error: rendering failed. This is a bug in blueprint, not in "
        "your file; nothing was written.\n"
        "blueprint: interrupted; nothing was written\n"
        "blueprint: out/a.json: No space left on device\n"
    )


@pytest.mark.parametrize(("fmt", "err"), [("json", "[]\n"), ("github", ""), ("text", "")])
def test_a_valid_blueprint_prints_its_verdict_only_as_text(
    fmt: str, err: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "--format", fmt]) == 0
    out = "blueprint.yaml: valid (0 warning(s))\n" if fmt == "text" else ""
    assert capsys.readouterr() == (out, err)
