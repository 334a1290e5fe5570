"""The command line as a user meets it: exit codes, located messages, nothing lost."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator import runtime, uptodate
from generator.cli import main
from generator.commands import build
from generator.report import Format

from .conftest import ROOT

GOOD = (ROOT / "blueprint.yaml").read_text()


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blueprint.yaml").write_text(GOOD)
    return tmp_path


def test_build_writes_templates_and_deploy_script(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert (
        "stack linebot-zones (ap-northeast-1): 1 resources, cfn-lint 0 error(s) 0 warning(s)" in out
    )
    assert "stack linebot (ap-northeast-1): 35 resources, cfn-lint 0 error(s) 0 warning(s)" in out
    assert (
        "stack linebot-service-bot (ap-northeast-1): 11 resources, cfn-lint 0 error(s) "
        "0 warning(s)" in out
    )
    assert "deploy: bash templates_out/deploy.sh" in out
    template = json.loads((workdir / "templates_out" / "linebot.json").read_text())
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    script = workdir / "templates_out" / "deploy.sh"
    assert script.stat().st_mode & 0o111, "deploy.sh is executable"
    text = script.read_text()
    for part in (
        "aws cloudformation deploy",
        "--region ap-northeast-1",
        "--stack-name linebot",
        '--template-file "$here/linebot.json"',
        "--capabilities CAPABILITY_IAM",
        "--no-fail-on-empty-changeset",
    ):
        assert part in text


def test_two_builds_are_byte_identical(workdir: Path) -> None:
    assert main(["build", "--out", "one"]) == 0
    assert main(["build", "--out", "two"]) == 0
    assert snapshot(workdir / "one") == snapshot(workdir / "two")


def test_validate_writes_nothing(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "blueprint.yaml: valid (0 warning(s))" in capsys.readouterr().out
    assert not (workdir / "templates_out").exists()


BAD = {
    "misspelled_key": (
        ("    desired_count: 1\n", "    desired_cout: 1\n"),
        "blueprint.yaml:37:5: services.bot.desired_cout: unknown key 'desired_cout'; "
        "did you mean 'desired_count'?",
    ),
    "route_to_unknown_service": (
        ("      - service: bot ", "      - service: bto "),
        "blueprint.yaml:28:18: load_balancers.web.routes[0].service: unknown service 'bto'; "
        "did you mean 'bot'? (defined: 'bot')",
    ),
    "fargate_256_4096": (
        ("    memory: 2048\n", "    memory: 4096\n"),
        "blueprint.yaml:35:13: services.bot.memory: 4096 MiB is not a Fargate size for cpu 256: "
        "it takes 512, 1024, 2048; 4096 MiB fits cpu 512, 1024 or 2048",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_blueprint_exits_1_located_and_leaves_output_alone(
    case: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    before = snapshot(workdir / "templates_out")
    (old, new), expected = BAD[case]
    assert old in GOOD
    (workdir / "blueprint.yaml").write_text(GOOD.replace(old, new, 1))
    capsys.readouterr()
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [expected]
    assert snapshot(workdir / "templates_out") == before


def test_formats_json_and_github(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "blueprint.yaml").write_text(
        GOOD.replace("    desired_count: 1\n", "    desired_cout: 1\n", 1)
    )
    assert main(["validate", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    [finding] = json.loads(out)
    assert finding == {
        "file": "blueprint.yaml",
        "line": 37,
        "column": 5,
        "path": "services.bot.desired_cout",
        "severity": "error",
        "code": "key-unknown",
        "message": "unknown key 'desired_cout'; did you mean 'desired_count'?",
    }
    assert main(["validate", "--format", "github"]) == 1
    assert capsys.readouterr() == (
        "::error file=blueprint.yaml,line=37,col=5::services.bot.desired_cout: unknown key "
        "'desired_cout'; did you mean 'desired_count'?\n",
        "",
    )


def test_json_redirected_to_a_file_is_the_whole_output(workdir: Path) -> None:
    """`blueprint validate X --format json > out.json`: the file parses; nothing else is in it."""
    (workdir / "blueprint.yaml").write_text(GOOD.replace("    cpu: 256\n", "    cpu: 257\n", 1))
    with (workdir / "out.json").open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "validate", "blueprint.yaml", "--format", "json"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (done.returncode, done.stderr) == (1, "")
    [finding] = json.loads((workdir / "out.json").read_text())
    assert (finding["line"], finding["code"]) == (34, "fargate-size")


def test_a_build_in_a_machine_format_keeps_standard_output_for_it(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Problems (here a warning) on standard output, parseable; what was built on
    standard error; the same when an unchanged build replays it, and with --check. (JSON
    and GitHub annotations take the same path: the redirect test above and
    test_formats_json_and_github.)"""
    fmt: Format = "sarif"
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(workdir / "cache"))
    (workdir / "blueprint.yaml").write_text(
        GOOD.replace("NEWS_BUCKET: linebot-news-data", "API_TOKEN: abc123", 1)
    )
    printed = []
    for args in (["build"], ["build"], ["build", "--check"]):
        assert main([*args, "--format", fmt]) == 0
        out, err = capsys.readouterr()
        [problem] = json.loads(out)["runs"][0]["results"]
        assert "'API_TOKEN' looks like a secret" in str(problem)
        printed.append((out, err))
        key = build.Options(format=fmt).key
        assert uptodate.recorded(Path("blueprint.yaml"), Path("templates_out"), key)
    assert printed[0] == printed[1]
    assert printed[0][1].endswith("deploy: bash templates_out/deploy.sh\n")
    assert printed[2] == (printed[0][0], "templates_out/ is fresh\n")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert capsys.readouterr() == (f"blueprint {project['version']}\n", "")


def test_missing_file_and_usage_errors_exit_3(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "nope.yaml"]) == 3
    assert capsys.readouterr().err == "nope.yaml:1:1: no such file\n"
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 3


def test_lint_error_exits_2_and_writes_nothing(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lint error found in a template maps back to the blueprint entry that made it."""
    from generator import pipeline
    from generator.lint import Finding

    def fake_lint(text: str, region: str) -> list[Finding]:
        if '"BotService": {' not in text:
            return []
        return [Finding(7, 3, "E3012", "bad value", ("Resources", "BotService", "Properties"))]

    monkeypatch.setattr("generator.lint.lint", fake_lint)
    assert pipeline  # the pipeline imports lint lazily, so the patch is what it runs
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == (
        "blueprint.yaml:33:3: services.bot: cfn-lint E3012 in linebot-service-bot.json line 7 "
        "(Resources/BotService/Properties): bad value"
    )
    assert not (workdir / "templates_out").exists()


def test_console_command_runs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "blueprint.yaml"
    bad.write_text("name: x\nregion: ap-northeast-1\nservices: [1, 2\n")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{bad}:4:1: YAML syntax: ")


def test_examples_build_from_the_command_line(tmp_path: Path) -> None:
    """Each example builds; one with environments into a folder per environment, each
    holding the files of that environment's golden, its templates byte for byte."""
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        out = tmp_path / example.stem
        assert main(["build", str(example), "--out", str(out)]) == 0
        assert (out / "deploy.sh").is_file() or example.stem == "environments"
    envs = tmp_path / "environments"
    assert sorted(p.name for p in envs.iterdir()) == ["dev", "prod"]
    for env in ("dev", "prod"):
        golden = ROOT / "tests" / "golden" / "examples" / "environments" / env
        assert sorted(p.name for p in (envs / env).iterdir()) == sorted(
            [".blueprint-files", *(p.name for p in golden.iterdir())]
        )
        for expected in golden.glob("*.json"):  # deploy.sh names the blueprint as typed
            assert (envs / env / expected.name).read_bytes() == expected.read_bytes()
    shutil.rmtree(tmp_path)


def test_renamed_stack_removes_only_the_old_build_files(workdir: Path) -> None:
    out = workdir / "templates_out"
    assert main(["build"]) == 0
    (out / "notes.txt").write_text("mine")
    text = (workdir / "blueprint.yaml").read_text().replace("name: linebot", "name: chatbot")
    (workdir / "blueprint.yaml").write_text(text)
    assert main(["build"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".blueprint-files",
        "chatbot-service-bot.json",
        "chatbot-zones.json",
        "chatbot.json",
        "deploy.sh",
        "notes.txt",
    ]


@pytest.mark.parametrize("fail_at", [1, 2])
def test_crash_while_writing_leaves_previous_build_and_no_temp_files(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """A first build into an empty folder writes three files; a crash at the first or
    second of them must leave the folder as it was: empty, with no temporary files."""
    out = workdir / "templates_out"
    out.mkdir()
    calls = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr("generator.output.os.fsync", failing_fsync)
    assert main(["build"]) == 3
    assert len(calls) == fail_at
    assert list(out.iterdir()) == []


def test_interrupt_while_writing_leaves_previous_build(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    out = workdir / "templates_out"
    before = snapshot(out)
    text = (workdir / "blueprint.yaml").read_text().replace("cpu: 256", "cpu: 512", 1)
    (workdir / "blueprint.yaml").write_text(text)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.output.os.fsync", interrupted)
    assert main(["build"]) == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err
    assert snapshot(out) == before


def test_internal_error_is_reported_without_traceback_and_writes_nothing(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    before = snapshot(workdir / "templates_out")

    def broken(ctx: object) -> None:
        raise ValueError("a renderer bug")

    from generator.render import stacks

    monkeypatch.setattr(
        stacks, "RENDERERS", (*stacks.RENDERERS, stacks.Renderer((), lambda: broken))
    )
    capsys.readouterr()
    assert main(["build"]) == 4
    err = capsys.readouterr().err
    assert err == (
        "blueprint: internal error: rendering failed: ValueError('a renderer bug'). This is a "
        "bug in blueprint, not in your file; nothing was written.\n"
    )
    assert snapshot(workdir / "templates_out") == before


def test_warnings_pass_unless_strict(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        (workdir / "blueprint.yaml")
        .read_text()
        .replace("NEWS_BUCKET: linebot-news-data", "API_TOKEN: abc123", 1)
    )
    (workdir / "blueprint.yaml").write_text(text)
    assert main(["build"]) == 0
    assert "warning: 'API_TOKEN' looks like a secret" in capsys.readouterr().err
    assert main(["validate", "--strict"]) == 1
    assert main(["build", "--strict", "--out", "strict"]) == 1
    assert not (workdir / "strict").exists()


def test_a_blueprint_over_a_stacks_limit_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """More than 450 resources in the main stack (services have stacks of their own, but
    buckets do not): a clear error at the entry that does not fit, not a crash."""
    lines = ["name: big", "region: ap-northeast-1", "buckets:"]
    lines += [f"  b{i:03d}: {{}}" for i in range(240)]
    lines += ["services:"]
    for i in range(100):
        lines += [f"  s{i:03d}:", "    containers:", f"      app: {{image: 'x/s{i}:1'}}"]
    path = tmp_path / "blueprint.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    # each bucket's name and ARN are outputs too (what a reference names): over that limit
    [outputs] = [line for line in err if " outputs; " in line]
    assert outputs.startswith(f"{path}:1:1: stack big would hold 484 outputs; ")
    [resources] = [line for line in err if line != outputs]
    assert resources.startswith(f"{path}:")
    assert re.search(r": buckets\.b\d+: stack big would hold \d{3} resources; ", resources)
    assert (
        "resources; blueprint keeps a stack at 450 or fewer (CloudFormation's quota is 500)"
        in resources
    )


# --- interrupted builds: the folder is one whole build, old or new --------------------

OLD = {"a.json": b"old a\n", "b.json": b"old b\n", "deploy.sh": b"old\n", "gone.json": b"x\n"}
NEW = {"a.json": b"new a\n", "b.json": b"new b\n", "deploy.sh": b"new\n", "c.json": b"c\n"}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def whole(files: dict[str, bytes]) -> dict[str, bytes]:
    """A build's folder as write_all leaves it: its files and the manifest, nothing else."""
    return {**files, ".blueprint-files": "".join(f"{n}\n" for n in sorted(files)).encode()}


class Killed(BaseException):
    """Stands for a kill: nothing after it runs."""


@pytest.mark.parametrize("kill_at", range(6))
def test_a_kill_between_renames_is_finished_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kill_at: int
) -> None:
    """Renames: the journal (0), then the 4 changed files and the manifest (1-5)."""
    from generator import output

    out = tmp_path / "out"
    output.write_all(out, OLD, modes={})
    real = os.replace
    calls: list[str] = []

    def replace(src: object, dst: object) -> None:
        calls.append(str(dst))
        if len(calls) > kill_at:
            raise Killed
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(Killed):
        output.write_all(out, NEW, modes={})
    monkeypatch.setattr(output.os, "replace", real)
    left = contents(out)
    committed = output.JOURNAL in left
    assert committed == (kill_at > 0)
    if not committed:  # before the commit point: the old build, and nothing staged
        assert left == whole(OLD)
    output.recover(out)  # what the next build does first
    assert contents(out) == whole(NEW if committed else OLD)
    output.write_all(out, NEW, modes={})
    assert contents(out) == whole(NEW)


_CHILD = """
import os, signal, sys
from pathlib import Path
from generator import output
old, new = {old!r}, {new!r}
out = Path(sys.argv[1])
output.write_all(out, old, modes={{}})
real_fsync, real_replace, count = os.fsync, os.replace, [0]
def fsync(fd):
    count[0] += 1
    if sys.argv[2] == "staging" and count[0] == 2:
        os.kill(os.getpid(), signal.SIGTERM)
    real_fsync(fd)
def replace(src, dst):
    if sys.argv[2] == "renames" and str(dst).endswith("b.json"):
        os.kill(os.getpid(), signal.SIGTERM)
    real_replace(src, dst)
output.os.fsync, output.os.replace = fsync, replace
output.write_all(out, new, modes={{}})
print("not killed")
"""


def test_sigterm_while_staging_leaves_files_the_next_build_removes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = _CHILD.format(old=OLD, new=NEW)
    done = subprocess.run(
        [sys.executable, "-c", script, str(out), "staging"], capture_output=True, check=False
    )
    assert done.returncode == -signal.SIGTERM
    left = contents(out)
    staged = [n for n in left if n.endswith(".tmp")]
    assert [re.sub(r"\.[a-z0-9_]{8}\.tmp$", "", n) for n in staged] == [
        "..blueprint-files",
        ".a.json",
    ]
    assert {n: d for n, d in left.items() if n not in staged} == whole(OLD)
    from generator import output

    output.write_all(out, OLD, modes={})  # a next build, even one that changes nothing
    assert contents(out) == whole(OLD)


def test_sigterm_during_the_renames_waits_for_the_last(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = _CHILD.format(old=OLD, new=NEW)
    done = subprocess.run(
        [sys.executable, "-c", script, str(out), "renames"], capture_output=True, check=False
    )
    assert done.returncode == -signal.SIGTERM, done.stderr  # then it stopped, as asked
    assert done.stdout == b""
    assert contents(out) == whole(NEW)


def test_ctrl_c_during_the_renames_says_the_build_was_written(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator import output

    assert main(["build"]) == 0
    out = workdir / "templates_out"
    text = (workdir / "blueprint.yaml").read_text().replace("cpu: 256", "cpu: 512", 1)
    (workdir / "blueprint.yaml").write_text(text)
    real = os.replace

    def replace(src: object, dst: object) -> None:
        if str(dst).endswith("linebot-service-bot.json"):
            signal.raise_signal(signal.SIGINT)
        real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    # Ctrl-C as a terminal delivers it, even when the tests run with SIGINT ignored (in the
    # background of a non-interactive shell)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    capsys.readouterr()
    try:
        code = main(["build"])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == 130
    assert capsys.readouterr().err == "blueprint: interrupted; the new build was written in full\n"
    service = json.loads((out / "linebot-service-bot.json").read_text())
    [task] = [r for r in service["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert task["Properties"]["Cpu"] == "512"
    assert sorted(p.name for p in out.iterdir()) == [
        ".blueprint-files",
        "deploy.sh",
        "linebot-service-bot.json",
        "linebot-zones.json",
        "linebot.json",
    ]


#: The README's blueprint with a PostgreSQL database at a version RDS has deprecated: a
#: validation warning at the version, and cfn-lint's (W3691) in the main stack.
DEPRECATED = GOOD + 'databases:\n  main:\n    engine: postgres\n    version: "16.4"\n'
DEPRECATED_AT = f"blueprint.yaml:{len(GOOD.splitlines()) + 2}:3: databases.main: "
VERSION_AT = f"blueprint.yaml:{len(GOOD.splitlines()) + 4}:14: databases.main.version: "


def test_a_lint_warning_linted_by_two_workers_is_printed_and_built(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The warning crosses the worker pool (two workers, even on one core)."""

    monkeypatch.setattr(runtime, "workers", lambda count=None: 2)
    (workdir / "blueprint.yaml").write_text(DEPRECATED)
    assert main(["build"]) == 0
    warning, validation = capsys.readouterr().err.splitlines()
    assert validation.startswith(f"{VERSION_AT}warning: RDS no longer creates postgres 16.4 ")
    assert warning.startswith(f"{DEPRECATED_AT}warning: cfn-lint W3691 in linebot.json line ")
    assert warning.endswith(
        " (Resources/MainDatabase/Properties): Engine version '16.4' for engine 'postgres' is "
        "deprecated and cannot be used to create new RDS DB instances"
    )
    assert (workdir / "templates_out" / "linebot.json").is_file()


def test_a_lint_warning_on_one_core_is_printed_and_built(workdir: Path) -> None:
    """As `taskset -c 0 blueprint build`: one core, so no worker pool."""
    (workdir / "blueprint.yaml").write_text(DEPRECATED)
    core = min(os.sched_getaffinity(0))
    done = subprocess.run(
        [sys.executable, "-m", "generator", "build"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=lambda: os.sched_setaffinity(0, {core}),
    )
    assert done.returncode == 0, done.stderr
    warning, validation = done.stderr.splitlines()
    assert validation.startswith(f"{VERSION_AT}warning: RDS no longer creates postgres 16.4 ")
    assert warning.startswith(f"{DEPRECATED_AT}warning: cfn-lint W3691 in linebot.json ")
    assert done.stdout.endswith("deploy: bash templates_out/deploy.sh\n")


def test_a_real_lint_error_from_the_workers_exits_2_and_is_printed(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cfn-lint error that validation lets through (injected at the lint step: each one
    a blueprint can cause is meant to be caught by validation) is real cfn-lint output on
    the real template, linted by two workers; exit 2, located, printed, nothing written."""
    from generator import lint

    real = lint.lint

    def injected(text: str, region: str) -> list[lint.Finding]:
        return real(text.replace('"EngineVersion": "16.4"', '"EngineVersion": "99.1"'), region)

    monkeypatch.setattr(runtime, "workers", lambda count=None: 2)
    monkeypatch.setattr(lint, "lint", injected)
    (workdir / "blueprint.yaml").write_text(DEPRECATED)
    assert main(["build", "--format", "json"]) == 2
    out, err = capsys.readouterr()
    error, deprecated = json.loads(out)
    assert (deprecated["severity"], deprecated["code"]) == ("warning", "engine-version-deprecated")
    assert (error["path"], error["severity"], error["code"]) == (
        "databases.main",
        "error",
        "cfn-lint",
    )
    message = error["message"]
    assert message.startswith("cfn-lint E3691 in linebot.json line ")
    assert "(Resources/MainDatabase/Properties/EngineVersion): '99.1' is not one of [" in message
    assert err == "blueprint.yaml: cfn-lint found problems; nothing was written\n"
    assert not (workdir / "templates_out").exists()


def test_a_reader_that_closes_the_pipe_stops_the_command_quietly(workdir: Path) -> None:
    """`blueprint schema --out - | head -c 1`, made certain: the pipe's reading end is
    closed before the command writes. Exit 141 (as a tool killed by SIGPIPE), and no
    "Broken pipe" or traceback on stderr."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "schema", "--out", "-"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
