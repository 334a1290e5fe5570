"""ECS services on Fargate and Fargate Spot."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .base import Strict
from .types import (
    BucketName,
    EnvName,
    Image,
    LogRetentionDays,
    Name,
    ParameterName,
    ParameterPattern,
    Port,
    SecretKey,
    SecretName,
)

#: Valid Fargate (cpu units -> memory MiB) pairs.
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}


def _by_key(**tags: str) -> Any:
    """A discriminator that picks the union member by which of its keys is present.

    Tags are model names, never key names: pydantic puts the tag in an error's location,
    and a tag that is also a key would be mistaken for part of the blueprint path."""

    def pick(value: Any) -> str | None:
        if isinstance(value, dict):
            for key, tag in tags.items():
                if key in value:
                    return tag
        return None

    return pick


# --- secrets -------------------------------------------------------------------------------


class SsmSecret(Strict):
    """A value read from SSM Parameter Store when the task starts."""

    ssm: ParameterName
    """The parameter's name (``ACCESS_TOKEN`` or ``/app/prod/token``), in the stack's region
    and account."""


class SecretsManagerSecret(Strict):
    """A value read from Secrets Manager when the task starts."""

    secrets_manager: SecretName
    """The secret's name, in the stack's region and account."""

    key: SecretKey | None = None
    """A JSON key inside the secret; default: the whole secret string."""


Secret = Annotated[
    Annotated[SsmSecret, Tag("SsmSecret")]
    | Annotated[SecretsManagerSecret, Tag("SecretsManagerSecret")],
    Discriminator(
        _by_key(ssm="SsmSecret", secrets_manager="SecretsManagerSecret"),
        custom_error_type="secret",
        custom_error_message="a secret is a mapping with 'ssm: NAME' or 'secrets_manager: NAME'",
    ),
]

# --- permissions ---------------------------------------------------------------------------

Access = Literal["read", "write", "read_write"]


class BucketPermission(Strict):
    """Access to an S3 bucket that exists outside this blueprint, by its name."""

    s3_bucket: BucketName
    """The bucket's name."""

    access: Access = "read"
    """read: get and list; write: put and delete; read_write: both."""


class ParameterPermission(Strict):
    """Read access to SSM parameters from the application's code."""

    ssm_parameters: list[ParameterPattern] = Field(min_length=1)
    """Parameter names; a name ending in ``/*`` grants the whole path below it."""


class SecretPermission(Strict):
    """Read access to Secrets Manager secrets from the application's code."""

    secrets: list[SecretName] = Field(min_length=1)
    """Secret names."""


Permission = Annotated[
    Annotated[BucketPermission, Tag("BucketPermission")]
    | Annotated[ParameterPermission, Tag("ParameterPermission")]
    | Annotated[SecretPermission, Tag("SecretPermission")],
    Discriminator(
        _by_key(
            s3_bucket="BucketPermission",
            ssm_parameters="ParameterPermission",
            secrets="SecretPermission",
        ),
        custom_error_type="permission",
        custom_error_message="a permission is a mapping with one of 's3_bucket', "
        "'ssm_parameters' or 'secrets'",
    ),
]

# --- containers and services ---------------------------------------------------------------


class Container(Strict):
    """One container of the service's task."""

    image: Image
    """The image, e.g. an ECR repository URI with a tag."""

    port: Port | None = None
    """The port the container listens on (TCP)."""

    environment: dict[EnvName, str] = Field(default_factory=dict)
    """Plain environment variables. Never put secrets here: use ``secrets``."""

    secrets: dict[EnvName, Secret] = Field(default_factory=dict)
    """Environment variables filled from SSM or Secrets Manager when the task starts; only
    the execution role may read them, each by its own ARN."""

    command: list[str] | None = None
    """Override the image's command."""

    essential: bool = True
    """Stop the task when this container stops."""


class CapacityShare(Strict):
    """One entry of a capacity provider strategy."""

    provider: Literal["FARGATE", "FARGATE_SPOT"]
    """The capacity provider."""

    base: int = Field(default=0, ge=0, le=100000)
    """Tasks always placed on this provider first."""

    weight: int = Field(default=1, ge=0, le=1000)
    """Relative share of the tasks beyond the bases."""


_SHORTHAND = {
    "fargate": [{"provider": "FARGATE", "base": 0, "weight": 1}],
    "fargate_spot": [{"provider": "FARGATE_SPOT", "base": 0, "weight": 1}],
}


def _capacity(value: Any) -> Any:
    if isinstance(value, str):
        if value not in _SHORTHAND:
            lowered = value.lower()
            guess = (
                lowered
                if lowered in _SHORTHAND
                else (
                    "fargate_spot"
                    if "spot" in lowered
                    else "fargate"
                    if "fargate" in lowered
                    else None
                )
            )
            hint = f"; did you mean '{guess}'?" if guess else ""
            raise PydanticCustomError(
                "capacity",
                "'{value}' is not a capacity: write 'fargate', 'fargate_spot' or a list of "
                "entries with provider, base and weight{hint}",
                {"value": value, "hint": hint},
            )
        return _SHORTHAND[value]
    return value


def _ranges(values: tuple[int, ...]) -> str:
    """``(4096, 5120, ..., 16384)`` -> ``4096 to 16384 in steps of 1024``."""
    if len(values) <= 4:
        return ", ".join(str(v) for v in values)
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


class Service(Strict):
    """An ECS service: a task definition, its roles, logs and security group."""

    cpu: Literal[256, 512, 1024, 2048, 4096, 8192, 16384] = 256
    """Task CPU units (1024 = 1 vCPU)."""

    memory: int = 512
    """Task memory in MiB; must be a Fargate size for ``cpu`` (256 takes 512, 1024 or 2048)."""

    architecture: Literal["X86_64", "ARM64"] = "X86_64"
    """CPU architecture of the task."""

    capacity: Annotated[
        list[CapacityShare],
        Field(min_length=1, max_length=2, json_schema_extra={"default": "fargate"}),
        BeforeValidator(
            _capacity,
            json_schema_input_type=Literal["fargate", "fargate_spot"] | list[CapacityShare],
        ),
    ] = Field(default_factory=lambda: [CapacityShare(provider="FARGATE")])
    """Where tasks run: ``fargate``, ``fargate_spot`` (base 0, weight 1), or a strategy."""

    desired_count: int = Field(default=1, ge=0, le=1000)
    """How many tasks to run."""

    subnets: Literal["public", "private"] = "private"
    """Which subnets the tasks run in."""

    public_ip: bool = False
    """Give each task a public IP (needed in public subnets without NAT)."""

    containers: dict[Name, Container] = Field(min_length=1, max_length=10)
    """The task's containers by name."""

    permissions: list[Permission] = Field(default_factory=list)
    """What the application's own code may do (the task role), by name."""

    log_retention_days: LogRetentionDays = 30
    """How long the service's logs are kept."""

    health_check_grace_seconds: int = Field(default=60, ge=0, le=2147483647)
    """Seconds the load balancer's health checks are ignored after a task starts."""

    @field_validator("memory")
    @classmethod
    def _fargate_size(cls, memory: int, info: ValidationInfo) -> int:
        cpu = info.data.get("cpu")
        if cpu is None:
            return memory
        allowed = FARGATE_SIZES[cpu]
        if memory not in allowed:
            fits = [str(c) for c, mems in sorted(FARGATE_SIZES.items()) if memory in mems]
            listed = ", ".join(fits[:-1]) + " or " + fits[-1] if len(fits) > 1 else "".join(fits)
            hint = f"; {memory} MiB fits cpu {listed}" if fits else ""
            raise PydanticCustomError(
                "fargate_size",
                "{memory} MiB is not a Fargate size for cpu {cpu}: it takes {shown}{hint}",
                {"memory": memory, "cpu": cpu, "shown": _ranges(allowed), "hint": hint},
            )
        return memory
