"""The name a load balancer's URL is at: with HTTPS, an alias its certificate covers.

A client checks the certificate against the name it connects to, and no certificate a
blueprint can hold covers the load balancer's own ``*.elb.amazonaws.com`` name, so an
``https://`` URL at it fails for every client
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#https-cert-invalid).
Read by the renderer (the ``url`` it publishes, the routes' URL outputs) and by the
reference checks (a reference to a URL no name serves is refused). Only an alias gets a DNS
record for the load balancer, so a name the certificate covers that is no alias may be
served by anything else (the company's website at the apex): no URL points there."""

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


def certificate_names(
    lb: LoadBalancer, certificates: Mapping[str, object]
) -> tuple[str, ...] | None:
    """The names the HTTPS listener's certificate covers (its ``domain`` first); None when
    blueprint cannot read them (an existing certificate, or none known)."""
    cert = certificates.get(lb.certificate or "")
    if isinstance(cert, Certificate):
        return (cert.domain, *cert.alternative_names)
    return None


def _served(host: str, https: bool, names: tuple[str, ...] | None) -> bool:
    """A client reaching ``host`` gets no certificate error: plain HTTP, a certificate whose
    names are unknown (every name counts), or one that covers it."""
    return not https or names is None or any(covers(p, host) for p in names)


def base(lb: LoadBalancer, certificates: Mapping[str, object]) -> Base | None:
    """The load balancer's own URL: plain HTTP at its first alias (the apex first), else at
    its DNS name; HTTPS at its first alias the certificate covers (the apex first; every
    alias when the certificate's names are unknown). None when it listens for HTTPS and no
    alias is one the certificate covers: only an alias gets a DNS record pointing at the
    load balancer, so a name of the certificate's own may be served by anything (the
    company's website at the apex), and at its DNS name every client gets a certificate
    error."""
    aliases = apex_first(list(lb.aliases))
    if not lb.https:
        return Base("http", aliases[0] if aliases else None)
    names = certificate_names(lb, certificates)
    served = [a for a in aliases if _served(a, True, names)]
    return Base("https", served[0]) if served else None


def route_url(
    route: Route, at: Base | None, names: tuple[str, ...] | None
) -> tuple[str, str | None, str] | None:
    """A route's URL as (scheme, host, path): at its first exact host (with HTTPS, the first
    one the certificate, of ``names``, covers), else at the load balancer's (None: its DNS
    name), at the literal start of its first path; None when there is no name an HTTPS
    client could use: a route whose exact hosts the certificate covers none of (the
    listener rule matches only those hosts, so the load balancer's name would not reach
    it), or no load balancer name."""
    exact = sorted(h for h in route.hosts if "*" not in h and "?" not in h)
    path = sorted(route.paths)[0].split("*")[0] if route.paths else "/"
    scheme = "https" if at is None else at.scheme
    if exact:
        served = [h for h in exact if _served(h, scheme == "https", names)]
        return (scheme, served[0], path) if served else None
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
        covered = f"certificate '{lb.certificate}' ({cert.domain})"
        exact = [n for n in (cert.domain, *cert.alternative_names) if not n.startswith("*.")]
        label = name if _LABEL.fullmatch(name) else "www"
        alias = exact[0] if exact else f"{label}.{cert.domain.removeprefix('*.')}"
    elif isinstance(cert, ExistingCertificate):
        covered = f"certificate '{lb.certificate}' (an existing one)"
        alias = "NAME"
    else:  # no certificate, or an unknown one: reported as such
        return None
    why = (
        f"none of its aliases is covered by {covered}"
        if lb.aliases
        else f"has no alias, and nothing in the blueprint routes a name of {covered} to it"
    )
    return (
        Code.LOAD_BALANCER_URL_UNKNOWN,
        f"load_balancers.{name} listens for HTTPS and {why}: only an alias gets a DNS "
        "record for the load balancer, and at its own DNS name (*.elb.amazonaws.com) every "
        f"client would get a certificate error; add an alias the certificate covers "
        f"(aliases: [{alias}]), or for plain HTTP read {{ref: load_balancers.{name}.dns_name}}",
    )
