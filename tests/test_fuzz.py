"""Hostile blueprints: the examples and blueprint.yaml, mutated the way people and attackers
mutate them, must give a located problem or a clean build, never a traceback or an internal
error, and what validation accepts must build.

Each case applies one mutation to one seed: control characters and lone surrogates in any
string, raw control bytes anywhere in the file, boundary and wrong-typed numbers, very long
values, include paths that leave the folder or name devices, names that collide once turned
into logical IDs, deleted and duplicated keys. The quick suite runs a fixed set of 200; CI's
exhaustive run checks 2,000 new ones each run and lints a sample of those that build. The
2,000 are drawn from ``BLUEPRINT_FUZZ_SEED``, a new random seed each run unless set; a
failure names its seed, and ``BLUEPRINT_FUZZ_SEED=N pytest -m exhaustive`` draws the same
corpus again.
"""

from __future__ import annotations

import copy
import os
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import BlueprintError
from generator.pipeline import check_each, lint, render_each

from .conftest import ROOT

SEEDS = [*sorted((ROOT / "examples").glob("*.yaml")), ROOT / "blueprint.yaml"]
CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85)]
CONTROL += ["\x9f", "\ufffe", "\uffff", "\x1b[31m"]
HOSTILE_PATHS = [
    "/proc/self/environ",
    "/dev/zero",
    "../outside.sh",
    "../../etc/passwd",
    "/etc/hostname",
    "files/../../x",
    "",
    "files/\nx.sh",
]
NUMBERS: list[Any] = [0, -1, 1, 2**31, 2**63, 65535, 65536, 1.5, float("inf"), "7", True, None]


def _paths(data: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*here, i))


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _strings(data: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(data) if p and isinstance(_get(data, p), str)]


def _scalars(data: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(data) if p and not isinstance(_get(data, p), dict | list)]


def _control_in_string(data: Any, rng: random.Random) -> None:
    path = rng.choice(_strings(data))
    text = _get(data, path)
    at = rng.randrange(len(text) + 1)
    _set(data, path, text[:at] + rng.choice(CONTROL) + text[at:])


def _surrogate(data: Any, rng: random.Random) -> None:
    path = rng.choice(_strings(data))
    _set(data, path, _get(data, path) + rng.choice(["\ud800", "\udfff", "\udc80x"]))


def _number(data: Any, rng: random.Random) -> None:
    _set(data, rng.choice(_scalars(data)), rng.choice(NUMBERS))


def _long(data: Any, rng: random.Random) -> None:
    path = rng.choice(_strings(data))
    _set(data, path, _get(data, path) * rng.choice([20, 300, 5000]))


def _include(data: Any, rng: random.Random) -> None:
    target = rng.choice(HOSTILE_PATHS)
    instances = data.get("instances") or {"web": {"instance_type": "t3.micro"}}
    data["instances"] = instances
    name = rng.choice(sorted(instances))
    instances[name].pop("user_data", None)
    instances[name]["user_data_file"] = target


def _collide(data: Any, rng: random.Random) -> None:
    sections = [k for k, v in data.items() if isinstance(v, dict) and v and k != "tags"]
    section = rng.choice(sections)
    entries = data[section]
    name = rng.choice(sorted(entries))
    if not isinstance(entries[name], dict):
        return
    twin = name.replace("-", "_") if "-" in name else f"{name}_"
    twin = twin if twin != name else f"{name}-"
    entries[twin] = copy.deepcopy(entries[name])


def _delete(data: Any, rng: random.Random) -> None:
    path = rng.choice([p for p in _paths(data) if p])
    del _get(data, path[:-1])[path[-1]]


MUTATIONS: list[Callable[[Any, random.Random], None]] = [
    _control_in_string,
    _surrogate,
    _number,
    _long,
    _include,
    _collide,
    _delete,
]


def _case(index: int, run_seed: int) -> tuple[str, bytes]:
    """One hostile blueprint as file bytes, and what was done to it."""
    rng = random.Random(f"{run_seed}:{index}")
    source = rng.choice(SEEDS)
    data = yaml.safe_load(source.read_text())
    kind = rng.randrange(len(MUTATIONS) + 1)
    if kind < len(MUTATIONS):
        MUTATIONS[kind](data, rng)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        label = f"{source.name} {MUTATIONS[kind].__name__}"
        return label, text.encode("utf-8", "surrogatepass")
    raw = source.read_bytes()
    at = rng.randrange(len(raw) + 1)
    byte = rng.choice([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFF, 0xC3])
    return f"{source.name} raw byte {byte:#04x} at {at}", raw[:at] + bytes([byte]) + raw[at:]


def _outcome(folder: Path, label: str, blob: bytes) -> Any:
    """Check and render one case (each environment of one that has them): the build (the
    first environment's), or None when refused with located problems."""
    path = folder / "blueprint.yaml"
    path.write_bytes(blob)
    try:
        return render_each(check_each(path, "blueprint.yaml"))[0]
    except BlueprintError as exc:
        assert exc.problems, label
        for problem in exc.problems:
            assert problem.code, label
            assert "\n" not in problem.message and "Traceback" not in problem.message, label
        return None
    except Exception as exc:
        pytest.fail(f"{label}: {type(exc).__name__}: {exc}")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "files", folder / "files")
    (tmp_path / "outside.sh").write_text("echo outside\n")
    return folder


def test_a_fixed_set_of_hostile_blueprints(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    built = sum(_outcome(folder, *(_case(i, 0))) is not None for i in range(200))
    assert 0 < built < 200


RUN_SEED = int(os.environ.get("BLUEPRINT_FUZZ_SEED") or random.SystemRandom().randrange(1 << 31))


@pytest.mark.exhaustive
def test_new_hostile_blueprints_each_run(tmp_path: Path) -> None:
    """2,000 cases from ``BLUEPRINT_FUZZ_SEED``; a sample of those that build is linted,
    and must lint clean (what validation accepts, AWS's linter accepts)."""
    folder = _folder(tmp_path)
    builds = []
    for i in range(2000):
        label, blob = _case(i, RUN_SEED)
        try:
            result = _outcome(folder, label, blob)
        except BaseException as exc:
            exc.add_note(f"again: BLUEPRINT_FUZZ_SEED={RUN_SEED} pytest -m exhaustive")
            raise
        if result is not None:
            builds.append((label, result))
    assert builds
    for label, result in random.Random(RUN_SEED).sample(builds, min(15, len(builds))):
        lint(result)
        errors = [p.text()[:300] for p in result.lint_problems if p.severity == "error"]
        assert errors == [], f"{label} (BLUEPRINT_FUZZ_SEED={RUN_SEED}): {errors[:3]}"
