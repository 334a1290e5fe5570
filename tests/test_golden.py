"""Golden cases: a blueprint in, the exact templates and deploy.sh out, byte for byte.

Inputs are ``golden/NAME.yaml`` (one feature each, named for it, the files they read in
``golden/files/``) and every file in ``examples/`` (whole systems); expected outputs live in
``golden/NAME/`` and ``golden/examples/NAME/``. Rewrite them only with
``pytest --update-golden`` and review the diff. Every expected template must lint clean:
no cfn-lint error and no warning.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import environments, loader
from generator.pipeline import Build, check, lint, render

from .conftest import HERE, ROOT

WARNINGS = "warnings.txt"


def _cases(source: Path, expected: Path) -> list[tuple[Path, Path, str | None]]:
    """One case per environment of a blueprint that has them, in a folder of its own
    (``expected/<environment>``), as ``blueprint build`` writes them; else one."""
    named = environments.names(loader.load(source))
    return [(source, expected / e, e) for e in named] or [(source, expected, None)]


CASES = [
    case
    for p in sorted((HERE / "golden").glob("*.yaml"))
    for case in _cases(p, HERE / "golden" / p.stem)
]
CASES += [
    case
    for p in sorted((ROOT / "examples").glob("*.yaml"))
    for case in _cases(p, HERE / "golden" / "examples" / p.stem)
]


@functools.cache
def _rendered(source: Path, text: bytes, env: str | None) -> Build:
    """The render of one input, made once per session: the key is the file's exact bytes,
    and the render of the same bytes is the same (the goldens pin it byte for byte)."""
    return render(check(source, source.name, env=env))


def rendered(source: Path, env: str | None = None) -> Build:
    return _rendered(source, source.read_bytes(), env)


def _id(case: tuple[Path, Path, str | None]) -> str:
    source, _, env = case
    return f"{source.stem}-{env}" if env else source.stem


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_golden(case: tuple[Path, Path, str | None], update_golden: bool) -> None:
    source, expected_dir, env = case
    result = rendered(source, env)
    lint(result)
    files = dict(result.files)
    warnings = "".join(p.text() + "\n" for p in result.warnings)
    if warnings:  # a blueprint that builds with warnings keeps them in its golden folder
        files[WARNINGS] = warnings.encode()
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        expected_dir.mkdir(parents=True)
        for name, data in files.items():
            (expected_dir / name).write_bytes(data)
    expected = {p.name: p.read_bytes() for p in expected_dir.iterdir()}
    assert sorted(files) == sorted(expected), "the set of files written changed"
    for name, data in files.items():
        assert data == expected[name], f"{name} differs from {expected_dir / name}"
    findings = [f for stack in result.lint.values() for f in stack]
    assert findings == [], f"cfn-lint: {findings}"


def test_every_example_has_a_golden() -> None:
    assert len(list((ROOT / "examples").glob("*.yaml"))) >= 1
    for source, expected_dir, _ in CASES:
        assert expected_dir.is_dir(), f"{source} has no expected output in {expected_dir}"


def test_templates_out_is_fresh() -> None:
    """templates_out/ holds what `blueprint build` writes for blueprint.yaml today."""
    result = render(check(ROOT / "blueprint.yaml", "blueprint.yaml"))
    out = ROOT / "templates_out"
    for name, data in result.files.items():
        path = out / name
        assert path.is_file(), f"templates_out/{name} is missing: run `blueprint build`"
        assert path.read_bytes() == data, f"templates_out/{name} is stale: run `blueprint build`"
    stray = {p.name for p in out.iterdir()} - set(result.files) - {".blueprint-files"}
    assert not stray, f"templates_out/ holds files the build does not write: {stray}"


def _expected_stacks() -> list[tuple[str, str, str]]:
    """Every expected template: (file, its stack's region, its text)."""
    return [
        (
            f"{expected_dir.relative_to(HERE / 'golden')}/{stack.file}",
            stack.region,
            (expected_dir / stack.file).read_text(),
        )
        for source, expected_dir, env in CASES
        for stack in rendered(source, env).stacks
    ]


#: How many expected templates the quick suite lints with the informational rules: a new
#: sample each run (the seed is printed on failure); `pytest -m exhaustive` lints them all.
INFORMATIONAL_SAMPLE = 14
SAMPLE_SEED = int(os.environ.get("BLUEPRINT_LINT_SEED") or random.SystemRandom().randrange(1 << 31))


def test_a_sample_of_expected_templates_passes_informational_rules_too() -> None:
    """cfn-lint's informational rules (stateful resources without DeletionPolicy and
    UpdateReplacePolicy, hard-coded partitions, Join where Sub reads better) find nothing
    in the expected templates, each linted for its own stack's region. A different sample
    each run; every template in the exhaustive run."""
    stacks = _expected_stacks()
    assert len(stacks) >= 40
    for file, region, text in random.Random(SAMPLE_SEED).sample(stacks, INFORMATIONAL_SAMPLE):
        assert _informational(text, region) == [], f"{file} (BLUEPRINT_LINT_SEED={SAMPLE_SEED})"


@pytest.mark.exhaustive
def test_every_expected_template_passes_informational_rules_too() -> None:
    for file, region, text in _expected_stacks():
        assert _informational(text, region) == [], file


@functools.cache
def _informational_rules() -> Any:
    """cfn-lint's rules, informational ones included: what ``cfnlint.api.lint`` loads on
    every call when given no rules, loaded once."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.runner import Runner

    return Runner(ConfigMixIn(include_checks=["I"])).rules


def _informational(text: str, region: str) -> list[str]:
    """What cfn-lint's rules, informational ones included, find in one template text."""
    from cfnlint.api import lint as cfn_lint
    from cfnlint.config import ManualArgs

    config = ManualArgs(regions=[region], include_checks=["I"])
    found = cfn_lint(text, rules=_informational_rules(), config=config)
    return [f"{m.rule.id} {m.message}" for m in found]
