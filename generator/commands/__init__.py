"""One module per command of ``blueprint``, each with a typed ``run(...) -> int`` that
returns the exit code (:mod:`generator.exits`).

Only :mod:`generator.cli` imports these modules, and each only when its command runs, so
that a command imports no more than it needs. They do not import each other: what two
share lives outside this package (:mod:`generator.report`, :mod:`generator.previous`,
:mod:`generator.uptodate`, :mod:`generator.runtime`).
"""
