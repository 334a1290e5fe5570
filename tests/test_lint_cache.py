"""The lint cache: keyed by the exact bytes, cfn-lint's version, the region and the rule
configuration; a warm build never imports cfn-lint, and cached findings still fail it."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from generator import lint, runtime
from generator.cli import main

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "ghost-fargate-efs-cloudfront.yaml"  # two stacks


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", str(folder))
    return folder


def build_in_subprocess(cache: Path, out: Path) -> tuple[int, bool]:
    """Exit code of `blueprint build`, and whether any of its processes (lint workers
    included) imported cfn-lint: the one function that does leaves a mark."""
    mark = cache.parent / "cfn-lint-imported"
    mark.unlink(missing_ok=True)
    code = (
        "import generator.lint as l; real = l._rules\n"
        "def marked():\n"
        f"    open({str(mark)!r}, 'a').write('x')\n"
        "    return real()\n"
        "l._rules = marked\n"
        "from generator.cli import main\n"
        f"print(main(['build', {str(EXAMPLE)!r}, '--out', {str(out)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"BLUEPRINT_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(cache)},
        check=True,
    )
    return int(done.stdout.splitlines()[-1]), mark.exists()


def test_a_warm_build_does_not_import_cfn_lint(cache: Path, tmp_path: Path) -> None:
    assert build_in_subprocess(cache, tmp_path / "out") == (0, True)
    entries = sorted((cache / "lint").glob("*.json"))
    assert len(entries) == 3  # one per stack
    assert all(json.loads(p.read_text()) == [] for p in entries)
    # another output folder: rendered in full (no up-to-date record for it), linted from
    # the cache
    assert build_in_subprocess(cache, tmp_path / "out2") == (0, False)


def test_the_key_covers_bytes_region_version_and_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    base = lint.cache_key("{}", "ap-northeast-1")
    assert lint.cache_key("{}", "ap-northeast-1") == base
    assert lint.cache_key("{} ", "ap-northeast-1") != base
    assert lint.cache_key("{}", "us-east-1") != base
    monkeypatch.setattr(lint, "RULE_CONFIG", "default-rules+I")
    assert lint.cache_key("{}", "ap-northeast-1") != base
    monkeypatch.undo()
    monkeypatch.setattr("importlib.metadata.version", lambda name: "0.0.1")
    assert lint.cache_key("{}", "ap-northeast-1") != base


def test_cached_findings_still_fail_the_build(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[str] = []

    def fake_lint(text: str, region: str) -> list[lint.Finding]:
        calls.append(region)
        return [lint.Finding(3, 5, "E3012", "bad value", ("Resources", "GhostService"))]

    monkeypatch.setattr(lint, "lint", fake_lint)
    monkeypatch.setattr(runtime, "workers", lambda count: 1)  # stay in this process
    out = tmp_path / "out"
    assert main(["build", str(EXAMPLE), "--out", str(out)]) == 2
    assert sorted(calls) == ["ap-northeast-1", "ap-northeast-1", "us-east-1"]
    first = capsys.readouterr().err

    def no_lint(text: str, region: str) -> list[lint.Finding]:
        raise AssertionError("linted although cached")

    monkeypatch.setattr(lint, "lint", no_lint)
    assert main(["build", str(EXAMPLE), "--out", str(out)]) == 2
    assert capsys.readouterr().err == first
    assert not out.exists()


def test_a_damaged_entry_is_linted_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint, "lint", lambda text, region: [])
    key = lint.cache_key("{}", "us-east-1")
    (cache / "lint").mkdir(parents=True)
    (cache / "lint" / f"{key}.json").write_text("[{not json")
    assert lint.lint_all([("{}", "us-east-1")]) == [[]]
    assert json.loads((cache / "lint" / f"{key}.json").read_text()) == []


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLUEPRINT_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(lint, "lint", lambda text, region: [])
    assert lint.cache_dir() is None
    assert lint.lint_all([("{}", "us-east-1")]) == [[]]
    assert list(tmp_path.iterdir()) == []


def test_default_location_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BLUEPRINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lint.cache_dir() == tmp_path / "blueprint"


def test_cfn_lint_failing_to_load_is_an_internal_error_not_a_hang(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers that cannot load cfn-lint report it through their first job: the build
    stops with exit 4 and writes nothing (a pool whose start-up fails would otherwise
    restart its workers forever)."""

    def broken() -> None:
        raise ImportError("no module named sympy")

    monkeypatch.setattr(lint, "_rules", broken)
    out = tmp_path / "out"
    assert main(["build", str(EXAMPLE), "--out", str(out)]) == 4
    err = capsys.readouterr().err
    assert "internal error: cfn-lint failed: ImportError('no module named sympy')" in err
    assert not out.exists()


def _database(version: str) -> str:
    """A template of one PostgreSQL instance at ``version``, as cfn-lint reads it."""
    return json.dumps(
        {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {
                "Db": {
                    "Type": "AWS::RDS::DBInstance",
                    "DeletionPolicy": "Snapshot",
                    "UpdateReplacePolicy": "Snapshot",
                    "Properties": {
                        "Engine": "postgres",
                        "EngineVersion": version,
                        "DBInstanceClass": "db.t4g.micro",
                        "AllocatedStorage": "20",
                        "MasterUsername": "dbadmin",
                        "ManageMasterUserPassword": True,
                        "StorageEncrypted": True,
                    },
                }
            },
        },
        indent=1,
    )


#: cfn-lint's W3691 (a deprecated engine version) and E3691 (an engine version RDS does
#: not have), found through the worker pool.
WARNED = _database("16.4")
REFUSED = _database("99.1")
DEPRECATED = lint.Finding(
    8,
    4,
    "W3691",
    "Engine version '16.4' for engine 'postgres' is deprecated and cannot be used to create "
    "new RDS DB instances",
    ("Resources", "Db", "Properties"),
)


def _plain(value: object) -> bool:
    """Only built-in str and int inside (cfn-lint's own string class cannot be pickled)."""
    if isinstance(value, tuple):
        return all(_plain(part) for part in value)
    return type(value) in (str, int)


@pytest.mark.parametrize("workers", [2, 1])
def test_findings_cross_the_worker_pool_as_plain_values(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several workers (forced: even on one core) and with none, a warning and an
    error come back exactly, made of plain values."""
    monkeypatch.setattr(runtime, "workers", lambda count=None: workers)
    with runtime.Workers() as pool:
        assert pool.started == (workers > 1)
        warned, refused = lint.lint_all(
            [(WARNED, "ap-northeast-1"), (REFUSED, "ap-northeast-1")], workers=pool
        )
    assert warned == [DEPRECATED]
    [error] = refused
    assert (error.line, error.column, error.rule, error.path, error.severity) == (
        10,
        5,
        "E3691",
        ("Resources", "Db", "Properties", "EngineVersion"),
        "error",
    )
    assert error.message.startswith("'99.1' is not one of ['10', '10.1', ")
    for finding in (*warned, error):
        fields = (finding.line, finding.column, finding.rule, finding.message, finding.path)
        assert _plain(fields), fields
        assert pickle.loads(pickle.dumps(finding)) == finding
