"""The collector that cross-entry checks report into, and what checks are.

A check is a small function of the whole validated blueprint, registered with
:func:`rule` under the codes it may report: the same shape as a lint rule. Each section's
``checks.py`` lists its rules; :data:`generator.model.resolve.RULES` puts every
section's rules in the one order they run in. What the renderers need to know beyond the
model (zone of each name, route targets, who reaches whom) is worked out by the rules
that check it and recorded on the :class:`Checker`, so each fact has one home.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..codes import Code
from ..errors import InternalError, Issue, Path, Severity, one_of, shown, suggest
from .blueprint import Blueprint

if TYPE_CHECKING:
    from ..sections.load_balancers.model import RouteTarget
    from .reach import Reach


@dataclass(frozen=True)
class Rule:
    """One registered check and the codes it may report."""

    run: Callable[[Checker], None]
    codes: frozenset[Code]

    @property
    def name(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"


def rule(*codes: Code) -> Callable[[Callable[[Checker], None]], Rule]:
    """Register a check under the codes it reports (a code it does not declare is a bug)."""

    def register(run: Callable[[Checker], None]) -> Rule:
        return Rule(run, frozenset(codes))

    return register


@dataclass(frozen=True)
class LastRule:
    """A listener rule of the last build: its priority, the stack (template file, without
    ``.json``) that held it, and the logical ID its ``ListenerArn`` refers to."""

    priority: int
    stack: str = ""
    listener: str = ""


@dataclass
class Checker:
    """The blueprint being checked, every issue found so far, and what the rules worked
    out for the renderers."""

    bp: Blueprint
    #: listener rule logical ID -> that rule in the last build: the one input besides the
    #: blueprint, passed in as data (see the load balancers' ``priorities``)
    last_priorities: Mapping[str, LastRule] = field(default_factory=dict)
    #: the AWS account the environment deploys to, when it names one
    account: str | None = None
    issues: list[Issue] = field(default_factory=list)
    #: the rule running now: the codes it declared are the ones it may report
    current: Rule | None = None
    #: subnet blocks of each tier, carved or given
    public_subnets: tuple[str, ...] = ()
    private_subnets: tuple[str, ...] = ()
    #: domain name (certificate names, aliases, records) -> zone entry name
    zone_of: dict[str, str] = field(default_factory=dict)
    #: (load balancer, route key) -> target
    routes: dict[tuple[str, str], RouteTarget] = field(default_factory=dict)
    #: who may connect to what, beyond load balancers
    reach: list[Reach] = field(default_factory=list)
    #: certificates CloudFront uses, issued by a stack of their own in us-east-1
    us_east_1_certificates: frozenset[str] = frozenset()
    #: (distribution, service, port): services that are a distribution's origin
    origin_services: list[tuple[str, str, int]] = field(default_factory=list)

    def run(self, rules: Iterable[Rule]) -> None:
        for each in rules:
            self.current = each
            each.run(self)
        self.current = None

    def _code(self, code: Code) -> Code:
        if self.current is not None and code not in self.current.codes:
            raise InternalError(f"{self.current.name} reports {code!r}, which it does not declare")
        return code

    def error(self, path: Path, message: str, code: Code, *, at_key: bool = False) -> None:
        self.issues.append(
            Issue(path, message, Severity.ERROR, code=self._code(code), at_key=at_key)
        )

    def warn(self, path: Path, message: str, code: Code) -> None:
        self.issues.append(Issue(path, message, Severity.WARNING, code=self._code(code)))

    def ref(self, path: Path, kind: str, name: str, known: Iterable[str], code: Code) -> bool:
        """Report ``name`` unless it is one of ``known``; say what was meant if it can."""
        names = list(known)
        if name in names:
            return True
        defined = f"defined: {one_of(names)}" if names else f"no {kind}s are defined"
        self.error(path, f"unknown {kind} {shown(name)}{suggest(name, names)} ({defined})", code)
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
