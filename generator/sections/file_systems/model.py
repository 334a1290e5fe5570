"""An EFS file system and its access points."""

from __future__ import annotations

from pydantic import Field

from ...model.base import Strict
from ...model.types import Name


class AccessPoint(Strict):
    """An entry point into a file system, as a given user, rooted at a path."""

    path: str = Field(pattern=r"^/[^\s]*$")
    """The directory the access point exposes; created if missing."""

    uid: int = Field(default=1000, ge=0)
    """The POSIX user the clients act as (and the owner of a created directory)."""

    gid: int = Field(default=1000, ge=0)
    """The POSIX group."""

    permissions: str = Field(default="0755", pattern=r"^[0-7]{3,4}$")
    """Mode of a created directory."""


class FileSystem(Strict):
    """An EFS file system: encrypted, backed up, TLS and IAM required to mount."""

    access_points: dict[Name, AccessPoint] = Field(default={})
    """Access points by name."""

    backups: bool = True
    """Daily backups through AWS Backup."""

    allow_from: list[Name] = Field(default=[])
    """Services and instance groups that may mount it (services that mount it in a
    container are added on their own)."""
