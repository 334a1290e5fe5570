"""Shared test plumbing: the ``--update-golden`` flag and small helpers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import environments, loader
from generator.environments import together
from generator.errors import BlueprintError
from generator.pipeline import check_each, render_each

HERE = Path(__file__).parent
ROOT = HERE.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite expected outputs from what the code produces now (review the diff!)",
    )


@pytest.fixture(autouse=True)
def signals_left_as_found() -> Iterator[None]:
    """A test that leaves SIGINT or SIGTERM handled otherwise than it found them fails:
    the tests after it in the same worker (and the builds they start, which inherit an
    ignored signal) would no longer stop on Ctrl-C as a user's do."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    after = {sig: signal.getsignal(sig) for sig in before}
    assert after == before, f"signal handlers changed: {before} -> {after}"


@pytest.fixture(autouse=True)
def no_lint_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test lints for real unless it sets a cache of its own (test_lint_cache.py)."""
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", "off")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def problems_text(path: Path, display: str | None = None) -> str:
    """What `blueprint validate` prints for a file: every problem, one per line, each
    naming the file as ``display`` (default: its own name); of each environment of a
    blueprint that has them, each problem said once."""
    try:
        builds = render_each(check_each(path, display or path.name))
    except BlueprintError as exc:
        problems = exc.problems
    else:
        problems = together([(b.checked.environment, b.warnings) for b in builds])
    return "".join(p.text() + "\n" for p in sorted(problems))


def first_environment(path: Path) -> str | None:
    """The first environment of a blueprint that has them: what the tests that take each
    example as one blueprint check (tests/test_environments.py takes each); None for a
    blueprint without."""
    names = environments.names(loader.load(path))
    return names[0] if names else None


def run_with_stand_in(
    script: Path, stand_in: str, cwd: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """Run a deploy script with ``aws`` replaced by ``stand_in``, a Python program (its
    ``{python}`` filled in) that records each call as a JSON line in
    ``$FAKE_AWS_STATE/calls.jsonl``; the run, and the calls in order."""
    bin_dir, state = cwd / "bin", cwd / "state"
    bin_dir.mkdir()
    state.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(stand_in.format(python=sys.executable))
    aws.chmod(0o755)
    done = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "FAKE_AWS_STATE": str(state), **env},
    )
    log = state / "calls.jsonl"  # absent when the script stopped before calling aws
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return done, calls
