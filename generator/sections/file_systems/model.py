"""An EFS file system and its access points."""

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from ...codes import Code
from ...errors import shown
from ...model.base import Strict
from ...model.types import Name, compiled, refuse

#: EFS's rule for an access point's root directory (the resource schema of
#: AWS::EFS::AccessPoint RootDirectory.Path): "/" or up to four directories, none starting
#: with "." nor holding a shell metacharacter; at most 100 characters. Blanks are refused
#: too: a path with a blank is a mistake more often than a directory.
_DIRECTORY = r"/(?!\.)[^$#<>;`|&?{}^*/\s]+"
_PATH_MAX = 100
#: POSIX user and group IDs are 32-bit.
_ID_MAX = 4_294_967_295


def _root_path(value: str) -> str:
    parts = re.findall(r"/[^/]*", value)
    if value != "/" and not (
        value.startswith("/")
        and "".join(parts) == value
        and 1 <= len(parts) <= 4
        and all(compiled(_DIRECTORY).fullmatch(p) for p in parts)
    ):
        raise refuse(
            Code.ACCESS_POINT_PATH_INVALID,
            f"{shown(value)} is not an access point path: '/' or up to four directories "
            "('/ghost/content'), none starting with '.' and without blanks or any of "
            "$#<>;`|&?{}^*",
        )
    if len(value) > _PATH_MAX:
        raise refuse(
            Code.ACCESS_POINT_PATH_INVALID,
            f"an access point path has at most {_PATH_MAX} characters; this one has {len(value)}",
        )
    return value


RootPath = Annotated[str, AfterValidator(_root_path)]


class AccessPoint(Strict):
    """An entry point into a file system, as a given user, rooted at a path."""

    path: RootPath
    """The directory the access point exposes; created if missing."""

    uid: int = Field(default=1000, ge=0, le=_ID_MAX)
    """The POSIX user the clients act as (and the owner of a created directory)."""

    gid: int = Field(default=1000, ge=0, le=_ID_MAX)
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
    """Services, jobs and instance groups that may mount it (services and jobs that mount
    it in a container are added on their own)."""
