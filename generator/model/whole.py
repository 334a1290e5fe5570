"""Rules over the blueprint as a whole: names that must differ across sections, and DNS
names that only one entry may point somewhere."""

from __future__ import annotations

from collections.abc import Mapping

from .. import naming
from ..codes import Code
from ..errors import Path
from .checker import Checker, rule


@rule(Code.NAME_COLLISION)
def logical_id_stems(c: Checker) -> None:
    """Two names of one section must not make the same logical-ID stem."""
    sections: dict[str, Mapping[str, object]] = {
        "zones": c.bp.zones,
        "certificates": c.bp.certificates,
        "load_balancers": c.bp.load_balancers,
        "services": c.bp.services,
        "schedules": c.bp.schedules,
        "jobs": c.bp.jobs,
    }
    for section, entries in sections.items():
        seen: dict[str, str] = {}
        for name in entries:  # YAML order: the later one is the one reported
            first = seen.setdefault(naming.stem(name), name)
            if first != name:
                c.error(
                    (section, name),
                    f"'{name}' and '{first}' would both become '{naming.stem(name)}' in "
                    "logical IDs; rename one",
                    Code.NAME_COLLISION,
                    at_key=True,
                )


@rule(Code.NAME_SHARED)
def shared_names(c: Checker) -> None:
    """Services, instance groups and EC2 capacity are named in ``allow_from`` and
    ``ssh_from`` without their section, so a name may stand in only one of them."""
    seen: dict[str, str] = {}
    for section in ("services", "instances", "ec2_capacity"):
        for name in getattr(c.bp, section):
            if name in seen:
                c.error(
                    (section, name),
                    f"'{name}' is also in '{seen[name]}'; names of "
                    "services, instances and ec2_capacity must differ, since allow_from "
                    "and ssh_from name them alone",
                    Code.NAME_SHARED,
                    at_key=True,
                )
            seen.setdefault(name, section)


def _named(c: Checker) -> list[tuple[Path, str]]:
    named: list[tuple[Path, str]] = []
    for lb_name, lb in c.bp.load_balancers.items():
        named += [(("load_balancers", lb_name, "aliases", i), a) for i, a in enumerate(lb.aliases)]
    for name, dist in c.bp.distributions.items():
        named += [(("distributions", name, "aliases", i), a) for i, a in enumerate(dist.aliases)]
    for name, api in c.bp.websocket_apis.items():
        if api.domain is not None:
            named.append((("websocket_apis", name, "domain", "name"), api.domain.name))
    for name, svc in c.bp.services.items():
        if svc.public_dns is not None:
            named.append((("services", name, "public_dns", "name"), svc.public_dns.name))
    return named


@rule(Code.RECORD_TWICE)
def one_record_per_name(c: Checker) -> None:
    owners: dict[str, str] = {}
    for path, domain in _named(c):
        where = ".".join(str(p) for p in path[:2])
        if domain in owners and owners[domain] != where:
            c.error(
                path,
                f"'{domain}' already has a record from {owners[domain]}; a name can "
                "point at one thing",
                Code.RECORD_TWICE,
            )
        owners.setdefault(domain, where)


RULES = (logical_id_stems, shared_names, one_record_per_name)
