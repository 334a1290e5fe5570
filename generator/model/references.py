"""Checks of what compute entries hold: environment variables, ``{ref: ...}`` references
and permissions name entries that exist. Used by the services, functions and instances
sections' rules."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..codes import Code
from ..errors import Path, one_of, shown, suggest
from .checker import Checker
from .permissions import (
    BucketPermission,
    DatabasePermission,
    Permission,
    Reference,
    TablePermission,
    WebSocketPermission,
)

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE
)
_QUOTED_REF = re.compile(r"^\s*\{\s*ref\s*:.*\}\s*$")

#: What ``{ref: SECTION.NAME.ATTRIBUTE}`` may name.
REFERENCE_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "databases": ("address", "port", "secret_arn"),
    "caches": ("address", "port"),
    "buckets": ("name", "arn"),
    "tables": ("name", "arn"),
    "file_systems": ("id",),
    "websocket_apis": ("url", "management_endpoint"),
}

#: The code of an unknown entry named by a reference, by section.
_UNKNOWN = {
    "databases": Code.DATABASE_UNKNOWN,
    "caches": Code.CACHE_UNKNOWN,
    "buckets": Code.BUCKET_UNKNOWN,
    "tables": Code.TABLE_UNKNOWN,
    "file_systems": Code.FILE_SYSTEM_UNKNOWN,
    "websocket_apis": Code.WEBSOCKET_API_UNKNOWN,
}

#: Every code these checks report, for the rules that call them.
CODES = (
    Code.REFERENCE_QUOTED,
    Code.SECRET_IN_PLAIN_TEXT,
    Code.REFERENCE_SECTION_UNKNOWN,
    Code.REFERENCE_ATTRIBUTE_UNKNOWN,
    *_UNKNOWN.values(),
)


def check_environment(c: Checker, path: Path, env: Mapping[str, str | Reference]) -> None:
    for var, value in env.items():
        if isinstance(value, Reference):
            check_reference(c, (*path, var, "ref"), value.ref)
        elif _QUOTED_REF.match(value):
            c.warn(
                (*path, var),
                "this looks like a reference but is quoted, so it is plain text: remove the "
                "quotes to make it a reference",
                Code.REFERENCE_QUOTED,
            )
        elif _SECRET_NAME.search(var) and value:
            c.warn(
                (*path, var),
                f"'{var}' looks like a secret in plain text; move it to 'secrets:' as an SSM "
                "or Secrets Manager reference",
                Code.SECRET_IN_PLAIN_TEXT,
            )


def check_reference(c: Checker, path: Path, ref: str) -> None:
    section, name, attribute = ref.split(".")
    if section not in REFERENCE_ATTRIBUTES:
        c.ref(
            path, "reference section", section, REFERENCE_ATTRIBUTES, Code.REFERENCE_SECTION_UNKNOWN
        )
        return
    entries = getattr(c.bp, section)
    kind = section.rstrip("s").replace("_", " ")
    if not c.ref(path, kind, name, entries, _UNKNOWN[section]):
        return
    allowed = REFERENCE_ATTRIBUTES[section]
    if attribute not in allowed:
        c.error(
            path,
            f"unknown attribute {shown(attribute)} of {section}.{name}"
            f"{suggest(attribute, allowed)} (use {one_of(allowed)})",
            Code.REFERENCE_ATTRIBUTE_UNKNOWN,
        )


def check_permissions(c: Checker, path: Path, permissions: Sequence[Permission]) -> None:
    bp = c.bp
    for i, permission in enumerate(permissions):
        here: Path = (*path, i)
        if isinstance(permission, BucketPermission):
            c.ref((*here, "bucket"), "bucket", permission.bucket, bp.buckets, Code.BUCKET_UNKNOWN)
        elif isinstance(permission, TablePermission):
            c.ref((*here, "table"), "table", permission.table, bp.tables, Code.TABLE_UNKNOWN)
        elif isinstance(permission, DatabasePermission):
            c.ref(
                (*here, "database"),
                "database",
                permission.database,
                bp.databases,
                Code.DATABASE_UNKNOWN,
            )
        elif isinstance(permission, WebSocketPermission):
            c.ref(
                (*here, "websocket_api"),
                "websocket api",
                permission.websocket_api,
                bp.websocket_apis,
                Code.WEBSOCKET_API_UNKNOWN,
            )
