"""The exit codes of ``blueprint``, one meaning each, shared by every command.

``diff`` adds its own three (10: changes, 11: a data-loss risk, 12: the deploy would fail;
see :mod:`generator.diff`).
"""

from __future__ import annotations

from typing import Final

#: Done.
EXIT_OK: Final = 0
#: The blueprint is invalid (or, with --strict, has warnings).
EXIT_INVALID: Final = 1
#: cfn-lint found errors in the templates.
EXIT_LINT: Final = 2
#: Usage or file errors.
EXIT_USAGE: Final = 3
#: An internal error: a bug in blueprint.
EXIT_INTERNAL: Final = 4
#: ``build --check``: the output folder is not what the blueprint builds.
EXIT_STALE: Final = 5
#: A lint worker ended before its template was linted: killed from outside (the kernel's
#: out-of-memory killer, a ``kill``); nothing was written. Neither a bug in blueprint (4)
#: nor a problem in the blueprint, and running the build again may succeed: a code of its
#: own, for a CI job to retry on.
EXIT_WORKER_LOST: Final = 6
#: Interrupted (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED: Final = 130
#: The reader of standard output closed it (128 + SIGPIPE, as shells report a tool killed
#: by it): ``blueprint schema --out - | head``.
EXIT_BROKEN_PIPE: Final = 141
