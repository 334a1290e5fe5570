"""The collector that cross-reference checks report into."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import Issue, Path, Severity, one_of, suggest
from .blueprint import Blueprint


@dataclass
class Checker:
    """Holds the blueprint being checked and every issue found so far."""

    bp: Blueprint
    issues: list[Issue] = field(default_factory=list)

    def error(self, path: Path, message: str, code: str, *, at_key: bool = False) -> None:
        self.issues.append(Issue(path, message, Severity.ERROR, code, at_key))

    def warn(self, path: Path, message: str, code: str) -> None:
        self.issues.append(Issue(path, message, Severity.WARNING, code))

    def ref(self, path: Path, kind: str, name: str, known: Iterable[str]) -> bool:
        """Report ``name`` unless it is one of ``known``; say what was meant if it can."""
        names = list(known)
        if name in names:
            return True
        defined = f"defined: {one_of(names)}" if names else f"no {kind}s are defined"
        self.error(
            path,
            f"unknown {kind} '{name}'{suggest(name, names)} ({defined})",
            f"unknown-{kind.replace(' ', '-')}",
        )
        return False


def inside(domain: str, zone_domain: str) -> bool:
    """Is ``domain`` (possibly a wildcard) in the zone of ``zone_domain``?"""
    bare = domain[2:] if domain.startswith("*.") else domain
    return bare == zone_domain or bare.endswith("." + zone_domain)


def covers(pattern: str, host: str) -> bool:
    """Does a certificate name (possibly ``*.``) cover ``host``?"""
    if pattern.startswith("*."):
        return host.count(".") == pattern.count(".") and host.endswith(pattern[1:])
    return pattern == host
