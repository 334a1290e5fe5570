"""deploy.sh when its own processes end early: a stack's wrapper killed, Ctrl-C or SIGTERM
during a parallel deploy; and a stack whose events outrun a page between two looks. Run
against the stand-in AWS CLI of tests/test_deploy.py."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_deploy import FAKE_AWS, services_script


def _script(tmp_path: Path, services: int, reads: bool = True) -> Path:
    """deploy.sh for ``shop`` and ``services`` service stacks that read its outputs (or
    nothing, unless ``reads``), with the stand-in ``aws`` in tmp_path/bin."""
    script = services_script(tmp_path / "out", services, reads)
    for folder in ("bin", "state", "tmp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "bin" / "aws").write_text(FAKE_AWS.format(python=sys.executable))
    (tmp_path / "bin" / "aws").chmod(0o755)
    return script


def _start(tmp_path: Path, script: Path, **env: str) -> subprocess.Popen[str]:
    """deploy.sh started in a session of its own (its process group is its PID), with
    Ctrl-C's default as from a terminal (tests run in the background of a non-interactive
    shell have SIGINT ignored, and a child keeps that) and its work folder in tmp_path/tmp."""
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        return subprocess.Popen(
            ["bash", str(script)],
            cwd=tmp_path,
            env={
                "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
                "FAKE_AWS_STATE": str(tmp_path / "state"),
                "TMPDIR": str(tmp_path / "tmp"),
                **env,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def _deploying(tmp_path: Path, run: subprocess.Popen[str], *stacks: str) -> list[int]:
    """Wait until each of ``stacks`` runs its ``aws cloudformation deploy``: the process
    group of each (its wrapper's PID)."""
    files = [tmp_path / "state" / f"{stack}.pgid" for stack in stacks]
    deadline = time.monotonic() + 30
    while not all(f.exists() and f.read_text() for f in files):
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return [int(f.read_text()) for f in files]


def _finish(run: subprocess.Popen[str], tmp_path: Path) -> tuple[int, str]:
    """deploy.sh's exit code and stderr; whatever it leaves running (holding stderr open)
    is killed after 30 seconds, and the test fails."""
    try:
        _, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None or not all(_gone(g) for g in _groups(tmp_path)):
            for group in [run.pid, *_groups(tmp_path)]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, signal.SIGKILL)
    return run.returncode, err


def _groups(tmp_path: Path) -> list[int]:
    """The process group of each stack's deploy that started."""
    return [int(f.read_text()) for f in (tmp_path / "state").glob("*.pgid") if f.read_text()]


def _gone(group: int) -> bool:
    """No process of process group ``group`` runs. An ended one may wait as a zombie until
    whatever adopted it (init, here lazy) reaps it: it runs nothing."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while read
        if int(fields[2]) == group and fields[0] != "Z":  # state, ppid, pgrp
            return False
    return True


def test_a_killed_stack_wrapper_fails_that_stack_and_ends_what_it_started(
    tmp_path: Path,
) -> None:
    """The wrapper that deploys ``shop`` killed with SIGKILL never reports: the scheduler
    sees it gone, fails the stack, ends the CLI it left running, starts nothing more."""
    run = _start(tmp_path, _script(tmp_path, 1), FAKE_HOLD="shop")
    (group,) = _deploying(tmp_path, run, "shop")
    os.kill(group, signal.SIGKILL)  # the wrapper alone: its CLI goes on, orphaned
    code, err = _finish(run, tmp_path)
    assert code == 1
    assert err.endswith(
        "[shop] Deploying stack shop to eu-west-1\n"
        "deploy.sh: the deploy of shop ended without a result (its process was killed)\n"
        "deploy.sh failed: these stacks failed to deploy: shop\n"
        "Not started: shop-service-s0\n"
    )
    assert _gone(group)  # the held `aws` of that deploy too
    assert list((tmp_path / "tmp").iterdir()) == []  # the work folder removed


@pytest.mark.parametrize(
    ("sig", "code"),
    [
        pytest.param(signal.SIGINT, 130, id="ctrl-c"),
        # the same path with another code: after the quick suite
        pytest.param(signal.SIGTERM, 143, id="sigterm", marks=pytest.mark.exhaustive),
    ],
)
def test_ctrl_c_stops_the_running_deploys_and_says_what_cloudformation_goes_on_with(
    tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    """Two service stacks deploying, a third waiting for a slot: Ctrl-C (SIGINT to the
    script's process group, as a terminal sends it) or SIGTERM ends both deploys' processes,
    names them with the commands to look at and stop them, and exits 130 or 143."""
    script = _script(tmp_path, 3)
    held = ["shop-service-s0", "shop-service-s1"]
    run = _start(tmp_path, script, FAKE_HOLD=",".join(held), BLUEPRINT_PARALLEL="2")
    groups = _deploying(tmp_path, run, *held)
    os.killpg(run.pid, sig)
    exit_code, err = _finish(run, tmp_path)
    assert exit_code == code
    lines = err.splitlines()
    # shop's deploy and its events, then the two service stacks starting in either order
    assert sorted(lines[4:6]) == [f"[{s}] Deploying stack {s} to eu-west-1" for s in held]
    assert lines[6:] == [
        "deploy.sh interrupted: it starts no more stacks, and stopped the deploys it was running.",
        "CloudFormation carries on with what it had begun of these stacks; look at each with "
        "describe-stacks, and stop an update (rolled back) with cancel-update-stack:",
        *[
            line
            for s in held
            for line in (
                f"  aws cloudformation describe-stacks --stack-name {s} --region eu-west-1 "
                "--query 'Stacks[0].StackStatus'",
                f"  aws cloudformation cancel-update-stack --stack-name {s} --region eu-west-1",
            )
        ],
        "Not started: shop-service-s2",
    ]
    assert all(_gone(group) for group in groups)
    assert list((tmp_path / "tmp").iterdir()) == []


def _events_of_a_deploy(tmp_path: Path, **env: str) -> tuple[list[str], list[str]]:
    """deploy.sh of one stack ``shop`` run to its end against the stand-in with ``env``:
    the lines it printed for the stack after its first, and the --max-items of each read
    of its events."""
    script = _script(tmp_path, 0)
    done = subprocess.run(
        ["bash", str(script)],
        cwd=tmp_path,
        env={
            "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
            "FAKE_AWS_STATE": str(tmp_path / "state"),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    calls = [json.loads(line) for line in (tmp_path / "state" / "calls.jsonl").open()]
    reads = [c for c in calls if c[1] == "describe-stack-events"]
    assert done.stderr.startswith("[shop] Deploying stack shop to eu-west-1\n")
    lines = done.stderr.splitlines()[1:]
    return lines, [c[c.index("--max-items") + 1] for c in reads]


def test_more_events_than_a_page_between_two_looks_are_each_printed_once_in_order(
    tmp_path: Path,
) -> None:
    """An update that makes 152 events before the next look: the look reads 100, then
    200, which reaches the newest event from before the deploy (noted as it began, and not
    printed), and prints every event of this deploy once, oldest first."""
    lines, asked = _events_of_a_deploy(
        tmp_path, FAKE_STATUS="shop=UPDATE_COMPLETE", FAKE_EVENTS="150"
    )
    assert lines == [
        "[shop] 10:00:01 shop AWS::CloudFormation::Stack CREATE_IN_PROGRESS: User Initiated",
        *[
            f"[shop] 10:{(k + 2) // 60:02}:{(k + 2) % 60:02} Queue{k} AWS::SQS::Queue "
            "CREATE_COMPLETE"
            for k in range(150)
        ],
        "[shop] 10:02:32 shop AWS::CloudFormation::Stack CREATE_COMPLETE",
    ]
    # before the deploy, its newest event; the look after it, two pages
    assert asked == ["1", "100", "200"]


def test_a_look_that_falls_behind_by_more_than_the_bound_says_what_it_left_out(
    tmp_path: Path,
) -> None:
    lines, asked = _events_of_a_deploy(tmp_path, FAKE_EVENTS="3300")
    assert asked == ["100", "200", "400", "800", "1600", "3200"]
    assert lines[0] == (
        "[shop] (more than 3200 events since the last look: the older ones are not shown; "
        "see them with: aws cloudformation describe-stack-events --stack-name shop --region "
        "eu-west-1)"
    )
    # the newest 3200: the stack's first event and the first 101 resources' left out
    assert len(lines) == 3201
    assert lines[1].split(" ", 2)[2] == "Queue101 AWS::SQS::Queue CREATE_COMPLETE"
    assert lines[-1].endswith(" shop AWS::CloudFormation::Stack CREATE_COMPLETE")
