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
from unittest import mock

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
    """The default blueprint with six more services: eight stacks to lint. Their names
    differ in letters, not only digits, so that each stack is linted (stacks of one lint
    shape would share one lint, and the build would end before Ctrl-C)."""
    text = (ROOT / "blueprint.yaml").read_text()
    service = text[text.index("  bot:\n    cpu:") : text.index("\nschedules:")]
    more = "".join(service.replace("  bot:", f"  bot{c}:", 1) + "\n" for c in "abcdef")
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
    # Ctrl-C's default, as from a terminal, for the build to inherit: tests run in the
    # background of a non-interactive shell have SIGINT ignored, and a child keeps that
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        build = subprocess.Popen(
            [sys.executable, "-m", "generator", "build"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=child_end,
            start_new_session=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
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


# --- files the blueprint names, and the blueprint itself: regular files, read bounded ----

INSTANCE = "name: app\nregion: ap-northeast-1\ninstances:\n  web:\n    user_data_file: {}\n"


def _include_problem(folder: Path, named: str) -> str:
    """The one problem ``validate`` reports for a blueprint in ``folder`` whose user data
    is the file ``named``."""
    path = folder / "blueprint.yaml"
    path.write_text(INSTANCE.format(named))
    with pytest.raises(BlueprintError) as exc:
        check(path, "blueprint.yaml")
    [problem] = exc.value.problems
    assert (problem.line, problem.column, problem.path) == (5, 21, "instances.web.user_data_file")
    return f"{problem.code}: {problem.message}"


OUTSIDE = (
    ": a blueprint includes files from its own folder only; give a path relative to the "
    "blueprint, such as 'files/boot.sh'"
)


def test_an_absolute_include_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=1\n")
    folder = tmp_path / "project"
    folder.mkdir()
    # the path as messages show it: shortened when long (as under a test runner's workers)
    assert _include_problem(folder, str(secret)) == (
        f"include-outside: {shown(str(secret))} is an absolute path{OUTSIDE}"
    )
    assert _include_problem(folder, "/proc/self/environ") == (
        f"include-outside: '/proc/self/environ' is an absolute path{OUTSIDE}"
    )


def test_an_include_above_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("#!/bin/sh\n")
    folder = tmp_path / "project"
    (folder / "files").mkdir(parents=True)
    assert _include_problem(folder, "../x") == (
        f"include-outside: '../x' goes up out of the blueprint's folder{OUTSIDE}"
    )
    assert _include_problem(folder, "files/../../x") == (
        f"include-outside: 'files/../../x' goes up out of the blueprint's folder{OUTSIDE}"
    )
    # '..' that stays inside the folder is a path like any other
    (folder / "boot.sh").write_text("#!/bin/sh\necho up\n")
    (folder / "blueprint.yaml").write_text(INSTANCE.format("files/../boot.sh"))
    assert check(folder / "blueprint.yaml").includes == {"files/../boot.sh": "#!/bin/sh\necho up\n"}


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("TOKEN=1\n")
    folder = tmp_path / "project"
    (folder / "files").mkdir(parents=True)
    (folder / "boot.sh").symlink_to(tmp_path / "secret.txt")
    (folder / "files" / "up").symlink_to(tmp_path)
    (folder / "env").symlink_to("/proc/self/environ")
    through = "leads out of the blueprint's folder through a symbolic link"
    assert _include_problem(folder, "boot.sh") == f"include-outside: 'boot.sh' {through}{OUTSIDE}"
    assert _include_problem(folder, "files/up/secret.txt") == (
        f"include-outside: 'files/up/secret.txt' {through}{OUTSIDE}"
    )
    assert _include_problem(folder, "env") == f"include-outside: 'env' {through}{OUTSIDE}"
    # a link that stays inside the folder is followed
    (folder / "files" / "real.sh").write_text("echo in\n")
    (folder / "link.sh").symlink_to("files/real.sh")
    (folder / "blueprint.yaml").write_text(INSTANCE.format("link.sh"))
    assert check(folder / "blueprint.yaml").includes == {"link.sh": "echo in\n"}


def test_a_loop_of_links_and_odd_names_are_located_errors(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    assert _include_problem(tmp_path, "a") == (
        "include-unreadable: 'a': too many levels of symbolic links"
    )
    # A NUL cannot reach the file system: the text check refuses it in any string first.
    assert _include_problem(tmp_path, '"a\\0b"') == (
        "text-control-character: the text holds control character U+0000 (NUL), written as "
        "an escape; a blueprint may not hold control characters: delete it"
    )


def test_kernel_pseudo_files_are_outside_even_from_the_root(tmp_path: Path) -> None:
    # A blueprint kept at / would have /proc inside its folder tree.
    from generator.includes import _read_include, _Refused

    with pytest.raises(_Refused) as exc:
        _read_include(Path("/"), "proc/self/environ", 16_384)
    assert (exc.value.code, exc.value.message) == (
        "include-outside",
        f"'proc/self/environ' is a kernel pseudo-file, not part of a project{OUTSIDE}",
    )


def test_a_fifo_or_a_device_include_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")  # inside the tree by name, a device by kind
    started = time.monotonic()
    assert _include_problem(tmp_path, "pipe") == (
        "include-unreadable: 'pipe' is a FIFO (named pipe), not a regular file; user data and "
        "inline code are read from a regular file"
    )
    assert time.monotonic() - started < 5  # blocked, it would wait for ever
    # /dev/zero through a link: outside the folder, refused before its kind is looked at
    assert _include_problem(tmp_path, "zero").startswith("include-outside: 'zero' leads out")
    (tmp_path / "sub").mkdir()
    assert _include_problem(tmp_path, "sub") == (
        "include-unreadable: 'sub' is a folder, not a regular file; user data and inline code "
        "are read from a regular file"
    )


def test_an_include_keeps_universal_newlines(tmp_path: Path) -> None:
    (tmp_path / "boot.sh").write_bytes(b"#!/bin/sh\r\necho a\recho b\n")
    (tmp_path / "blueprint.yaml").write_text(INSTANCE.format("boot.sh"))
    assert check(tmp_path / "blueprint.yaml").includes == {"boot.sh": "#!/bin/sh\necho a\necho b\n"}


def test_reads_stop_one_byte_past_the_limit(tmp_path: Path) -> None:
    """A file whose size the system under-reports (as /proc's do: 0) is still read no
    further than the limit plus one byte."""
    from generator import files

    big = tmp_path / "big"
    big.write_bytes(b"x" * 10_000)
    reads: list[int] = []
    real_read, real_fstat = os.read, os.fstat

    def counting(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    def zero_size(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *st[1:6], 0, *st[7:10]))

    with (
        mock.patch.object(files.os, "read", counting),
        mock.patch.object(files.os, "fstat", zero_size),
        pytest.raises(files.Oversize) as exc,
    ):
        files.read_regular(big, 1_000)
    assert sum(reads) == 1_001
    assert (exc.value.size, exc.value.exact) == (1_001, False)
    assert files.read_regular(big, 10_000) == b"x" * 10_000


def test_a_fifo_as_the_blueprint_is_refused_within_a_second(tmp_path: Path) -> None:
    fifo = tmp_path / "blueprint.yaml"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(fifo)],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,  # the refusal itself is timed below; this only stops a hang
    )
    assert done.returncode == 3
    assert done.stderr == (
        f"{fifo}:1:1: is a FIFO (named pipe), not a file; a blueprint is a regular YAML file\n"
    )
    started = time.monotonic()
    with pytest.raises(BlueprintError) as exc:
        check(fifo, "blueprint.yaml")
    # a blocked open waits for ever (no writer comes); a loaded CI machine may take seconds
    assert time.monotonic() - started < 5
    assert exc.value.problems[0].code == "file-unreadable"


_BOUNDED = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (100 * 1024 * 1024, 100 * 1024 * 1024))
from generator.cli import main
started = time.process_time()
code = main(sys.argv[1:])
print(f"{code} {time.process_time() - started:.3f}")
"""


@pytest.mark.parametrize("as_include", [False, True], ids=["blueprint", "include"])
def test_dev_zero_is_refused_in_a_second_and_100_mb(tmp_path: Path, as_include: bool) -> None:
    """Under an address-space limit of 100 MB (the interpreter and the package included),
    ``/dev/zero`` as the blueprint or as a file it names is refused, not read: in under a
    second of CPU time (reading it would spend CPU without end; CPU time, not wall time,
    so that a loaded machine does not fail the test)."""
    if as_include:
        target = tmp_path / "blueprint.yaml"
        target.write_text(INSTANCE.format("/dev/zero"))
    else:
        target = Path("/dev/zero")
    done = subprocess.run(
        [sys.executable, "-c", _BOUNDED, "validate", str(target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    code, seconds = done.stdout.split()
    assert code == ("1" if as_include else "3")
    assert float(seconds) < 1
    expected = (
        f"{target}:5:21: instances.web.user_data_file: '/dev/zero' is an absolute path"
        if as_include
        else "/dev/zero:1:1: is a character device, not a file"
    )
    assert done.stderr.startswith(expected)


def test_a_fifo_in_place_of_a_built_blueprint_is_refused(tmp_path: Path) -> None:
    """The replay of an unchanged build reads the blueprint before anything else: bounded
    and without blocking too."""
    from .conftest import ROOT

    path = tmp_path / "blueprint.yaml"
    path.write_bytes((ROOT / "blueprint.yaml").read_bytes())
    env = {**os.environ, "BLUEPRINT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "generator", "build", "blueprint.yaml"]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, check=False)
    assert first.returncode == 0, first.stderr
    path.unlink()
    os.mkfifo(path)
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert done.returncode == 3
    assert done.stderr == (
        "blueprint.yaml:1:1: is a FIFO (named pipe), not a file; a blueprint is a regular "
        "YAML file\n"
    )
