"""Time the blueprint pipeline, in one process and as whole commands.

Usage: ``python bench/run.py [BLUEPRINT] [--runs N] [--json]``

Rows:

* floors, each a fresh interpreter: ``python -c pass`` (start-up), ``python -c "import
  cfnlint.api"`` (what a cold build cannot avoid), a plain troposphere script making
  the same templates (``bench/plain.py``: what rendering the system costs without
  blueprint), and importing YAML, pydantic and that script's troposphere modules (what a
  command that validates and renders cannot avoid; validate is shown over it too).
* in-process: each pipeline step, after one untimed warm-up build has imported
  troposphere and cfn-lint and filled their caches.
* commands: ``blueprint validate|build`` (the installed console script) in a fresh
  process each run, each with its median over its floor's: validate over the plain
  troposphere script, a cold build over importing cfn-lint, a warm build over start-up.
  Floors and commands are run in turn, round after round, so that the machine's load
  weighs on both alike.
* synthetic blueprints: cold builds of N services, with their median over the cfn-lint
  floor's, that floor measured in turn with them (before each build).

Standard library only, plus the project itself (``generator``) installed; the plain
troposphere script needs troposphere, which the project installs.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# Run as a script (python bench/run.py), the repository root is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import hostile, plain, synthetic
from generator import pipeline
from generator.errors import BlueprintError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BLUEPRINT = ROOT / "blueprint.yaml"


@dataclass(frozen=True)
class Row:
    group: str
    name: str
    median_ms: float
    min_ms: float
    #: the row's floor (a row of the floors group measured in the same run), and this
    #: row's median over the floor's
    floor: str = ""
    times_floor: float | None = None


def _row(group: str, name: str, samples: Sequence[float], floor: Row | None = None) -> Row:
    median, fastest = statistics.median(samples) * 1000, min(samples) * 1000
    if floor is None:
        return Row(group, name, round(median, 3), round(fastest, 3))
    ratio = round(median / floor.median_ms, 2) if floor.median_ms else None
    return Row(group, name, round(median, 3), round(fastest, 3), floor.name, ratio)


def _time(
    action: Callable[[], object],
    runs: int,
    setup: Callable[[], object] | None = None,
) -> list[float]:
    """Seconds taken by ``action`` on each of ``runs`` runs; ``setup`` runs untimed first."""
    samples = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def blueprint_command() -> list[str]:
    """The ``blueprint`` command as users run it: the console script installed beside this
    interpreter, or ``python -m generator`` where there is none."""
    script = Path(sys.executable).parent / "blueprint"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "generator"]


def _command(
    args: Sequence[str], cache: Callable[[], Path] | None = None, *, python: bool = False
) -> Callable[[], None]:
    """A fresh ``blueprint ARGS`` (with ``python``: ``python ARGS``); a failing command
    stops the benchmark. ``cache`` gives the cache folder of each run (default: none)."""
    program = [sys.executable] if python else blueprint_command()

    def run() -> None:
        env = {**os.environ, "BLUEPRINT_CACHE_DIR": str(cache()) if cache else "off"}
        done = subprocess.run(
            [*program, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        if done.returncode != 0:
            sys.exit(f"bench: {' '.join(args)} exited {done.returncode}:\n{done.stderr}")

    return run


def _in_process_rows(blueprint: Path, runs: int, scratch: Path) -> list[Row]:
    counter = iter(range(1_000_000))

    def build() -> None:
        checked = pipeline.check(blueprint)
        result = pipeline.render(checked)
        pipeline.lint(result)
        pipeline.write(result, scratch / f"inproc-{next(counter)}")  # fresh dir: real writes

    build()  # warm-up: imports troposphere and cfn-lint, fills their caches
    checked = pipeline.check(blueprint)
    # lint() appends to the Build it is given, so each lint run gets a fresh render.
    fresh: list[pipeline.Build] = []

    def lint() -> None:
        pipeline.lint(fresh[-1])

    group = "in-process (warm)"
    return [
        _row(
            group, "check (load+validate+resolve)", _time(lambda: pipeline.check(blueprint), runs)
        ),
        _row(
            group,
            "render (render+serialize)",
            # the deploy script is made when first read (as a build writes it)
            _time(lambda: pipeline.render(checked).deploy_script, runs),
        ),
        _row(
            group,
            "lint (cfn-lint)",
            _time(lint, runs, setup=lambda: fresh.append(pipeline.render(checked))),
        ),
        _row(group, "build (check+render+lint+write)", _time(build, runs)),
    ]


def _hostile_rows(runs: int, scratch: Path) -> list[Row]:
    """How long the loader takes to refuse each hostile input (in-process, warm)."""
    files = {
        "alias bomb (387M values)": hostile.alias_bomb(),
        "10,000-deep nesting": hostile.deep_nesting(),
    }
    paths = {}
    for name, text in files.items():
        paths[name] = scratch / f"hostile-{len(paths)}.yaml"
        paths[name].write_text(text)
    paths["50 MiB file"] = scratch / "hostile-huge.yaml"
    hostile.huge_file(paths["50 MiB file"])

    def refuse(path: Path) -> Callable[[], None]:
        def run() -> None:
            try:
                pipeline.check(path)
            except BlueprintError:
                return
            raise RuntimeError(f"{path} was accepted")

        return run

    group = "hostile input, refused (in-process)"
    return [_row(group, name, _time(refuse(path), runs)) for name, path in paths.items()]


#: The floors: a bare interpreter, one that imports cfn-lint (what a cold build cannot
#: avoid), and a plain troposphere script making the same templates (bench/plain.py).
STARTUP = "python -c pass (start-up)"
CFN_LINT = "python -c 'import cfnlint.api'"
PLAIN = "plain troposphere script, same templates"
LIBRARIES = "import yaml, pydantic and those troposphere modules"
FLOORS = (STARTUP, CFN_LINT, PLAIN, LIBRARIES)
#: Each command row, and the floor it is measured against.
VALIDATE = "blueprint validate"
COLD = "blueprint build, cold (empty lint cache)"
WARM = "blueprint build, warm (nothing changed)"
COMMANDS = {VALIDATE: PLAIN, COLD: CFN_LINT, WARM: STARTUP}


def _fresh_rows(blueprint: Path, runs: int, scratch: Path) -> list[Row]:
    """The floors and the commands, each in a fresh interpreter, taken in turn in each of
    ``runs`` rounds, so that drift in the machine's load hits floors and commands alike."""
    counter = iter(range(1_000_000))

    def cold() -> None:
        n = next(counter)  # a new output folder and an empty lint cache each run
        args = ["build", str(blueprint), "--out", str(scratch / f"cmd-{n}")]
        _command(args, cache=lambda: scratch / f"cache-{n}")()

    warm_out, warm_cache = scratch / "warm-out", scratch / "warm-cache"
    stacks = pipeline.render(pipeline.check(blueprint)).stacks
    script = plain.written([s.data for s in stacks], scratch)
    imports = scratch / "libraries.py"
    imports.write_text(plain.libraries([s.data for s in stacks]))
    actions: dict[str, Callable[[], None]] = {
        STARTUP: _command(["-c", "pass"], python=True),
        CFN_LINT: _command(["-c", "import cfnlint.api"], python=True),
        PLAIN: _command([str(script)], python=True),
        LIBRARIES: _command([str(imports)], python=True),
        VALIDATE: _command(["validate", str(blueprint)]),
        COLD: cold,
        WARM: _command(["build", str(blueprint), "--out", str(warm_out)], cache=lambda: warm_cache),
    }
    # warm-up: bytecode caches, the OS file cache, and the warm build's cache and output
    # folder (so that its timed runs change nothing)
    for action in actions.values():
        action()
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            samples[name] += _time(action, 1)
    floors = {name: _row("floors (fresh interpreter)", name, samples[name]) for name in FLOORS}
    group = "command (fresh interpreter)"
    return [
        *floors.values(),
        *(_row(group, name, samples[name], floors[floor]) for name, floor in COMMANDS.items()),
        # validate once more, over what it imports before any work of its own
        _row(group, f"{VALIDATE} (over its libraries)", samples[VALIDATE], floors[LIBRARIES]),
    ]


@dataclass(frozen=True)
class Scale:
    services: int
    exit_code: int
    median_s: float
    resources: int
    stacks: int
    largest_stack: int
    largest_bytes: int
    #: the largest single process (wait4's ru_maxrss: the build or one of its workers)
    peak_mib: float
    #: the whole build at its fullest: the sum of its processes' proportional set sizes
    #: (shared pages split between the processes sharing them), sampled every 20 ms
    peak_tree_mib: float
    #: the floor, a fresh ``import cfnlint.api`` run before each of these builds (median)
    floor_s: float | None = None
    #: the builds' median over the floor's
    times_floor: float | None = None


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return out


def _pss_kib(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except (OSError, ValueError):
            continue
    return total


def _scale_rows(sizes: Sequence[int], runs: int, scratch: Path) -> list[Scale]:
    """Cold builds (empty lint cache) of synthetic blueprints of N services, each after a
    run of its floor (a fresh ``import cfnlint.api``), so that the load weighs on both."""
    out = []
    floor = _command(["-c", "import cfnlint.api"], python=True)
    floor()  # warm-up: bytecode and the OS file cache
    for size in sizes:
        source = scratch / f"scale-{size}.yaml"
        source.write_text(synthetic.blueprint(size))
        samples, floors, peak, tree_peak, code = [], [], 0, 0, 0
        for run in range(runs):
            floors += _time(floor, 1)
            target = scratch / f"scale-{size}-{run}"
            env = {**os.environ, "BLUEPRINT_CACHE_DIR": str(scratch / f"scale-cache-{size}-{run}")}
            start = time.perf_counter()
            child = subprocess.Popen(
                [*blueprint_command(), "build", str(source), "--out", str(target)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while True:
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                tree_peak = max(tree_peak, _pss_kib(_tree(child.pid)))
                time.sleep(0.02)
            samples.append(time.perf_counter() - start)
            code = os.waitstatus_to_exitcode(status)
            peak = max(peak, usage.ru_maxrss)  # KiB on Linux: the largest process of the tree
        try:
            stacks = pipeline.render(pipeline.check(source)).stacks
        except BlueprintError:  # refused (e.g. over a stack's limits): no stacks to count
            stacks = []
        out.append(
            Scale(
                size,
                code,
                round(statistics.median(samples), 2),
                sum(s.resources for s in stacks),
                len(stacks),
                max((s.resources for s in stacks), default=0),
                max((len(s.text.encode()) for s in stacks), default=0),
                round(peak / 1024, 1),
                round(tree_peak / 1024, 1),
                round(statistics.median(floors), 3),
                round(statistics.median(samples) / statistics.median(floors), 2),
            )
        )
    return out


def _scale_table(rows: Sequence[Scale]) -> str:
    head = (
        f"{'services':>8} {'exit':>5} {'median s':>9} {'resources':>10} {'stacks':>7} "
        f"{'largest':>8} {'bytes':>9} {'peak MiB':>9} {'all MiB':>8} {'floor s':>8} "
        f"{'x floor':>8}"
    )
    lines = [
        "",
        f"cold build of synthetic blueprints (blueprint build; floor: {CFN_LINT},"
        " run before each build):",
        head,
    ]
    for r in rows:
        lines.append(
            f"{r.services:>8} {r.exit_code:>5} {r.median_s:>9.2f} {r.resources:>10} "
            f"{r.stacks:>7} {r.largest_stack:>8} {r.largest_bytes:>9} {r.peak_mib:>9.1f} "
            f"{r.peak_tree_mib:>8.1f} {r.floor_s if r.floor_s is not None else '':>8} "
            f"{r.times_floor if r.times_floor is not None else '':>8}"
        )
    return "\n".join(lines)


def _machine(blueprint: Path, runs: int) -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "cfn_lint": importlib.metadata.version("cfn-lint"),
        "blueprint": str(blueprint),
        "runs": runs,
    }


def _table(machine: dict[str, object], rows: Sequence[Row]) -> str:
    lines = [
        f"cpus {machine['cpu_count']}, Python {machine['python']}, "
        f"cfn-lint {machine['cfn_lint']}, {machine['runs']} runs, "
        f"blueprint {machine['blueprint']}",
        "",
    ]
    width = max(len(r.name) for r in rows) + 2
    lines.append(f"{'step':<{width}}{'median ms':>11}{'min ms':>11}{'x floor':>9}  floor")
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            lines.append(f"{group}:")
        ratio = f"{r.times_floor:>9.2f}  {r.floor}" if r.times_floor is not None else ""
        lines.append(f"  {r.name:<{width - 2}}{r.median_ms:>11.1f}{r.min_ms:>11.1f}{ratio}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the blueprint pipeline.")
    parser.add_argument(
        "blueprint",
        nargs="?",
        type=Path,
        default=DEFAULT_BLUEPRINT,
        help=f"the blueprint to build (default: {DEFAULT_BLUEPRINT})",
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs per row (default: 7)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--scale",
        default="1,10,50,150",
        help="service counts of the synthetic cold builds (default: 1,10,50,150; '' skips)",
    )
    parser.add_argument(
        "--scale-runs", type=int, default=3, help="runs per synthetic size (default: 3)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    blueprint: Path = args.blueprint.resolve()
    # In-process rows lint for real; the command rows choose their own cache folder.
    os.environ["BLUEPRINT_CACHE_DIR"] = "off"
    try:
        pipeline.check(blueprint)
    except BlueprintError as exc:
        for problem in exc.problems:
            print(problem.text(), file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix="blueprint-bench-") as tmp:
        scratch = Path(tmp)
        # Scale rows first: a child's peak memory (wait4) counts the image it was forked
        # from, so they run while this process is still small (no cfn-lint loaded).
        sizes = [int(n) for n in args.scale.split(",") if n.strip()]
        scale = _scale_rows(sizes, args.scale_runs, scratch)
        fresh = _fresh_rows(blueprint, args.runs, scratch)
        rows = [
            *(r for r in fresh if r.name in FLOORS),
            *_in_process_rows(blueprint, args.runs, scratch),
            *_hostile_rows(args.runs, scratch),
            *(r for r in fresh if r.name not in FLOORS),
        ]
    machine = _machine(blueprint, args.runs)
    if args.json:
        print(
            json.dumps(
                {**machine, "rows": [asdict(r) for r in rows], "scale": [asdict(r) for r in scale]},
                indent=2,
            )
        )
    else:
        print(_table(machine, rows) + (_scale_table(scale) if scale else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
