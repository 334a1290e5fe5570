"""Hostile input is refused early, with a located message, little memory and no traceback.

How long each refusal takes is measured by ``bench/run.py --hostile``, not asserted here.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import errno
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bench.hostile import alias_bomb, deep_block_nesting, deep_nesting, huge_file
from generator.cli import main
from generator.errors import BlueprintError, dotted, shown
from generator.model.resolve import resolve
from generator.model.validate import validate
from generator.pipeline import check

from .conftest import ROOT

CASES = {
    "alias_bomb": (alias_bomb, "1:15: the document expands to more than 100,000 values"),
    "deep_nesting": (deep_nesting, "3:70: the document nests deeper than 64 levels"),
    "deep_block_nesting": (deep_block_nesting, "the document nests deeper than 64 levels"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_little_memory(case: str, tmp_path: Path) -> None:
    make, expected = CASES[case]
    path = tmp_path / "blueprint.yaml"
    path.write_text(make())
    tracemalloc.start()
    try:
        with pytest.raises(BlueprintError) as exc:
            check(path, "blueprint.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [problem] = exc.value.problems
    assert expected in problem.text()
    assert peak < 64 * 1024 * 1024, f"peak {peak:,} bytes"


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    huge_file(path)
    tracemalloc.start()
    try:
        with pytest.raises(BlueprintError) as exc:
            check(path, "blueprint.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (
        exc.value.problems[0].text()
        == (
            "blueprint.yaml:1:1: the file is 52,428,826 bytes, larger than the 1,000,000 a "
            "blueprint may be"
        )
        or "larger than the 1,000,000" in exc.value.problems[0].text()
    )
    assert peak < 1024 * 1024, "the file was read although its size alone refuses it"


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_exits_nonzero_without_traceback(case: str, tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(CASES[case][0]())
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{path}:")


def test_custom_tags_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\nregion: x\n")
    with pytest.raises(BlueprintError) as exc:
        check(path, "blueprint.yaml")
    assert exc.value.problems[0].text() == (
        "blueprint.yaml:1:7: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
        "allowed: a blueprint is plain data"
    )


def test_custom_scalar_tags_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text("name: !Ref Something\nregion: x\n")
    with pytest.raises(BlueprintError) as exc:
        check(path, "blueprint.yaml")
    assert "could not determine a constructor for the tag '!Ref'" in exc.value.problems[0].text()


# --- text a blueprint may not hold --------------------------------------------------------

SMALL = "name: linebot\nregion: ap-northeast-1\ntags: {project: bot}\n"

#: The first and last character of each refused range, and their neighbours that are fine.
REFUSED = (0x00, 0x08, 0x0B, 0x0C, 0x0E, 0x1F, 0x7F, 0x9F, 0xFFFE, 0xFFFF)
ALLOWED = (0x09, 0x0D, 0x20, 0x7E, 0xA0, 0xFFFD)


def _text_of(source: str, tmp_path: Path) -> str:
    path = tmp_path / "bp.yaml"
    path.write_bytes(source.encode("utf-8", "surrogatepass"))
    with pytest.raises(BlueprintError) as exc:
        check(path, "bp.yaml")
    return "".join(p.text() + "\n" for p in exc.value.problems)


@pytest.mark.parametrize("number", REFUSED, ids=lambda n: f"U+{n:04X}")
def test_a_control_character_in_the_file_is_located(number: int, tmp_path: Path) -> None:
    source = SMALL.replace("project: bot", f"project: b{chr(number)}ot")
    problems = _text_of(source, tmp_path)
    assert problems.startswith("bp.yaml:3:18: the file holds ")
    assert f"U+{number:04X}" in problems
    assert problems.count("\n") == 1


@pytest.mark.parametrize("number", REFUSED, ids=lambda n: f"U+{n:04X}")
def test_a_control_character_in_a_comment_is_located(number: int, tmp_path: Path) -> None:
    problems = _text_of(f"# a {chr(number)}\n{SMALL}", tmp_path)
    assert problems.startswith("bp.yaml:1:5: the file holds ")
    assert problems.endswith("a blueprint may not hold control characters: delete it\n")


@pytest.mark.parametrize("number", REFUSED, ids=lambda n: f"U+{n:04X}")
def test_a_control_character_from_an_escape_is_located(number: int, tmp_path: Path) -> None:
    source = SMALL.replace("project: bot", f'project: "b\\u{number:04x}ot"')
    problems = _text_of(source, tmp_path)
    assert problems.startswith("bp.yaml:3:17: tags.project: the text holds ")
    assert f"U+{number:04X}" in problems and "written as an escape" in problems


@pytest.mark.parametrize("number", ALLOWED, ids=lambda n: f"U+{n:04X}")
def test_the_neighbours_of_the_refused_ranges_are_fine(number: int, tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(SMALL.replace("project: bot", f'project: "b\\u{number:04x}ot"'))
    assert check(path).blueprint.tags["project"] == f"b{chr(number)}ot"


def test_a_line_is_reported_once_and_every_line_is_reported(tmp_path: Path) -> None:
    problems = _text_of(f"# \x1b[31m red \x1b[0m\n{SMALL}# \x07\n", tmp_path)
    assert [line.split(": ")[0] for line in problems.splitlines()] == ["bp.yaml:1:3", "bp.yaml:5:3"]


def test_a_lone_surrogate_escape_is_located(tmp_path: Path) -> None:
    assert _text_of(SMALL.replace("project: bot", 'project: "\\ud800"'), tmp_path) == (
        "bp.yaml:3:17: tags.project: the text holds a lone surrogate U+D800, written as an "
        "escape, half of a character: write the character itself, or both halves of its \\u "
        "escape pair\n"
    )


def test_a_lone_surrogate_in_a_key_is_located(tmp_path: Path) -> None:
    problems = _text_of(SMALL.replace("project: bot", '"\\udc00": bot'), tmp_path)
    assert problems.startswith("bp.yaml:3:8: tags: the text holds a lone surrogate U+DC00")


def test_a_surrogate_pair_of_escapes_is_the_character_it_means(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(SMALL.replace("project: bot", 'project: "bot \\ud83d\\ude00"'))
    assert check(path).blueprint.tags["project"] == "bot \U0001f600"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-13-01", "YAML reads '2024-13-01' as a date but it is not one that can be read"),
        ("9" * 5000, "YAML reads '" + "9" * 79 + "…' as a number but it is not one"),
    ],
    ids=["date", "digits"],
)
def test_a_value_yaml_cannot_construct_is_located(
    value: str, expected: str, tmp_path: Path
) -> None:
    problems = _text_of(SMALL.replace("project: bot", f"project: {value}"), tmp_path)
    assert problems.startswith(f"bp.yaml:3:17: tags.project: {expected}")


def _cli(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], capture_output=True, check=False, cwd=cwd
    )


def test_a_blueprint_name_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    name = b"bot\xff.yaml"
    (tmp_path / os.fsdecode(name)).write_text(SMALL)
    done = _cli("validate", name, cwd=tmp_path)
    assert done.returncode == 3
    assert done.stderr == (
        b"bot\\xff.yaml:1:1: the file name 'bot\\xff.yaml' is not UTF-8; rename the file\n"
    )


def test_an_empty_blueprint_name_says_so(tmp_path: Path) -> None:
    done = _cli("validate", "", "--format", "json", cwd=tmp_path)
    assert done.returncode == 3
    [problem] = json.loads(done.stderr or done.stdout)
    assert problem["code"] == "file-name-invalid"
    assert problem["message"] == (
        "the file name is empty; name a blueprint, or leave it out for blueprint.yaml"
    )


# --- no traceback: the guard at the top, interrupts, a full disk ---------------------------


def test_an_unexpected_exception_is_one_line_and_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(text: str, file: str) -> None:
        raise RuntimeError("a bug\non two lines")

    monkeypatch.setattr("generator.loader.characters.check", broken)
    (tmp_path / "bp.yaml").write_text(SMALL)
    assert main(["validate", str(tmp_path / "bp.yaml")]) == 4
    err = capsys.readouterr().err
    assert err.startswith(
        "blueprint: internal error: RuntimeError: a bug\\non two lines at generator/loader.py:"
    )
    assert err.endswith(". This is a bug in blueprint, not in your file; nothing was written.\n")
    assert err.count("\n") == 1


def test_a_full_disk_names_the_file_it_could_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("generator.output.os.fsync", full)
    out = tmp_path / "schema"
    assert main(["schema", "--out", str(out / "blueprint.schema.json")]) == 3
    assert capsys.readouterr().err == (
        f"blueprint: {out}/blueprint.schema.json: No space left on device\n"
    )
    assert list(out.iterdir()) == []


def _many_stacks(folder: Path) -> Path:
    """The default blueprint with six more services: eight stacks to lint."""
    text = (ROOT / "blueprint.yaml").read_text()
    service = text[text.index("  bot:\n    cpu:") : text.index("\nschedules:")]
    more = "".join(service.replace("  bot:", f"  bot{i}:", 1) + "\n" for i in range(6))
    path = folder / "blueprint.yaml"
    path.write_text(text.replace("\nschedules:", f"\n{more}schedules:", 1))
    return path


def _interrupted_build(
    folder: Path, ready: Callable[[subprocess.Popen[bytes], int], None]
) -> tuple[int, str]:
    """Run a cold build in a session of its own, wait for ``ready``, then press Ctrl-C (a
    SIGINT to the whole process group, as a terminal does): its exit code and stderr."""
    _many_stacks(folder)
    main_end, child_end = pty.openpty()  # a terminal, so that the build prints its progress
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=child_end,
        start_new_session=True,
    )
    os.close(child_end)
    try:
        ready(build, main_end)
        os.killpg(build.pid, signal.SIGINT)
        code = build.wait(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
    err = b""
    with contextlib.suppress(OSError):  # the terminal reads as closed once the build ended
        while chunk := os.read(main_end, 65536):
            err += chunk
    os.close(main_end)
    return code, err.decode()


def _workers_starting(build: subprocess.Popen[bytes], _: int) -> None:
    """The workers are forked and importing cfn-lint (which takes most of a second)."""
    children = Path(f"/proc/{build.pid}/task/{build.pid}/children")
    while not children.read_text().split():
        assert build.poll() is None
        time.sleep(0.005)
    time.sleep(0.2)


def _first_template_linted(build: subprocess.Popen[bytes], terminal: int) -> None:
    seen = b""
    while b"cfn-lint: 1/" not in seen:
        seen += os.read(terminal, 1024)
    assert build.poll() is None


@pytest.mark.parametrize(
    "ready", [_workers_starting, _first_template_linted], ids=["start-up", "lint"]
)
def test_ctrl_c_during_lint_prints_one_line_and_no_worker_traceback(
    ready: Callable[[subprocess.Popen[bytes], int], None], tmp_path: Path
) -> None:
    code, err = _interrupted_build(tmp_path, ready)
    # 130, or killed by SIGINT: a Ctrl-C inside code that exec() runs (dataclasses do, as
    # pydantic is imported) makes CPython 3.11 end by SIGINT after main returned 130. A
    # shell reports both as 130.
    assert code in (130, -signal.SIGINT)
    assert err.splitlines()[-1] == "blueprint: interrupted; nothing was written"
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "ForkPoolWorker" not in err  # a worker's traceback starts with its name
    assert not (tmp_path / "templates_out").exists()


# --- messages stay one line and readable ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\nb\tc\r", "'a\\nb\\tc\\r'"),
        ("\x1b[31m\x85\u200b\ud800\U000e0001", "'\\x1b[31m\\x85\\u200b\\ud800\\U000e0001'"),
        ("ünïcode ²", "'ünïcode ²'"),
        ("x" * 81, "'" + "x" * 79 + "…'"),
        ("x" * 78 + "\n", "'" + "x" * 78 + "\\n'"),
        ("x" * 78 + "\x1b\x1b", "'" + "x" * 78 + "…'"),  # an escape is never cut in two
        (None, "nothing (null)"),
        (True, "true"),
        ({"a": 1}, "a mapping"),
        ([1], "a list"),
        (datetime.date(2024, 1, 1), "a date (2024-01-01)"),
        (b"hi", "binary data (2 bytes)"),
        (10**100, "a number of 101 digits"),
        (1.5, "1.5"),
    ],
)
def test_a_value_is_shown_on_one_line_and_short(value: object, expected: str) -> None:
    assert shown(value) == expected


#: Values of the wrong type or shape for any field: what a fuzzer feeds.
WRONG = [
    "", "a\nb", "x" * 300, "1\u00b2", "٣", " 1", "1e400", "0x10", 1, -1, 0, 10**30, 1.5,
    float("nan"), True, None, [], {}, ["a\nb"], {"a\nb": 1}, datetime.date(2024, 1, 1),
]  # fmt: skip
#: What a message must never hold: pydantic's and Python's own words.
INTERNALS = re.compile(
    r"Input should|Value error|invalid literal|unable to parse|validation error|"
    r"\[type=|object has no attribute|NoneType|datetime\.|(?:^|\s)b'"
)


def _mutations(value: object) -> list[object]:
    """Each wrong value, and the seed's own value with a digit made non-ASCII, a trailing
    newline, and repeated past any length."""
    more: list[object] = []
    if isinstance(value, str):
        digit = next((i for i, c in enumerate(value) if c.isdigit()), None)
        if digit is not None:
            more.append(value[:digit] + "\u00b2" + value[digit + 1 :])
        more += [value + "\n", value * 40]
    return [*WRONG, *more]


def _leaves(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(data, dict):
        return [path, *(p for k, v in data.items() for p in _leaves(v, (*path, k)))]
    if isinstance(data, list):
        return [path, *(p for i, v in enumerate(data) for p in _leaves(v, (*path, i)))]
    return [path]


@pytest.mark.parametrize(
    "seed", ["blueprint.yaml", "examples/spring-ecs-ec2-redis.yaml"], ids=lambda s: s
)
def test_every_field_fed_a_wrong_value_answers_in_plain_words(seed: str) -> None:
    """Every value of the seed replaced by every wrong value: each problem is one line,
    echoes no value past ~80 characters and holds no parser internals (the named types
    of generator/model/types.py and the sections' models are all reached this way)."""
    base = yaml.safe_load((ROOT / seed).read_text())
    seen = 0
    for path in _leaves(base)[1:]:
        node = base
        for part in path:
            node = node[part]
        for value in _mutations(node):
            data = copy.deepcopy(base)
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value
            model, issues = validate(data)
            if model is not None:
                issues = resolve(model)[1]
            for issue in issues:
                seen += 1
                text = f"{dotted(issue.path)}: {issue.message}"
                assert text.isprintable(), text
                assert not INTERNALS.search(issue.message), issue.message
                assert max(map(len, re.findall(r"'[^']*'", issue.message)), default=0) <= 82
    assert seen > 1000


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("build", "--out", ""), "blueprint build: error: argument --out: the name is empty"),
        (("diff", "--out", ""), "blueprint diff: error: argument --out: the name is empty"),
        (("schema", "--out", ""), "blueprint schema: error: argument --out: the name is empty"),
        (("init", ""), "blueprint init: error: argument path: the name is empty"),
        (
            ("build", "--out", os.fsdecode(b"out\xff")),
            "blueprint build: error: argument --out: 'out\\xff' is not UTF-8",
        ),
    ],
    ids=["build", "diff", "schema", "init", "not-utf8"],
)
def test_a_place_to_write_must_have_a_name(
    args: tuple[str, ...], expected: str, tmp_path: Path
) -> None:
    done = _cli(*args, cwd=tmp_path)
    assert done.returncode == 3
    assert done.stderr.decode().splitlines()[-1] == expected
    assert list(tmp_path.iterdir()) == []
