"""The process a command runs in: how often the garbage collector runs, and the lint
workers a build starts before it has anything to lint.

Standard library only at import: a warm build passes through here.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .lint import Finding


def pace_collector() -> None:
    """A command's run makes many long-lived objects (models, templates) and little cyclic
    garbage; the collector's passes over them cost a tenth of a run. It runs less often.
    (Importing cfn-lint freezes what it made out of the collector's view: see
    :mod:`generator.lint`.)"""
    gc.set_threshold(20_000, 50, 100)


def no_pydantic_plugins() -> None:
    """pydantic looks for plugins in the entry points of every installed distribution the
    first time it builds a validator: a scan of site-packages that costs a validate run
    more the more is installed. blueprint's models use no plugin, so the search is off
    (``PYDANTIC_DISABLE_PLUGINS``, https://docs.pydantic.dev/latest/concepts/plugins/),
    unless the environment already says otherwise."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def lint_workers(blueprint: Path) -> contextlib.AbstractContextManager[Workers | None]:
    """For a build: lint workers started now, so that importing cfn-lint and loading its
    rules overlaps validating and rendering; none (and cfn-lint is not imported) when this
    blueprint was built before from the same inputs, since its lint results are then all
    cached."""
    from . import uptodate

    if uptodate.lint_cached(blueprint):
        return contextlib.nullcontext(None)
    return Workers()  # one per core: how many templates there will be is not known yet


class LintWorkerLost(Exception):
    """A lint worker ended before the build ended it: killed from outside (the kernel's
    out-of-memory killer, a ``kill``), not a bug in blueprint nor in the blueprint. What it
    was linting is lost, and the build stops rather than wait for it; the text says which
    worker, how it ended and which template it held."""


def workers(count: int | None = None) -> int:
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


def _serve(conn: Connection, builds: list[Connection]) -> None:
    """A worker's life: load cfn-lint, then lint each (text, region) the build sends and
    send back ``("ok", findings)`` or ``("error", why)``, until the build closes its end.
    A failure to load cfn-lint is the reply to every template, so that it reaches the
    build. Ctrl-C reaches the whole process group: the build reports it and ends the
    workers, which ignore it rather than each print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for end in builds:  # the build's ends, of its pipe and of those forked before: closed,
        end.close()  # the build's end reads as an end to this worker if the build is killed
    from . import lint  # through the module: what a test replaces there is what runs

    broken = None
    try:
        lint._rules()
    except Exception as exc:
        broken = f"cfn-lint failed: {exc!r}"
    while True:
        try:
            text, region = conn.recv()
        except (EOFError, OSError):
            return  # the build ended
        try:
            reply = ("error", broken) if broken else ("ok", lint.lint(text, region))
        except Exception as exc:
            reply = ("error", f"cfn-lint failed: {exc!r}")
        try:
            conn.send(reply)
        except OSError:
            return


class _Worker:
    """One worker process, the build's end of the pipe to it, and the position (in the
    batch being linted) of the template it holds."""

    def __init__(self, context: Any, others: list[_Worker]) -> None:
        here, there = context.Pipe()
        self.conn: Connection = here
        self.held: int | None = None
        builds = [here, *(w.conn for w in others)]
        self.process: Any = context.Process(target=_serve, args=(there, builds), daemon=True)
        self.process.start()
        there.close()  # the worker's end is the worker's alone: its death reads as an end

    def give(self, position: int, job: tuple[str, str]) -> None:
        self.held = position
        with contextlib.suppress(OSError):  # it has ended: its sentinel says so, and how
            self.conn.send(job)

    def ended(self, names: Sequence[str]) -> str:
        """How this worker ended, and what it was linting, as the build says it."""
        self.process.join(5)  # it has ended (its sentinel is ready): this reaps it at once
        lost = f" while linting {names[self.held]}" if self.held is not None else ""
        return f"a lint worker (pid {self.process.pid}) {ending(self.process.exitcode)}{lost}"


def ending(exitcode: int | None) -> str:
    """How a process ended, from its exit code as :mod:`multiprocessing` gives it (minus
    the signal that ended it). The kernel's out-of-memory killer sends SIGKILL
    (https://docs.kernel.org/admin-guide/mm/concepts.html#oom-killer), the usual reason a
    worker ends that way without anyone asking."""
    if exitcode is None:
        return "ended"
    if exitcode >= 0:
        return f"ended with exit code {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        return f"ended with signal {-exitcode}"
    if -exitcode == signal.SIGKILL:
        name += ": the system may be out of memory"
    return f"ended with signal {-exitcode} ({name})"


class Workers:
    """Lint worker processes, one per core (at most ``wanted``), each importing cfn-lint
    and loading its rules as soon as it starts: started before the templates exist, they
    get ready while the blueprint is validated and rendered. Use as a context manager.

    Each worker has a pipe of its own and is given one template at a time, so the build
    always knows what each holds, and no lock is shared that a killed worker could leave
    taken (a :class:`multiprocessing.Pool` loses the task of a killed worker and waits for
    it for ever, and its ``terminate`` can block on a queue lock the dead worker held)."""

    def __init__(self, wanted: int | None = None) -> None:
        import multiprocessing

        count = workers(wanted)
        self.running: list[_Worker] = []
        if count > 1:
            context = multiprocessing.get_context("fork")
            held: list[int] = []
            try:
                with _holding_interrupts(held):
                    for _ in range(count):
                        self.running.append(_Worker(context, self.running))
            except BaseException:
                self.close()
                raise
            if held:  # Ctrl-C while the workers were started: the build stops now
                self.close()
                raise KeyboardInterrupt

    @property
    def started(self) -> bool:
        """Are there worker processes (none on one core)?"""
        return bool(self.running)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End every worker and wait for it, so that none outlives the build."""
        for worker in self.running:
            if worker.process.exitcode is None:
                worker.process.terminate()
        for worker in self.running:
            worker.process.join(5)
            if worker.process.exitcode is None:  # SIGTERM not acted on: it has no choice
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.running = []

    def run(self, jobs: Sequence[tuple[str, str]], names: Sequence[str]) -> Iterator[list[Finding]]:
        """Lint each (text, region) of ``jobs`` in the workers, yielding the findings in
        order; ``names``: each template's file, for messages. A worker that ends meanwhile
        (even one not linting) stops the run with :class:`LintWorkerLost`; a template
        cfn-lint failed on, with an internal error."""
        from multiprocessing.connection import wait

        done: dict[int, list[Finding]] = {}
        todo = list(reversed(range(len(jobs))))
        try:
            for position in range(len(jobs)):
                while position not in done:
                    # what is ready, first (without waiting while a template can be given):
                    # a worker that has ended is given none, and said to have held none
                    idle = [w for w in self.running if w.held is None] if todo else []
                    busy = [w.conn for w in self.running if w.held is not None]
                    ends = [w.process.sentinel for w in self.running]
                    self._take(wait([*busy, *ends], 0 if idle else None), done, names)
                    for worker in idle:
                        if todo:
                            worker.give(todo[-1], jobs[todo.pop()])
                yield done.pop(position)
        finally:
            if any(w.held is not None for w in self.running):
                self.close()  # stopped half-way: what the workers hold is of no use now

    def _take(self, ready: list[Any], done: dict[int, list[Finding]], names: Sequence[str]) -> None:
        """Each reply ready, into ``done``; then, if a worker has ended, stop."""
        ended = []
        for worker in self.running:
            if worker.held is None or worker.conn not in ready:
                continue
            try:
                status, value = worker.conn.recv()
            except (EOFError, OSError):
                ended.append(worker)  # it ended before its reply was whole
                continue
            if status != "ok":
                from .errors import InternalError

                raise InternalError(value)
            done[worker.held] = value
            worker.held = None
        ended += [w for w in self.running if w.process.sentinel in ready and w not in ended]
        if ended:
            raise LintWorkerLost("; ".join(w.ended(names) for w in ended))
