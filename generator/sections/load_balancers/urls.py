"""The name a load balancer's URL is at: one its HTTPS listener's certificate covers.

A client checks the certificate against the name it connects to, and no certificate a
blueprint can hold covers the load balancer's own ``*.elb.amazonaws.com`` name, so an
``https://`` URL at it fails for every client
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#https-cert-invalid).
Read by the renderer (the ``url`` it publishes, the routes' URL outputs) and by the
reference checks (a reference to a URL no name serves is refused)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ...codes import Code
from ...model.checker import covers
from ..certificates.model import Certificate, ExistingCertificate
from .model import LoadBalancer, Route

_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class Base:
    """Where a load balancer's URL points."""

    scheme: Literal["https", "http"]
    #: the name clients use; None: the load balancer's own DNS name (plain HTTP only)
    host: str | None


def apex_first(names: list[str]) -> list[str]:
    """Names with fewer labels first, then alphabetically."""
    return sorted(names, key=lambda a: (a.count("."), a))


def _names(lb: LoadBalancer, certificates: Mapping[str, object]) -> tuple[str, ...] | None:
    """The names the HTTPS listener's certificate covers (its ``domain`` first); None when
    blueprint cannot read them (an existing certificate, or none known)."""
    cert = certificates.get(lb.certificate or "")
    if isinstance(cert, Certificate):
        return (cert.domain, *cert.alternative_names)
    return None


def base(lb: LoadBalancer, certificates: Mapping[str, object]) -> Base | None:
    """The load balancer's own URL: plain HTTP at its first alias (the apex first), else at
    its DNS name; HTTPS at its first alias the certificate covers (the apex first; every
    alias when the certificate's names are unknown, and the first alias when none is
    covered, which the aliases' check warns of), else at the certificate's first name that
    is not a wildcard (clients reach it by that name through DNS kept elsewhere). None when
    it listens for HTTPS at no name it can serve: a wildcard or an existing certificate, and
    no alias."""
    aliases = apex_first(list(lb.aliases))
    if not lb.https:
        return Base("http", aliases[0] if aliases else None)
    names = _names(lb, certificates)
    if names is not None:
        aliases.sort(key=lambda a: not any(covers(p, a) for p in names))
    if aliases:
        return Base("https", aliases[0])
    exact = [n for n in names or () if not n.startswith("*.")]
    return Base("https", exact[0]) if exact else None


def route_url(route: Route, at: Base | None) -> tuple[str, str | None, str] | None:
    """A route's URL as (scheme, host, path): at its first exact host, else at the load
    balancer's (None: its DNS name), at the literal start of its first path; None when
    there is no name an HTTPS client could use."""
    exact = sorted(h for h in route.hosts if "*" not in h and "?" not in h)
    path = sorted(route.paths)[0].split("*")[0] if route.paths else "/"
    if exact:
        return ("https" if at is None else at.scheme, exact[0], path)
    if at is None:
        return None
    return (at.scheme, at.host, path)


def unreadable(
    name: str, lb: LoadBalancer, certificates: Mapping[str, object], attribute: str
) -> tuple[Code, str] | None:
    """Why ``{ref: load_balancers.NAME.ATTRIBUTE}`` has no value to stand for, with its
    code; None when it has one."""
    if lb.existing is not None:
        return (
            Code.REFERENCE_ATTRIBUTE_UNKNOWN,
            f"load_balancers.{name} adds routes to an existing listener: blueprint does not "
            f"know that load balancer's {attribute}; write the value itself",
        )
    if attribute != "url" or base(lb, certificates) is not None:
        return None
    cert = certificates.get(lb.certificate or "")
    if isinstance(cert, Certificate):
        why = f"certificate '{lb.certificate}' ({cert.domain}) names no single host"
        suffix = cert.domain.removeprefix("*.")
        alias = f"{name if _LABEL.fullmatch(name) else 'www'}.{suffix}"
    elif isinstance(cert, ExistingCertificate):
        why = f"blueprint cannot read which names certificate '{lb.certificate}' covers"
        alias = "NAME"
    else:  # no certificate, or an unknown one: reported as such
        return None
    return (
        Code.LOAD_BALANCER_URL_UNKNOWN,
        f"load_balancers.{name} listens for HTTPS and has no alias, and {why}: at the load "
        "balancer's own DNS name (*.elb.amazonaws.com) every client would get a certificate "
        f"error; add an alias the certificate covers (aliases: [{alias}]), or read "
        f"{{ref: load_balancers.{name}.dns_name}} and the name your DNS gives it",
    )
