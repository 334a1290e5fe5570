"""cfn-lint, in-process, on the exact text that will be written: findings as values."""

from __future__ import annotations

from dataclasses import dataclass


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


def lint(text: str, region: str) -> list[Finding]:
    """Lint a template for one region with cfn-lint's default rules (errors and warnings)."""
    # Imported here: cfn-lint takes most of a second to import, and `validate` never lints.
    from cfnlint.api import lint as cfn_lint
    from cfnlint.config import ManualArgs

    # Regions go inside ManualArgs: a config given to lint() overrides its regions argument.
    matches = cfn_lint(text, config=ManualArgs(regions=[region]))
    return sorted(
        Finding(
            line=m.linenumber,
            column=m.columnnumber,
            rule=m.rule.id,
            message=m.message,
            path=tuple(getattr(m, "path", None) or ()),
        )
        for m in matches
    )
