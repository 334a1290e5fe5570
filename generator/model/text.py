"""Plain text that blueprint places in a template as it is (environment values, commands,
user data, tags).

CloudFormation reads ``${AWS::Region}``, ``${SomeResource}`` or ``${SomeResource.Arn}`` in
a string as a template value to substitute, and a string that names one outside
``Fn::Sub`` is refused (cfn-lint E1029; https://docs.aws.amazon.com/AWSCloudFormation/
latest/TemplateReference/intrinsic-function-reference-sub.html). Logical IDs here are
PascalCase, so shell variables (``${HOME}``, ``${APP_DIR}``, ``${name}``) pass; a
pseudo-parameter or a PascalCase name is refused where it is written.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from ..codes import Code
from ..errors import shown
from .types import refuse

_SUBSTITUTION = re.compile(
    r"\$\{(AWS::[A-Za-z0-9]+|[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9.]+)?)\}"
)


def _plain(value: str) -> str:
    found = _SUBSTITUTION.search(value)
    if found:
        raise refuse(
            Code.TEXT_SUBSTITUTION,
            f"{shown(found.group(0))} reads to CloudFormation as a template value to substitute, "
            "which it refuses in text placed as it is; write it without '${' (for another "
            "entry's value, use a ref)",
        )
    return value


PlainText = Annotated[str, AfterValidator(_plain)]
"""Text placed in a template as it is, without ``${...}`` that CloudFormation would read as
a template value."""
