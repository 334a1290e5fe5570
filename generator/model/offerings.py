"""What RDS and ElastiCache offer: engine versions, and instance classes by region, read
from the allowed-value lists cfn-lint ships (``cfnlint/data/schemas/extensions/``), so that
validation refuses what the lint of the build would, from the same data and not a copy.

The files are found through cfn-lint's package location without importing cfn-lint
(validation stays light), read only when a blueprint has a database or a cache, and once
per process. Each list is a JSON schema of ``if``/``then`` clauses: every clause whose
``if`` the resource's properties satisfy narrows what the ``then`` property allows.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..errors import InternalError


def _extensions() -> Path:
    spec = find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise InternalError("cfn-lint is not installed; it is a dependency of blueprint")
    return Path(next(iter(spec.submodule_search_locations))) / "data/schemas/extensions"


@cache
def _schema(folder: str, name: str) -> Any:
    return json.loads((_extensions() / folder / name).read_text(encoding="utf-8"))


@cache
def _regional(folder: str, name: str, region: str) -> Any:
    """One region's part of a file keyed by region. The regional files are megabytes of
    JSON written one key a line at one space of indent; the region's own part is cut out
    and parsed alone (tens of times faster than the whole), the whole only if the layout
    is not what it was."""
    text = (_extensions() / folder / name).read_text(encoding="utf-8")
    start = re.search(rf'^ "{re.escape(region)}": ', text, re.MULTILINE)
    end = start and re.compile(r'^(?: "|})', re.MULTILINE).search(text, start.end())
    if start is None or end is None:
        return json.loads(text).get(region, {})
    try:
        return json.loads(text[start.end() : end.start()].rstrip().rstrip(","))
    except json.JSONDecodeError:
        return json.loads(text).get(region, {})


@cache
def _clauses_naming(folder: str, name: str, engine: str) -> tuple[Any, ...]:
    """The ``allOf`` clauses of a file that name ``engine``, read as :func:`_regional`
    reads a region: the clauses, written at two spaces of indent, are cut apart and only
    those naming the engine parsed; the whole file only if the layout is not what it was."""
    text = (_extensions() / folder / name).read_text(encoding="utf-8")
    marker = f'"const": {json.dumps(engine)}'
    found: list[Any] = []
    at = text.find(marker)
    try:
        while at >= 0:
            start, end = text.rfind("\n  {\n", 0, at), text.find("\n  }", at)
            if start < 0 or end < 0:
                raise ValueError("layout")
            found.append(json.loads(text[start + 3 : end + 4]))
            at = text.find(marker, end)
    except ValueError:  # json.JSONDecodeError is one
        whole = json.loads(text)["allOf"]
        return tuple(c for c in whole if marker in json.dumps(c, indent=1))
    return tuple(found)


def _satisfies(value: str, condition: dict[str, Any]) -> bool:
    if "const" in condition and value != condition["const"]:
        return False
    if "enum" in condition and value not in condition["enum"]:
        return False
    pattern = condition.get("pattern")
    return pattern is None or re.search(pattern, value) is not None


def _allowed(clauses: list[dict[str, Any]], props: dict[str, str], key: str) -> set[str] | None:
    """What ``key`` may be given the other ``props``, or None where nothing narrows it."""
    allowed: set[str] | None = None
    for clause in clauses:
        when = clause.get("if", {})
        if not all(k in props for k in when.get("required", [])):
            continue
        conditions = when.get("properties", {})
        if not all(_satisfies(props[k], s) for k, s in conditions.items() if k in props):
            continue
        enum = clause.get("then", {}).get("properties", {}).get(key, {}).get("enum")
        if enum is not None:
            allowed = set(enum) if allowed is None else allowed & set(enum)
    return allowed


def rds_versions(engine: str) -> set[str] | None:
    """The engine versions RDS offers for ``engine`` (cfn-lint E3691)."""
    clauses = _schema("aws_rds_dbinstance", "engine_version.json")["allOf"]
    return _allowed(clauses, {"Engine": engine, "EngineVersion": ""}, "EngineVersion")


def rds_deprecated(engine: str, version: str) -> bool:
    """Whether RDS no longer creates new instances of ``engine`` at ``version`` (cfn-lint
    W3691; an instance already running it keeps running)."""
    clauses = _schema("aws_rds_dbinstance", "engine_version_deprecated.json")["allOf"]
    props = {"Engine": engine, "EngineVersion": version}
    return any(
        all(_satisfies(props[k], s) for k, s in c["if"].get("properties", {}).items())
        for c in clauses
    )


def rds_classes(region: str, engine: str) -> set[str] | None:
    """The instance classes RDS offers for ``engine`` in ``region`` (cfn-lint E3025)."""
    clauses = _regional("aws_rds_dbinstance", "dbinstanceclass_enum.json", region).get("allOf", [])
    props = {"Engine": engine, "DBInstanceClass": ""}
    return _allowed(clauses, props, "DBInstanceClass")


def rds_classes_for_version(engine: str, version: str) -> set[str] | None:
    """The instance classes RDS offers for ``engine`` at ``version`` (cfn-lint E3062)."""
    clauses = list(_clauses_naming("aws_rds_dbinstance", "db_instance_class.json", engine))
    props = {"Engine": engine, "EngineVersion": version, "DBInstanceClass": ""}
    return _allowed(clauses, props, "DBInstanceClass")


def cache_versions(engine: str) -> set[str] | None:
    """The engine versions ElastiCache offers for ``engine``."""
    clauses = _schema("aws_elasticache_cachecluster", "engine_version.json")["allOf"]
    return _allowed(clauses, {"Engine": engine, "EngineVersion": ""}, "EngineVersion")


def cache_node_types(region: str) -> set[str] | None:
    """The node types ElastiCache offers in ``region``."""
    enum = _regional("aws_elasticache_cachecluster", "cachenodetype_enum.json", region).get("enum")
    return set(enum) if enum is not None else None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def versions_hint(version: str, offered: set[str]) -> str:
    """Some offered versions, to pick from: all of a short list; else the newest few of the
    same major version, or the newest of each of the newest majors."""
    plain = sorted((v for v in offered if re.fullmatch(r"[\d.]+", v)), key=_version_key)
    if len(plain) <= 8:
        return ", ".join(plain)
    major = version.split(".", maxsplit=1)[0]
    same = [v for v in plain if v.split(".")[0] == major]
    newest: dict[str, str] = {}
    for v in plain:
        newest[v.split(".")[0]] = v
    shown = same[-4:] if same else sorted(newest.values(), key=_version_key)[-4:]
    return ", ".join(shown) + ", ..."


def classes_hint(value: str, offered: set[str]) -> str:
    """Some offered classes: of the same family, else of the same size, else any."""
    family, _, size = value.rpartition(".")
    same = sorted(c for c in offered if c.rpartition(".")[0] == family)
    others = sorted(c for c in offered if c.rpartition(".")[2] == size)
    shown = same or others or sorted(offered)
    return ", ".join(shown[:6]) + (", ..." if len(shown) > 6 or shown is not same else "")
