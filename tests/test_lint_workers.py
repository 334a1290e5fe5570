"""A lint worker that ends before the build ends it (the kernel's out-of-memory killer, a
``kill -9``) stops the build: exit 6, one line naming the worker, how it ended and the
template it held, nothing written, no process left, nothing cached; never a build that
waits for ever."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

import pytest

from generator import lint, runtime
from generator.cli import main
from generator.exits import EXIT_WORKER_LOST

from .conftest import ROOT

#: Run in a subprocess: the default blueprint's build in two workers (even on one core),
#: whose lint of the service's stack writes the worker's pid to the file MARK and sleeps
#: (as a worker that grows until the kernel kills it); the other stacks lint for real.
BUILD = """
import os, sys, time
from generator import lint, runtime
real = lint.lint
def held(text, region):
    if '"AWS::ECS::Service"' in text:
        with open({mark!r} + ".tmp", "w") as handle:
            handle.write(str(os.getpid()))
        os.replace({mark!r} + ".tmp", {mark!r})
        time.sleep(120)
    return real(text, region)
lint.lint = held
runtime.workers = lambda count=None: 2
from generator.cli import main
sys.exit(main(["build", {blueprint!r}, "--out", {out!r}]))
"""


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _in_session(session: int) -> list[str]:
    """The processes of a session (each as its /proc stat line)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses
        if int(stat[stat.rindex(")") + 2 :].split()[3]) == session:
            found.append(stat)
    return found


def _pid_when_written(mark: Path, build: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 60
    while not mark.exists():
        assert build.poll() is None, build.communicate()
        assert time.monotonic() < deadline, "no worker reached the service's stack"
        time.sleep(0.01)
    return int(mark.read_text())


def test_a_worker_killed_mid_lint_stops_the_build_and_the_next_build_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, out, mark = tmp_path / "cache", tmp_path / "out", tmp_path / "pid"
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text((ROOT / "blueprint.yaml").read_text().replace("cpu: 256", "cpu: 512", 1))
    shutil.copytree(ROOT / "templates_out", out)  # the last build: 256 CPU
    before = _contents(out)
    code = BUILD.format(mark=str(mark), blueprint=str(blueprint), out=str(out))
    build = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BLUEPRINT_CACHE_DIR": str(cache)},
        start_new_session=True,  # its session holds the build and its workers alone
    )
    try:
        pid = _pid_when_written(mark, build)
        os.kill(pid, signal.SIGKILL)
        stdout, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    assert (build.returncode, stdout) == (EXIT_WORKER_LOST, "")
    assert stderr == (
        f"blueprint: a lint worker (pid {pid}) ended with signal 9 (SIGKILL: the system may "
        "be out of memory) while linting linebot-service-bot.json; nothing was written\n"
    )
    assert _contents(out) == before
    assert _in_session(build.pid) == []  # the other worker ended with the build
    # nothing of the stopped build is kept: neither the stacks it linted nor a record
    assert sorted(p.name for p in cache.rglob("*") if p.is_file()) == []

    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(cache))
    assert main(["build", str(blueprint), "--out", str(out)]) == 0
    assert '"Cpu": "512"' in (out / "linebot-service-bot.json").read_text()
    linted = sorted((cache / "lint").glob("*.json"))
    assert [p.read_text() for p in linted] == ["[]"] * 3


@pytest.mark.parametrize(
    ("number", "said"),
    [
        (signal.SIGKILL, "signal 9 (SIGKILL: the system may be out of memory)"),
        (signal.SIGTERM, "signal 15 (SIGTERM)"),
    ],
)
def test_a_worker_that_ends_between_templates_stops_the_lint(
    number: int, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed while it held no template (waiting for one): the lint stops all the same,
    and the message names no template; every worker has ended when the lint has."""
    monkeypatch.setattr(lint, "_rules", lambda: None)  # workers ready at once
    monkeypatch.setattr(lint, "lint", lambda text, region: [])
    monkeypatch.setattr(runtime, "workers", lambda count=None: 2)
    with runtime.Workers() as workers:
        first, second = (w.process for w in workers.running)
        os.kill(first.pid, number)
        wait([first.sentinel])
        with pytest.raises(runtime.LintWorkerLost) as lost:
            lint.lint_all([("{}", "us-east-1")], workers=workers, files=["a.json"])
        assert str(lost.value) == f"a lint worker (pid {first.pid}) ended with {said}"
    assert (first.exitcode, second.exitcode) == (-number, -signal.SIGTERM)


@pytest.mark.parametrize(
    ("exitcode", "said"),
    [
        (3, "ended with exit code 3"),
        (-signal.SIGSEGV, "ended with signal 11 (SIGSEGV)"),
        (-200, "ended with signal 200"),
        (None, "ended"),
    ],
)
def test_how_a_worker_ended_is_said_from_its_exit_code(exitcode: int | None, said: str) -> None:
    assert runtime.ending(exitcode) == said
