"""cfn-lint, in-process, on the exact text that will be written: findings as values.

Results are cached by the exact template bytes, the cfn-lint version, the region and the
rule configuration, in ``$BLUEPRINT_CACHE_DIR`` (default: ``$XDG_CACHE_HOME/blueprint``,
else ``~/.cache/blueprint``; ``off`` disables it). When every template is in the cache,
cfn-lint is not even imported. Templates that are not are linted in parallel, one process
per core, forked after cfn-lint is imported so that each starts warm.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import InternalError

#: Part of every cache key: the rules that run (cfn-lint's defaults: errors and warnings).
RULE_CONFIG = "default-rules"


@dataclass(frozen=True, order=True)
class Finding:
    """One cfn-lint finding in a template."""

    line: int
    column: int
    rule: str
    message: str
    #: The JSON path of the finding, e.g. ("Resources", "BotService", "Properties", ...).
    path: tuple[str | int, ...]

    @property
    def severity(self) -> str:
        return {"E": "error", "W": "warning", "I": "info"}.get(self.rule[:1], "error")

    @property
    def logical_id(self) -> str | None:
        if len(self.path) > 1 and self.path[0] == "Resources":
            return str(self.path[1])
        return None


#: cfn-lint's rules, loaded once per process (loading them takes longer than linting a
#: small template); the same for every region, which each run is told separately.
_RULES: list[Any] = []


def _rules() -> Any:
    if not _RULES:
        # Importing cfn-lint and loading its rules makes many objects and no garbage: the
        # collector's passes over them are time lost (a fifth of it). Paused meanwhile,
        # then what was made is frozen out of its view.
        paused = gc.isenabled()
        gc.disable()
        try:
            from cfnlint.config import ConfigMixIn
            from cfnlint.runner import Runner

            _RULES.append(Runner(ConfigMixIn(regions=["us-east-1"])).rules)
        finally:
            if paused:
                gc.freeze()
                gc.enable()
    return _RULES[0]


def lint(text: str, region: str) -> list[Finding]:
    """Lint a template for one region with cfn-lint's default rules (errors and warnings),
    as ``cfnlint.api.lint(text, rules, ...)`` does, with the rules loaded once."""
    # Imported here: cfn-lint takes most of a second to import, and `validate` never lints.
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(text)
    if errors or template is None:
        matches = list(errors)
    else:
        matches = list(run_template_by_data(template, ConfigMixIn(regions=[region]), _rules()))
    return sorted(_plain(m) for m in matches)


def _plain(match: Any) -> Finding:
    """A cfn-lint match as a value of plain ``str`` and ``int``: cfn-lint's own strings
    (``str_node``, of a class made per template) cannot be pickled, and findings cross the
    worker pool and go into the cache."""
    return Finding(
        line=int(match.linenumber),
        column=int(match.columnnumber),
        rule=str(match.rule.id),
        message=str(match.message),
        path=tuple(
            int(part) if isinstance(part, int) else str(part)
            for part in getattr(match, "path", None) or ()
        ),
    )


def cache_dir() -> Path | None:
    """Where lint results are kept (None: not kept)."""
    chosen = os.environ.get("BLUEPRINT_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "blueprint"


def cache_key(text: str, region: str) -> str:
    from importlib import metadata  # not at the top: a warm build never needs it

    version = metadata.version("cfn-lint")
    head = f"cfn-lint {version}\0{region}\0{RULE_CONFIG}\0".encode()
    return hashlib.sha256(head + text.encode()).hexdigest()


def _read(folder: Path, key: str) -> list[Finding] | None:
    try:
        raw = json.loads((folder / "lint" / f"{key}.json").read_text())
        return [
            Finding(f["line"], f["column"], f["rule"], f["message"], tuple(f["path"])) for f in raw
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: lint again


def _store(folder: Path, key: str, findings: list[Finding]) -> None:
    target = folder / "lint" / f"{key}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump([asdict(f) for f in findings], handle)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time


#: Why this worker process cannot lint (cfn-lint failed to import or load its rules).
_BROKEN: list[BaseException] = []


def _start_worker() -> None:
    """A worker's start: load cfn-lint. A failure is kept and raised by the worker's first
    job, so that it reaches the build (a pool whose workers die at start-up restarts them
    forever). Ctrl-C reaches the whole process group: the build reports it and ends the
    workers, which ignore it rather than each print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _rules()
    except Exception as exc:
        _BROKEN.append(exc)


def _lint_job(job: tuple[str, str]) -> list[Finding]:
    if _BROKEN:
        raise _BROKEN[0]
    return lint(*job)


def _workers(count: int | None = None) -> int:
    """One per core usable here, at most ``count`` (None: no bound but the cores)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(count or cores or 1, cores or 1))


@contextlib.contextmanager
def _holding_interrupts(held: list[int]) -> Iterator[None]:
    """SIGINT noted in ``held`` meanwhile rather than raised (in the main thread, the only
    one that may say so): a process forked meanwhile stays quiet until it ignores it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda number, _: held.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Workers:
    """Lint worker processes, one per core (at most ``wanted``), each importing cfn-lint
    and loading its rules as soon as it starts: started before the templates exist, they
    get ready while the blueprint is validated and rendered. Use as a context manager."""

    def __init__(self, wanted: int | None = None) -> None:
        import multiprocessing

        count = _workers(wanted)
        context = multiprocessing.get_context("fork")
        self.pool: Any = None
        if count > 1:
            held: list[int] = []
            with _holding_interrupts(held):
                self.pool = context.Pool(count, initializer=_start_worker)
            if held:  # Ctrl-C while the workers were started: the build stops now
                self.__exit__()
                raise KeyboardInterrupt

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def lint_all(
    jobs: Sequence[tuple[str, str]],
    progress: Callable[[int, int], None] | None = None,
    workers: Workers | None = None,
) -> list[list[Finding]]:
    """Lint each (text, region), from the cache where it can, the rest in parallel;
    ``progress(done, total)`` is called as templates finish."""
    folder = cache_dir()
    keys = [cache_key(text, region) for text, region in jobs]
    results: list[list[Finding] | None] = [
        _read(folder, key) if folder is not None else None for key in keys
    ]
    todo = [i for i, found in enumerate(results) if found is None]
    if todo:
        with contextlib.ExitStack() as stack:
            pool = workers.pool if workers is not None else None
            if pool is None and _workers(len(todo)) > 1:
                _rules()  # imports cfn-lint and loads its rules once, before the fork
                pool = stack.enter_context(Workers(len(todo))).pool
            found = (
                pool.imap(_lint_job, [jobs[i] for i in todo], chunksize=1)
                if pool is not None
                else (_lint_job(jobs[i]) for i in todo)
            )
            done = []
            try:
                for findings in found:
                    done.append(findings)
                    if progress is not None:
                        progress(len(done), len(todo))
            except Exception as exc:
                raise InternalError(f"cfn-lint failed: {exc!r}") from exc
        for i, findings in zip(todo, done, strict=True):
            results[i] = findings
            if folder is not None:
                _store(folder, keys[i], findings)
    return [r if r is not None else [] for r in results]
