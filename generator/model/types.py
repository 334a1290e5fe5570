"""Named constrained types: each carries the rules of one single value.

Messages are written for someone who has never heard of pydantic: they say what
the value should look like and, where it can be guessed, what was meant.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..errors import shown, suggest
from ..regions import REGIONS, UNSUPPORTED


def refuse(code: Code, message: str) -> PydanticCustomError:
    """A validation error whose type is its catalogue code."""
    return PydanticCustomError(code.value, message)


def existing_alone(given: set[str], kept: set[str], uses: str) -> None:
    """Refuse the keys of an entry with ``existing`` that only describe what blueprint
    would create (``given``: the keys set, ``kept``: those that go with ``existing``;
    ``uses``: what the entry does with the thing that exists)."""
    others = sorted(given - kept)
    if others:
        keys = ", ".join(f"'{k}'" for k in others)
        raise refuse(
            Code.EXISTING_MIXED,
            f"'existing' {uses} blueprint does not create: remove {keys}, which only "
            f"describe{'' if len(others) > 1 else 's'} one it creates",
        )


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled the first time a value is checked against it, not at import:
    the patterns of one section's values (an instance type, an ARN of something that
    exists, an e-mail address) are compiled only by the blueprints that have them."""
    return re.compile(pattern)


# --- names -------------------------------------------------------------------------------

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def _name(value: str) -> str:
    if not _NAME.fullmatch(value):
        hint = value.lower().replace(" ", "-")
        extra = f"; did you mean {shown(hint)}?" if _NAME.fullmatch(hint) else ""
        raise refuse(
            Code.NAME_INVALID,
            f"{shown(value)} is not a valid name: use lower-case letters, digits, and single "
            f"'-' or '_' between them, starting with a letter{extra}",
        )
    return value


Name = Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_name)]
"""A blueprint entry name; logical IDs are derived from it."""

_STACK = re.compile(r"^[a-z][a-z0-9-]*$")


def _stack_name(value: str) -> str:
    if not _STACK.fullmatch(value) or value.endswith("-") or "--" in value:
        guess = re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", value.lower())).strip("-")
        hint = f"; did you mean {shown(guess)}?" if guess and _STACK.fullmatch(guess) else ""
        raise refuse(
            Code.STACK_NAME_INVALID,
            f"{shown(value)} is not a valid stack name prefix: lower-case letters, digits and "
            f"single hyphens, starting with a letter{hint}",
        )
    return value


StackName = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_stack_name)]

_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(value: str) -> str:
    if not _ENV.fullmatch(value):
        raise refuse(
            Code.ENV_NAME_INVALID,
            f"{shown(value)} is not a valid environment variable name: letters, digits and '_', "
            "not starting with a digit",
        )
    return value


EnvName = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_env_name)]

# --- network -----------------------------------------------------------------------------


def _cidr(value: str) -> str:
    try:
        net = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise refuse(
            Code.CIDR_INVALID, f"{shown(value)} is not an IPv4 CIDR block like 10.0.0.0/16"
        ) from None
    if net.version != 4:
        raise refuse(
            Code.CIDR_INVALID, f"{shown(value)} is IPv6; only IPv4 CIDR blocks are supported here"
        )
    if str(net) != value:
        raise refuse(
            Code.CIDR_INVALID,
            f"{shown(value)} has host bits set; did you mean '{net}'?",
        )
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
"""An IPv4 network in CIDR notation, e.g. ``10.0.0.0/16``."""

Port = Annotated[int, Field(ge=1, le=65535)]
"""A TCP port, 1 to 65535."""

# --- DNS -----------------------------------------------------------------------------------

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _domain(value: str, *, wildcard: bool) -> str:
    labels = value.split(".")
    body = labels[1:] if wildcard and labels[0] == "*" else labels
    if value != value.lower():
        raise refuse(
            Code.DOMAIN_INVALID,
            f"{shown(value)} must be lower case; did you mean {shown(value.lower())}?",
        )
    if value.endswith("."):
        raise refuse(
            Code.DOMAIN_INVALID,
            f"{shown(value)} ends with a dot; did you mean {shown(value.rstrip('.'))}?",
        )
    if len(value) > 253 or len(body) < 2 or not all(_LABEL.fullmatch(label) for label in body):
        allowed = " ('*.' is allowed as the first label)" if wildcard else ""
        raise refuse(
            Code.DOMAIN_INVALID,
            f"{shown(value)} is not a domain name like 'api.example.com'{allowed}",
        )
    return value


DomainName = Annotated[str, AfterValidator(lambda v: _domain(v, wildcard=False))]
"""A fully qualified domain name, lower case, without a trailing dot."""

CertificateDomain = Annotated[str, AfterValidator(lambda v: _domain(v, wildcard=True))]
"""A domain name for a certificate; a leading ``*.`` makes it a wildcard."""


def _zone_id(value: str) -> str:
    if not re.fullmatch(r"Z[A-Z0-9]{4,31}", value):
        raise refuse(
            Code.ZONE_ID_INVALID,
            f"{shown(value)} is not a Route53 hosted zone id (like Z0123456789ABCDEFGHIJ)",
        )
    return value


HostedZoneId = Annotated[str, AfterValidator(_zone_id)]


def _host_pattern(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9*?.-]{1,128}", value) or "." not in value:
        raise refuse(
            Code.HOST_PATTERN_INVALID,
            f"{shown(value)} is not a host name pattern like 'api.example.com' or '*.example.com'",
        )
    return value


HostPattern = Annotated[str, AfterValidator(_host_pattern)]


def _path_pattern(value: str) -> str:
    if not value.startswith("/") or len(value) > 128 or re.search(r"\s", value):
        raise refuse(
            Code.PATH_PATTERN_INVALID,
            f"{shown(value)} is not a path pattern: it must start with '/' (e.g. '/api/*'), "
            "have no spaces and be at most 128 characters",
        )
    return value


PathPattern = Annotated[str, AfterValidator(_path_pattern)]

# --- AWS -----------------------------------------------------------------------------------


def _region(value: str) -> str:
    if value in UNSUPPORTED:
        raise refuse(
            Code.REGION_UNSUPPORTED, f"{shown(value)} is not supported: {UNSUPPORTED[value]}"
        )
    if value not in REGIONS:
        hint = suggest(value, REGIONS) or " like 'ap-northeast-1'"
        raise refuse(Code.REGION_UNKNOWN, f"{shown(value)} is not an AWS region{hint}")
    return value


Region = Annotated[str, AfterValidator(_region)]
"""An AWS region code, e.g. ``ap-northeast-1``."""

LogRetentionDays = Literal[
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
]


def _image(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9._/:@-]*", value, flags=re.IGNORECASE):
        raise refuse(
            Code.IMAGE_INVALID,
            f"{shown(value)} is not a container image reference like "
            "'123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:1.0' or 'nginx:1.27'",
        )
    return value


Image = Annotated[str, Field(max_length=255), AfterValidator(_image)]


def _parameter_name(value: str) -> str:
    if not re.fullmatch(r"/?[A-Za-z0-9_.\-/]{1,1011}", value) or "//" in value:
        raise refuse(
            Code.SSM_NAME_INVALID,
            f"{shown(value)} is not an SSM parameter name: letters, digits, '_', '.', '-' and '/' "
            "for a hierarchy",
        )
    return value


ParameterName = Annotated[str, AfterValidator(_parameter_name)]


def _parameter_pattern(value: str) -> str:
    if value.endswith("/*"):
        _parameter_name(value[:-2] or "/")
        return value
    return _parameter_name(value)


ParameterPattern = Annotated[str, AfterValidator(_parameter_pattern)]
"""An SSM parameter name, or a path ending in ``/*`` for every parameter below it."""


SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{6}$"
)


def _secret_name(value: str) -> str:
    if SECRET_ARN.fullmatch(value):
        return value
    if not re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", value) or value.startswith("arn:"):
        raise refuse(
            Code.SECRET_NAME_INVALID,
            f"{shown(value)} is not a Secrets Manager secret name (letters, digits and /_+=.@-) "
            "nor a full secret ARN (ending in the 6-character suffix)",
        )
    return value


SecretName = Annotated[str, AfterValidator(_secret_name)]


def _secret_key(value: str) -> str:
    if not value or ":" in value or len(value) > 255 or value != value.strip():
        raise refuse(
            Code.SECRET_KEY_INVALID,
            f"{shown(value)} cannot be a JSON key reference: ECS separates the parts of a secret "
            "reference with ':', so the key may not contain ':' or start or end with a space",
        )
    return value


SecretKey = Annotated[str, AfterValidator(_secret_key)]
"""A key of the JSON document stored in a secret."""


def _http_codes(value: str) -> str:
    if not re.fullmatch(r"\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*", value):
        raise refuse(
            Code.HTTP_CODES_INVALID,
            f"{shown(value)} is not HTTP status codes like '200', '200-399' or '200,302'",
        )
    return value


HttpCodes = Annotated[str, AfterValidator(_http_codes)]
"""HTTP status codes: ``200``, a range ``200-399`` or a list ``200,302``."""

# --- compute and data classes ------------------------------------------------------------


def _instance_type(prefix: str, kind: str, example: str) -> Any:
    regex = rf"^{re.escape(prefix)}[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$"

    def check(value: str) -> str:
        pattern = compiled(regex)
        if not pattern.fullmatch(value):
            hint = ""
            if prefix and pattern.fullmatch(prefix + value):
                hint = f"; did you mean {shown(prefix + value)}?"
            elif re.fullmatch(r"[a-z]+\d+[a-z]*[a-z]+", value.removeprefix(prefix) or "-"):
                hint = " (the family and the size are separated by a dot)"
            raise refuse(
                Code.INSTANCE_TYPE_INVALID, f"{shown(value)} is not {kind} like '{example}'{hint}"
            )
        return value

    return AfterValidator(check)


InstanceType = Annotated[str, _instance_type("", "an EC2 instance type", "t3.micro")]
"""An EC2 instance type, e.g. ``t3.micro``."""

DbInstanceClass = Annotated[str, _instance_type("db.", "an RDS instance class", "db.t4g.micro")]
"""An RDS instance class, e.g. ``db.t4g.micro``."""

CacheNodeType = Annotated[
    str, _instance_type("cache.", "an ElastiCache node type", "cache.t4g.micro")
]
"""An ElastiCache node type, e.g. ``cache.t4g.micro``."""


def is_cidr(source: str) -> bool:
    """Is a ``Source`` a CIDR block (rather than an entry name)?"""
    return bool(re.fullmatch(r"[0-9./]+", source))


def _source(value: str) -> str:
    return _cidr(value) if is_cidr(value) else _name(value)


Source = Annotated[str, AfterValidator(_source)]
"""Where traffic may come from: an entry name (an instance group, a service) or a CIDR."""


def _engine_version(value: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+){0,2}", value):
        raise refuse(
            Code.ENGINE_VERSION_INVALID,
            f"{shown(value)} is not an engine version: write numbers like '8.0.43' or '7.1'",
        )
    return value


EngineVersion = Annotated[str, AfterValidator(_engine_version)]
"""An engine version of dotted numbers, e.g. ``8.0.43``."""


def _logical_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]{1,255}", value):
        raise refuse(
            Code.LOGICAL_ID_INVALID, f"{shown(value)} is not a logical ID: letters and digits only"
        )
    return value


LogicalId = Annotated[str, AfterValidator(_logical_id)]
"""A CloudFormation logical ID, e.g. ``MainDatabase``."""
