"""The files a blueprint names (user data, inline function code, a site's folder): read
during the load step, from inside the blueprint's folder only.

A blueprint is untrusted input (CI builds those of pull requests): a path must stay inside
the blueprint's folder, lexically and once symbolic links are followed, and name a regular
file (or, for a site, a folder); kernel pseudo-files are refused; at most the limit's bytes
are read.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from .codes import Code
from .errors import Issue, Severity, shown
from .files import NotRegular, Oversize, read_text
from .model.blueprint import Blueprint
from .model.references import CODE_HINT, USER_DATA_HINT, secret_lines, user_data_file_issues
from .sections.distributions.model import BucketOrigin
from .sections.functions.model import INLINE_LIMIT, InlineCode
from .sections.instances.model import USER_DATA_LIMIT


def read_includes(bp: Blueprint, base: FsPath) -> tuple[dict[str, str], list[Issue], list[Issue]]:
    """Read the files a blueprint names (user data, inline function code), relative to the
    blueprint: part of the load step, so that later steps touch no files."""
    wanted: list[tuple[tuple[str | int, ...], str, int, str]] = []
    for name, group in sorted(bp.instances.items()):
        if group.user_data_file is not None:
            where: tuple[str | int, ...] = ("instances", name, "user_data_file")
            wanted.append((where, group.user_data_file, USER_DATA_LIMIT, USER_DATA_HINT))
    for name, fn in sorted(bp.functions.items()):
        if isinstance(fn.code, InlineCode):
            where = ("functions", name, "code", "inline_file")
            wanted.append((where, fn.code.inline_file, INLINE_LIMIT, CODE_HINT))
    out: dict[str, str] = {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    root = base.resolve()
    for where, relative, limit, hint in wanted:
        try:
            out[relative] = _read_include(root, relative, limit)
        except _Refused as exc:
            errors.append(Issue(where, exc.message, code=exc.code))
            continue
        warnings += _secrets_in(where, relative, out[relative], hint)
        if where[-1] == "user_data_file":
            errors += user_data_file_issues(bp, where, relative, out[relative])
    for name, dist in sorted(bp.distributions.items()):
        if isinstance(dist.origin, BucketOrigin) and dist.origin.folder is not None:
            try:
                _site_folder(root, dist.origin.folder)
            except _Refused as exc:
                where = ("distributions", name, "origin", "folder")
                errors.append(Issue(where, exc.message, code=exc.code))
    return out, errors, warnings


def _site_folder(root: FsPath, relative: str) -> None:
    """A folder deploy.sh uploads: inside the blueprint's folder, as an included file is, a
    folder and not a symbolic link to one, and not the blueprint's folder itself (whatever
    lies beside it would be served)."""
    target = _inside(root, relative)
    if target == root:
        message = f"{shown(relative)} is the blueprint's own folder, which would put the blueprint"
        raise _Refused(
            f"{message} and everything beside it on the site; give the folder of the site's "
            "files, such as 'site'",
            Code.INCLUDE_OUTSIDE,
        )
    if not target.is_dir():
        raise _Refused(f"{shown(relative)} is not a folder", Code.INCLUDE_UNREADABLE)
    if (root / relative).is_symlink():
        # deploy.sh refuses it too ([ -L ]), before any stack deploys (generator/deploy.py)
        real = shown(str(target.relative_to(root)))
        raise _Refused(
            f"{shown(relative)} is a symbolic link, and deploy.sh uploads a folder, never a "
            f"link to one; name the folder it leads to, {real}",
            Code.INCLUDE_UNREADABLE,
        )


def _secrets_in(where: tuple[str | int, ...], relative: str, text: str, hint: str) -> list[Issue]:
    """A secret in an included file ends up in the template as plain text, as one written
    in the blueprint would: a warning naming the file's line, never the value."""
    return [
        Issue(
            where,
            f"line {number} of {shown(relative)} holds what looks like {kind}, in plain "
            f"text, and the file goes into the template; {hint}",
            Severity.WARNING,
            code=Code.SECRET_IN_PLAIN_TEXT,
        )
        for number, kind in secret_lines(text)
    ]


class _Refused(Exception):
    def __init__(self, message: str, code: Code) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


#: Kernel pseudo-files: regular by their mode, but their content is the machine's state
#: (``/proc/self/environ`` is the build's environment), never part of a project.
_PSEUDO = (FsPath("/proc"), FsPath("/sys"))

_INSIDE = (
    ": a blueprint includes files from its own folder only; give a path relative to the "
    "blueprint, such as 'files/boot.sh'"
)


def _inside(root: FsPath, relative: str) -> FsPath:
    """The path ``relative`` names under ``root`` (the blueprint's folder, resolved), once
    it is known to stay inside: lexically and once symbolic links are followed."""
    named = shown(relative)
    if FsPath(relative).is_absolute():
        raise _Refused(f"{named} is an absolute path{_INSIDE}", Code.INCLUDE_OUTSIDE)
    depth = 0
    for part in FsPath(relative).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            message = f"{named} goes up out of the blueprint's folder{_INSIDE}"
            raise _Refused(message, Code.INCLUDE_OUTSIDE)
    try:
        target = (root / relative).resolve()
    except RuntimeError:  # a loop of symbolic links
        raise _Refused(
            f"{named}: too many levels of symbolic links", Code.INCLUDE_UNREADABLE
        ) from None
    except ValueError:  # a NUL, or text no file name can hold
        raise _Refused(f"{named} is not a file name", Code.INCLUDE_UNREADABLE) from None
    if not target.is_relative_to(root):
        message = f"{named} leads out of the blueprint's folder through a symbolic link{_INSIDE}"
        raise _Refused(message, Code.INCLUDE_OUTSIDE)
    if any(target.is_relative_to(p) for p in _PSEUDO):  # a blueprint kept at /
        message = f"{named} is a kernel pseudo-file, not part of a project{_INSIDE}"
        raise _Refused(message, Code.INCLUDE_OUTSIDE)
    return target


def _read_include(root: FsPath, relative: str, limit: int) -> str:
    """The text of the file ``relative`` names under ``root`` (the blueprint's folder,
    resolved). A blueprint is untrusted input (CI builds those of pull requests): the file
    must stay inside the folder, lexically and once symbolic links are followed, and be a
    regular file, of which at most ``limit`` + 1 bytes are read."""
    target = _inside(root, relative)
    named = shown(relative)
    try:
        return read_text(target, limit, follow=False)
    except NotRegular as exc:
        raise _Refused(
            f"{named} is {exc.kind}, not a regular file; user data and inline code are read "
            "from a regular file",
            Code.INCLUDE_UNREADABLE,
        ) from None
    except Oversize as exc:
        size = f"is {exc.size:,} bytes" if exc.exact else f"holds more than {limit:,} bytes"
        raise _Refused(
            f"{named} {size}; at most {limit:,} fit inline (use an S3 object or an image for "
            "larger code)",
            Code.INCLUDE_TOO_LARGE,
        ) from None
    except UnicodeDecodeError:
        raise _Refused(f"{named} is not UTF-8 text", Code.INCLUDE_UNREADABLE) from None
    except OSError as exc:
        reason = (exc.strerror or "cannot be read").lower()
        raise _Refused(f"{named}: {reason}", Code.INCLUDE_UNREADABLE) from None
