"""cfn-lint, in-process, on the exact text that will be written: findings as values.

Results are cached by the exact template bytes, the cfn-lint version and the date of its
resource schemas, the region and the rule configuration (cfn-lint runs with its default
rules and reads no ``.cfnlintrc``), in ``$BLUEPRINT_CACHE_DIR`` (default:
``$XDG_CACHE_HOME/blueprint``, else ``~/.cache/blueprint``; ``off`` disables it). When
every template is in the cache, cfn-lint is not even imported. Templates that are not are
linted in parallel, one process per core, forked after cfn-lint is imported so that each
starts warm; of templates of one shape (the same but for the digits of entry names where
they are identifiers, and the route priorities: :mod:`generator.lint_shape`) only the
first is linted when it is clean, in a run or kept in the cache from an earlier one.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import runtime
from .errors import InternalError
from .lint_shape import shape_key
from .runtime import Workers

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
            from cfnlint.runner import Runner

            _RULES.append(Runner(_config("us-east-1")).rules)
        finally:
            if paused:
                gc.freeze()
                gc.enable()
    return _RULES[0]


def lint(text: str, region: str) -> list[Finding]:
    """Lint a template for one region with cfn-lint's default rules (errors and warnings),
    as ``cfnlint.api.lint(text, rules, ...)`` does, with the rules loaded once."""
    # Imported here: cfn-lint takes most of a second to import, and `validate` never lints.
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(text)
    if errors or template is None:
        matches = list(errors)
    else:
        matches = list(run_template_by_data(template, _config(region), _rules()))
    return sorted(_plain(m) for m in matches)


#: cfn-lint's configuration without its rc files, made once per process.
_CONFIG: list[type] = []


def _config(region: str) -> Any:
    """cfn-lint's configuration for ``region`` and nothing else: cfn-lint's ``ConfigMixIn``
    also reads ``.cfnlintrc*`` from the current folder and the home folder
    (``ConfigFileArgs._find_config``), which could ignore or add rules behind the cache's
    back; here it finds none, so the findings depend only on what the cache key holds."""
    if not _CONFIG:
        from cfnlint.config import ConfigMixIn

        class WithoutRcFiles(ConfigMixIn):  # type: ignore[misc]
            def _find_config(self) -> tuple[str, str]:
                return "", ""

        _CONFIG.append(WithoutRcFiles)
    return _CONFIG[0](regions=[region])


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
    """The key of a template's lint results: its exact bytes, the region, cfn-lint's
    version, its schemas' date and the rules that run."""
    return _key(_head(region), text)


def _head(region: str) -> bytes:
    from importlib import metadata  # not at the top: a warm build never needs it

    version = metadata.version("cfn-lint")
    return f"cfn-lint {version}\0{schema_date()}\0{region}\0{RULE_CONFIG}\0".encode()


def schema_date() -> str:
    """The date of cfn-lint's resource schemas (``cfnlint/data/schemas/version.json``),
    found without importing cfn-lint: schemas can be updated without a new cfn-lint
    version (``cfn-lint --update-specs``), and they decide most findings."""
    from importlib.util import find_spec

    spec = find_spec("cfnlint")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            raw = json.loads((Path(folder) / "data" / "schemas" / "version.json").read_text())
            return str(raw.get("schema_date", ""))
        except (OSError, ValueError, AttributeError):
            continue
    return ""


def _key(head: bytes, text: str) -> str:
    return hashlib.sha256(head + text.encode()).hexdigest()


#: The cache's folders: findings by exact text, and the shapes found clean (each entry []).
CONTENT, SHAPES = "lint", "lint-shapes"


def _read(folder: Path, key: str, kind: str = CONTENT) -> list[Finding] | None:
    try:
        raw = json.loads((folder / kind / f"{key}.json").read_text())
        return [
            Finding(f["line"], f["column"], f["rule"], f["message"], tuple(f["path"])) for f in raw
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: lint again


def _store(folder: Path, key: str, findings: list[Finding], kind: str = CONTENT) -> None:
    target = folder / kind / f"{key}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump([asdict(f) for f in findings], handle)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time


def lint_all(
    jobs: Sequence[tuple[str, str]],
    progress: Callable[[int, int], None] | None = None,
    workers: Workers | None = None,
    names: Sequence[Collection[str]] | None = None,
    by_shape: dict[int, int | None] | None = None,
    files: Sequence[str] | None = None,
) -> list[list[Finding]]:
    """Lint each (text, region), from the cache where it can, the rest in parallel;
    ``progress(done, total)`` is called as templates finish. ``names``: for each template,
    the names of the entries it was made from; a template of the same shape as one found
    clean (:mod:`generator.lint_shape`), in this run or an earlier one, is clean too, and
    is noted in ``by_shape``: its index -> the index of the template linted in its stead,
    or None when the shape was found clean by an earlier run. ``files``: each template's
    file, for a message saying a worker was lost linting it
    (:class:`generator.runtime.LintWorkerLost`, raised when one is; nothing is cached
    then)."""
    by_shape = {} if by_shape is None else by_shape
    folder = cache_dir()
    by_region = {region: _head(region) for region in sorted({region for _, region in jobs})}
    heads = [by_region[region] for _, region in jobs]
    keys = [_key(head, text) for head, (text, _) in zip(heads, jobs, strict=True)]
    results: list[list[Finding] | None] = [
        _read(folder, key) if folder is not None else None for key in keys
    ]
    todo = [i for i, found in enumerate(results) if found is None]
    shapes: dict[int, str | None] = {
        i: shape_key(heads[i], jobs[i][0], names[i] if names is not None else ()) for i in todo
    }
    for i in todo:
        shaped = shapes[i]
        if folder is not None and shaped is not None and _read(folder, shaped, SHAPES) == []:
            results[i] = []
            by_shape[i] = None
    todo = [i for i in todo if results[i] is None]
    if todo:
        with contextlib.ExitStack() as stack:
            shown = files or [f"template {i + 1}" for i in range(len(jobs))]
            run = _runner(stack, workers, len(todo), jobs, shown)
            done = [0]

            def finished(i: int, findings: list[Finding]) -> None:
                results[i] = findings
                done[0] += 1
                if progress is not None:
                    progress(done[0], len(todo))

            leads = _by_shape(todo, shapes, run, finished)
            by_shape.update(leads)
        for i in todo:
            if folder is not None and i not in by_shape:
                _store(folder, keys[i], results[i] or [])
                shaped = shapes[i]
                if shaped is not None and results[i] == []:
                    _store(folder, shaped, [], SHAPES)
    return [r if r is not None else [] for r in results]


def _by_shape(
    todo: list[int],
    shapes: Mapping[int, str | None],
    run: Callable[[list[int]], Iterator[list[Finding]]],
    finished: Callable[[int, list[Finding]], None],
) -> dict[int, int]:
    """Lint the first template of each shape (and every one without a shape); the others
    of a shape found clean are clean, those of a shape with findings are linted too.
    Returns those found clean by shape: index -> the index of the one linted."""
    first: dict[str, int] = {}
    leads, followers = [], []
    for i in todo:
        shaped = shapes[i]
        if shaped is None or shaped not in first:
            leads.append(i)
            if shaped is not None:
                first[shaped] = i
        else:
            followers.append(i)
    clean: set[str] = set()
    for i, findings in zip(leads, run(leads), strict=True):
        finished(i, findings)
        if not findings and shapes[i] is not None:
            clean.add(shapes[i] or "")
    rest, shared = [], {}
    for i in followers:
        if shapes[i] in clean:
            shared[i] = first[shapes[i] or ""]
            finished(i, [])
        else:
            rest.append(i)
    for i, findings in zip(rest, run(rest), strict=True):
        finished(i, findings)
    return shared


def _runner(
    stack: contextlib.ExitStack,
    workers: Workers | None,
    count: int,
    jobs: Sequence[tuple[str, str]],
    files: Sequence[str],
) -> Callable[[list[int]], Iterator[list[Finding]]]:
    """What lints a batch of templates (their indexes in ``jobs``), yielding findings in
    order: the workers given, else workers started for ``count`` templates when more than
    one core is usable, else this process. cfn-lint's own failures become an internal
    error."""
    if (workers is None or not workers.started) and runtime.workers(count) > 1:
        _rules()  # imports cfn-lint and loads its rules once, before the fork
        workers = stack.enter_context(Workers(count))
    if workers is not None and workers.started:
        started = workers
        return lambda batch: started.run([jobs[i] for i in batch], [files[i] for i in batch])

    def here(batch: list[int]) -> Iterator[list[Finding]]:
        for i in batch:
            try:
                found = lint(*jobs[i])
            except Exception as exc:
                raise InternalError(f"cfn-lint failed: {exc!r}") from exc
            yield found

    return here
