"""Hostile input is refused early, with a located message, little memory and no traceback.

How long each refusal takes is measured by ``bench/run.py --hostile``, not asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from unittest import mock

import pytest

from bench.hostile import alias_bomb, deep_block_nesting, deep_nesting, huge_file
from generator.errors import BlueprintError
from generator.pipeline import check

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
    assert _include_problem(folder, str(secret)) == (
        f"include-outside: '{secret}' is an absolute path{OUTSIDE}"
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
    assert (
        _include_problem(tmp_path, '"a\\0b"') == "include-unreadable: 'a\x00b' is not a file name"
    )


def test_kernel_pseudo_files_are_outside_even_from_the_root(tmp_path: Path) -> None:
    # A blueprint kept at / would have /proc inside its folder tree.
    from generator.pipeline import _read_include, _Refused

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
    assert time.monotonic() - started < 1
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
    from generator import loader

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
        mock.patch.object(loader.os, "read", counting),
        mock.patch.object(loader.os, "fstat", zero_size),
        pytest.raises(loader.Oversize) as exc,
    ):
        loader.read_regular(big, 1_000)
    assert sum(reads) == 1_001
    assert (exc.value.size, exc.value.exact) == (1_001, False)
    assert loader.read_regular(big, 10_000) == b"x" * 10_000


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
    assert time.monotonic() - started < 1
    assert exc.value.problems[0].code == "file-unreadable"


_BOUNDED = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (100 * 1024 * 1024, 100 * 1024 * 1024))
from generator.cli import main
started = time.monotonic()
code = main(sys.argv[1:])
print(f"{code} {time.monotonic() - started:.3f}")
"""


@pytest.mark.parametrize("as_include", [False, True], ids=["blueprint", "include"])
def test_dev_zero_is_refused_in_a_second_and_100_mb(tmp_path: Path, as_include: bool) -> None:
    """Under an address-space limit of 100 MB (the interpreter and the package included),
    ``/dev/zero`` as the blueprint or as a file it names is refused, not read."""
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
