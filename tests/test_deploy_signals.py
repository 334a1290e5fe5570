"""deploy.sh when its own processes end early: a stack's wrapper killed, Ctrl-C or SIGTERM
during a parallel deploy. Run against the stand-in AWS CLI of tests/test_deploy.py."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import deploy

from .test_deploy import FAKE_AWS


def _script(tmp_path: Path, services: int, reads: bool = True) -> Path:
    """deploy.sh for ``shop`` and ``services`` service stacks that read its outputs (or
    nothing, unless ``reads``), with the stand-in ``aws`` in tmp_path/bin."""
    source = {"Vpc": ("shop", "eu-west-1", "Vpc")} if reads else {}
    plans = [deploy.Planned("shop", "eu-west-1", "shop.json", 10, {})] + [
        deploy.Planned(f"shop-service-s{i}", "eu-west-1", f"s{i}.json", 10, {}, source)
        for i in range(services)
    ]
    out = tmp_path / "out"
    out.mkdir()
    for plan in plans:
        (out / plan.file).write_text('{"Outputs": {"Vpc": {}}}')
    (out / "deploy.sh").write_text(deploy.script(plans, "blueprint.yaml"))
    for folder in ("bin", "state", "tmp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "bin" / "aws").write_text(FAKE_AWS.format(python=sys.executable))
    (tmp_path / "bin" / "aws").chmod(0o755)
    return out / "deploy.sh"


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

