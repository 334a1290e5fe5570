"""Checks of what compute entries hold: environment variables, ``{ref: ...}`` references
and permissions name entries that exist. Used by the services, functions and instances
sections' rules."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..codes import Code
from ..errors import InternalError, Issue, Path, one_of, shown, suggest
from ..sections.load_balancers import urls as lb_urls
from .blueprint import Blueprint
from .checker import Checker
from .permissions import (
    REFERENCE_FORM,
    BucketPermission,
    DatabasePermission,
    Permission,
    QueuePermission,
    Reference,
    TablePermission,
    WebSocketPermission,
)
from .reach import KIND

if TYPE_CHECKING:
    from ..sections.services.model import Service

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL", re.IGNORECASE
)
_QUOTED_REF = re.compile(r"^\s*\{\s*ref\s*:.*\}\s*$")

#: Values that are secrets whatever their variable is called, each with what it is (the
#: message names the kind, never the value). Token formats: GitHub's
#: https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats,
#: Slack's https://api.slack.com/authentication/token-types, AWS access key IDs
#: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
_SECRET_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    # user:password@ in a URL; a password that is a shell or template variable is not one.
    # The scheme is bounded (RFC 3986 schemes are short): unbounded, a long value without
    # "://" made every start position scan to its end (20 s for 85,000 characters).
    (
        re.compile(r"\b[a-z][a-z0-9+.-]{0,31}://[^\s/:@]*:(?![$%{])[^\s/@]+@", re.I),
        "a URL with a password",
    ),
    (
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
        "a GitHub token",
    ),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}"), "a JSON Web Token"),
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), "an AWS access key ID"),
    (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"), "a private key"),
)

#: What to do with a secret found in plain text, where each kind of entry can do it.
CONTAINER_HINT = "move it to 'secrets:' as an SSM or Secrets Manager reference"
FUNCTION_HINT = (
    "keep it in SSM Parameter Store or Secrets Manager, put its name here instead, allow "
    "the function to read it with 'permissions: [{ssm_parameters: [NAME]}]' (or "
    "'[{secrets: [NAME]}]') and read it in the code"
)
CODE_HINT = (
    "keep it in SSM Parameter Store or Secrets Manager, allow the function to read it with "
    "'permissions: [{ssm_parameters: [NAME]}]' (or '[{secrets: [NAME]}]') and read it in "
    "the code at start-up"
)
USER_DATA_HINT = (
    "keep it in SSM Parameter Store or Secrets Manager, allow the instances to read it "
    "with 'permissions: [{ssm_parameters: [NAME]}]' (or '[{secrets: [NAME]}]') and read it "
    "at boot (aws ssm get-parameter --with-decryption)"
)

#: What ``{ref: SECTION.NAME.ATTRIBUTE}`` may name, section by section. Everything else
#: derives from this table: the checks, the JSON schema's pattern of ``ref``
#: (:func:`reference_pattern`), the value each renderer publishes
#: (:meth:`generator.render.context.Context.publish`) and the stack output of each
#: attribute (``{ref: databases.main.address}`` is the output ``DatabasesMainAddress``).
REFERENCE_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    "databases": ("address", "port", "secret_arn"),
    "caches": ("address", "port"),
    "buckets": ("name", "arn"),
    "tables": ("name", "arn"),
    "queues": ("url", "arn", "name"),
    "file_systems": ("id",),
    "websocket_apis": ("url", "management_endpoint"),
    "services": ("url",),
    "load_balancers": ("dns_name", "url"),
    "distributions": ("domain", "url"),
}

#: The code of an unknown entry named by a reference, by section.
_UNKNOWN = {
    "databases": Code.DATABASE_UNKNOWN,
    "caches": Code.CACHE_UNKNOWN,
    "buckets": Code.BUCKET_UNKNOWN,
    "tables": Code.TABLE_UNKNOWN,
    "queues": Code.QUEUE_UNKNOWN,
    "file_systems": Code.FILE_SYSTEM_UNKNOWN,
    "websocket_apis": Code.WEBSOCKET_API_UNKNOWN,
    "load_balancers": Code.LOAD_BALANCER_UNKNOWN,
    "distributions": Code.DISTRIBUTION_UNKNOWN,
    "services": Code.SERVICE_UNKNOWN,
}
if not REFERENCE_ATTRIBUTES.keys() <= _UNKNOWN.keys():
    raise InternalError(
        f"no code for an unknown entry of {sorted(REFERENCE_ATTRIBUTES.keys() - _UNKNOWN.keys())}"
    )

#: Every code these checks report, for the rules that call them.
CODES = (
    Code.REFERENCE_QUOTED,
    Code.SECRET_IN_PLAIN_TEXT,
    Code.REFERENCE_INVALID,
    Code.REFERENCE_SECTION_UNKNOWN,
    Code.REFERENCE_SECTION_UNREFERENCEABLE,
    Code.REFERENCE_ATTRIBUTE_UNKNOWN,
    Code.SERVICE_NO_ADDRESS,
    Code.SERVICE_CALLER_NOT_ALLOWED,
    Code.FUNCTION_OUTSIDE_VPC,
    Code.LOAD_BALANCER_URL_UNKNOWN,
    *_UNKNOWN.values(),
)

#: A reference inside user data: ``${ref:databases.main.address}``, rendered with Fn::Sub.
#: Only ``${ref:`` followed by a word and a dot is one, so a shell variable called ``ref``
#: keeps its expansions (``${ref:-default}``, ``${ref:0:3}``).
USER_DATA_REFERENCE = re.compile(r"\$\{ref:\s*([A-Za-z_][\w-]*\.[^}\n]*?)\s*\}")


def reference_pattern() -> str:
    """The regular expression of every reference a blueprint can write, section by
    section (the JSON schema's pattern of ``ref``)."""
    sections = "|".join(
        rf"{section}\.[a-z][a-z0-9_-]*\.({'|'.join(attributes)})"
        for section, attributes in sorted(REFERENCE_ATTRIBUTES.items())
    )
    return f"^({sections})$"


def secret_kind(value: str) -> str | None:
    """What kind of secret ``value`` holds (``"a GitHub token"``), or None."""
    return next((kind for pattern, kind in _SECRET_VALUES if pattern.search(value)), None)


def check_environment(
    c: Checker, path: Path, env: Mapping[str, str | Reference], hint: str = CONTAINER_HINT
) -> None:
    """References name what exists; a quoted reference and a secret in plain text (by
    the variable's name or by its value) are warnings, with ``hint`` saying what to do."""
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
        elif (found := USER_DATA_REFERENCE.search(value)) is not None:
            c.warn(
                (*path, var),
                f"{shown(found.group(0))} is replaced in user data only; here it is plain "
                f"text: write {{ref: {found.group(1)}}} as the whole value",
                Code.REFERENCE_QUOTED,
            )
        elif (kind := secret_kind(value)) is not None:
            c.warn(
                (*path, var),
                f"'{var}' holds what looks like {kind}, in plain text; {hint}",
                Code.SECRET_IN_PLAIN_TEXT,
            )
        elif _SECRET_NAME.search(var) and value:
            c.warn(
                (*path, var),
                f"'{var}' looks like a secret in plain text; {hint}",
                Code.SECRET_IN_PLAIN_TEXT,
            )


def secret_lines(text: str) -> list[tuple[int, str]]:
    """The lines of ``text`` (numbered from 1) that hold what looks like a secret, with
    its kind; never the value itself."""
    found = ((n, secret_kind(line)) for n, line in enumerate(text.splitlines(), start=1))
    return [(number, kind) for number, kind in found if kind is not None]


def check_user_data(c: Checker, path: Path, text: str) -> None:
    """A secret in plain user data (readable by anyone who may describe the instance, and
    kept in the template) is a warning naming its line, never its value; each
    ``${ref:...}`` in it names what exists, reported at ``path`` with its line."""
    for number, kind in secret_lines(text):
        c.warn(
            path,
            f"line {number} of the user data holds what looks like {kind}, in plain text; "
            f"{USER_DATA_HINT}",
            Code.SECRET_IN_PLAIN_TEXT,
        )
    check_user_data_references(c, path, text, "the user data")


def check_user_data_references(c: Checker, path: Path, text: str, what: str) -> None:
    """Each ``${ref:SECTION.NAME.ATTRIBUTE}`` in ``text`` (user data, or the file
    ``what`` names) names what exists; a problem is reported at ``path`` and says its
    line."""
    for number, line in enumerate(text.splitlines(), start=1):
        for found in USER_DATA_REFERENCE.finditer(line):
            before = len(c.issues)
            ref = found.group(1)
            if REFERENCE_FORM.fullmatch(ref):
                check_reference(c, path, ref)
            else:
                c.error(
                    path,
                    f"{shown(found.group(0))} is not a reference: write "
                    "${ref:SECTION.NAME.ATTRIBUTE}, e.g. ${ref:databases.main.address}",
                    Code.REFERENCE_INVALID,
                )
            c.issues[before:] = [
                dataclasses.replace(i, message=f"line {number} of {what}: {i.message}")
                for i in c.issues[before:]
            ]


def user_data_file_issues(bp: Blueprint, path: Path, relative: str, text: str) -> list[Issue]:
    """The problems of the ``${ref:...}`` in a user-data file, reported at ``path``: the
    file is read after the rules ran (generator.pipeline), so it is checked then."""
    checker = Checker(bp)
    check_user_data_references(checker, path, text, shown(relative))
    return checker.issues


def check_reference(c: Checker, path: Path, ref: str) -> None:
    section, name, attribute = ref.split(".")
    if section not in REFERENCE_ATTRIBUTES:
        _not_referenceable(c, path, section)
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
    elif section == "services":
        _service_address(c, path, name)
    elif section == "load_balancers" and (
        why := lb_urls.unreadable(name, c.bp.load_balancers[name], c.bp.certificates, attribute)
    ):
        c.error(path, why[1], why[0])
    elif path[0] == "functions" and (section, attribute) in _INSIDE_VPC:
        c.warn(
            path,
            f"functions run outside the VPC, and {section}.{name} answers only inside it: the "
            "function would get its address and never connect; read it from a service or "
            "job, or reach the data through an API",
            Code.FUNCTION_OUTSIDE_VPC,
        )


#: Attributes that locate something reachable only from inside the VPC (the databases,
#: caches and file systems blueprint makes are never public).
_INSIDE_VPC = frozenset(
    {
        ("databases", "address"),
        ("databases", "port"),
        ("caches", "address"),
        ("caches", "port"),
        ("file_systems", "id"),
    }
)


#: The sections whose entries a service's ``allow_from`` can admit, and so can read its
#: address.
_CALLERS = ("services", "jobs", "instances", "ec2_capacity")


def _admitted(c: Checker, callee: Service, section: str, name: str) -> bool:
    """Does the callee's ``allow_from`` admit this entry (a task on EC2 capacity through
    its capacity)?"""
    if name in callee.allow_from:
        return True
    if section in ("services", "jobs"):
        capacity = getattr(c.bp, section)[name].ec2_capacity
        return capacity is not None and capacity in callee.allow_from
    return False


def _service_address(c: Checker, path: Path, name: str) -> None:
    """A service's address is given to the callers it admits (the entry at the head of
    ``path``, whether its environment or its user data holds the reference): one without
    ``allow_from`` has none (load balancers reach it), and an entry its ``allow_from`` does
    not name would be refused by its security group."""
    callee = c.bp.services[name]
    if not callee.allow_from:
        c.error(
            path,
            f"service '{name}' has no address of its own: give it 'allow_from' naming the "
            "services and jobs that call it (they then reach it by name), or reach it "
            "through its load balancer",
            Code.SERVICE_NO_ADDRESS,
        )
        return
    caller_section, caller = str(path[0]), str(path[1])
    if (caller_section, caller) == ("services", name):
        c.error(
            path,
            f"'{name}' reads its own address, and a service's tasks are not admitted to "
            "each other (a task calls itself on localhost): use http://localhost and the "
            "port, or move the work to a service of its own",
            Code.SERVICE_CALLER_NOT_ALLOWED,
        )
    elif caller_section == "functions":
        c.error(
            path,
            f"a function cannot be named in allow_from (which admits a {KIND}): connections "
            f"from '{caller}' to service '{name}' would be refused; reach it through a load "
            "balancer",
            Code.SERVICE_CALLER_NOT_ALLOWED,
        )
    elif caller_section in _CALLERS and not _admitted(c, callee, caller_section, caller):
        c.error(
            path,
            f"services.{name}.allow_from names "
            f"{', '.join(shown(n) for n in callee.allow_from)}, not '{caller}': its "
            f"connections to '{name}' would be refused; add '{caller}' there",
            Code.SERVICE_CALLER_NOT_ALLOWED,
        )


def _not_referenceable(c: Checker, path: Path, section: str) -> None:
    """A section of the blueprint with nothing to name, or no section at all: either way
    the message lists the sections a reference can name."""
    referenceable = f"references name an entry of {one_of(REFERENCE_ATTRIBUTES)}"
    if section in type(c.bp).model_fields:
        c.error(
            path,
            f"section {shown(section)} has nothing a reference can name; {referenceable}",
            Code.REFERENCE_SECTION_UNREFERENCEABLE,
        )
        return
    c.error(
        path,
        f"unknown reference section {shown(section)}"
        f"{suggest(section, REFERENCE_ATTRIBUTES)} ({referenceable})",
        Code.REFERENCE_SECTION_UNKNOWN,
    )


def check_permissions(c: Checker, path: Path, permissions: Sequence[Permission]) -> None:
    bp = c.bp
    for i, permission in enumerate(permissions):
        here: Path = (*path, i)
        if isinstance(permission, BucketPermission):
            c.ref((*here, "bucket"), "bucket", permission.bucket, bp.buckets, Code.BUCKET_UNKNOWN)
        elif isinstance(permission, TablePermission):
            c.ref((*here, "table"), "table", permission.table, bp.tables, Code.TABLE_UNKNOWN)
        elif isinstance(permission, QueuePermission):
            c.ref((*here, "queue"), "queue", permission.queue, bp.queues, Code.QUEUE_UNKNOWN)
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
