"""Functions' rules: zip code needs a runtime and a handler, an image takes neither; and
what they hold names entries that exist."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model import references
from ...model.checker import Checker, rule
from .model import NAME_LIMIT, ImageCode


@rule(Code.KEY_MISSING, Code.FUNCTION_IMAGE_RUNTIME, *references.CODES)
def functions(c: Checker) -> None:
    for name, fn in c.bp.functions.items():
        base: Path = ("functions", name)
        image = isinstance(fn.code, ImageCode)
        for key in ("runtime", "handler"):
            if not image and getattr(fn, key) is None:
                c.error(
                    (*base, key),
                    f"missing required key '{key}' (needed unless the code is an image)",
                    Code.KEY_MISSING,
                    at_key=True,
                )
        if image and (fn.runtime is not None or fn.handler is not None):
            c.error(
                (*base, "runtime" if fn.runtime else "handler"),
                "an image function takes no runtime or handler: the image's settings decide",
                Code.FUNCTION_IMAGE_RUNTIME,
            )
        references.check_environment(
            c, (*base, "environment"), fn.environment, references.FUNCTION_HINT
        )
        references.check_permissions(c, (*base, "permissions"), fn.permissions)


@rule(Code.FUNCTION_NAME_TOO_LONG)
def names(c: Checker) -> None:
    # The function is named '<stack name>-<entry name>' (generator/render/lambdas.py).
    for name in c.bp.functions:
        full = f"{c.bp.name}-{name}"
        if len(full) > NAME_LIMIT:
            c.error(
                ("functions", name),
                f"the function's name '{full}' (the blueprint's name, '-' and the entry's) "
                f"is {len(full)} characters; Lambda takes at most {NAME_LIMIT}: shorten "
                "either",
                Code.FUNCTION_NAME_TOO_LONG,
                at_key=True,
            )


RULES = (functions, names)
