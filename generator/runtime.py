"""The process a command runs in: how often the garbage collector runs, and the lint
workers a build starts before it has anything to lint.

Standard library only at import: a warm build passes through here.
"""

from __future__ import annotations

import contextlib
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .lint import Workers


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
    from .lint import Workers

    return Workers()  # one per core: how many templates there will be is not known yet
