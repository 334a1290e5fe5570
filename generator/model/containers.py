"""What services and jobs share: the containers of an ECS task, their secrets and mounts,
where the task runs (Fargate, Fargate Spot or EC2 capacity) and its size, network, roles
and logs."""

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..errors import shown
from .base import Strict
from .permissions import EnvValue, Permission, by_key
from .text import PlainText
from .types import (
    SECRET_ARN,
    EnvName,
    Image,
    LogRetentionDays,
    Name,
    ParameterName,
    Port,
    SecretKey,
    SecretName,
)

#: The capacity providers that are Fargate; any other names an ``ec2_capacity`` entry.
FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})

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


# --- secrets -------------------------------------------------------------------------------


class SsmSecret(Strict):
    """A value read from SSM Parameter Store when the task starts."""

    ssm: ParameterName
    """The parameter's name (``ACCESS_TOKEN`` or ``/app/prod/token``), in the stack's region
    and account."""


class SecretsManagerSecret(Strict):
    """A value read from Secrets Manager when the task starts."""

    secrets_manager: SecretName
    """The secret's name in the stack's region and account, or its full ARN."""

    key: SecretKey | None = None
    """A JSON key inside the secret; default: the whole secret string. ECS finds a key only
    through the secret's full ARN (with its 6-character suffix), so give the ARN."""

    @model_validator(mode="after")
    def _key_needs_arn(self) -> Self:
        if self.key is not None and not SECRET_ARN.fullmatch(self.secrets_manager):
            raise PydanticCustomError(
                Code.SECRET_KEY_NEEDS_ARN,
                "a JSON 'key' needs the secret's full ARN in 'secrets_manager' (with its "
                "6-character suffix, as the console shows it): ECS cannot find a key by name",
            )
        return self


#: The keys of the JSON document RDS keeps in a database's managed master secret: the
#: master user's name and password, nothing else (no host, port or database name)
#: (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html).
RDS_SECRET_KEYS = ("username", "password")


def _rds_secret_key(value: str) -> str:
    if value not in RDS_SECRET_KEYS:
        raise PydanticCustomError(
            Code.DATABASE_SECRET_KEY_UNKNOWN,
            "{value} is not in a database's managed secret: RDS keeps only 'username' and "
            "'password' there (the address and port are '{ref: databases.NAME.address}' and "
            "'.port' in 'environment')",
            {"value": shown(value)},
        )
    return value


class DatabaseSecret(Strict):
    """A key of the master secret RDS manages in Secrets Manager for a database of this
    blueprint (``databases:``), read when the task starts; the execution role may read that
    secret alone. RDS rotates the password (every 7 days by default): a running task keeps
    the value it started with, so the application should reconnect with a fresh one (or
    the service be redeployed) after a rotation."""

    database: Name
    """The database's entry name."""

    key: Annotated[
        str,
        AfterValidator(_rds_secret_key),
        Field(json_schema_extra={"enum": list(RDS_SECRET_KEYS)}),
    ]
    """``password`` or ``username`` (the master user's)."""


Secret = Annotated[
    Annotated[SsmSecret, Tag("SsmSecret")]
    | Annotated[SecretsManagerSecret, Tag("SecretsManagerSecret")]
    | Annotated[DatabaseSecret, Tag("DatabaseSecret")],
    Discriminator(
        by_key(ssm="SsmSecret", secrets_manager="SecretsManagerSecret", database="DatabaseSecret"),
        custom_error_type=Code.SECRET_SHAPE.value,
        custom_error_message="a secret is a mapping with 'ssm: NAME', 'secrets_manager: NAME' "
        "or 'database: NAME' with 'key'",
    ),
]

# --- containers and tasks ------------------------------------------------------------------


class Mount(Strict):
    """An EFS file system (``file_systems:``) mounted into a container, over TLS with IAM
    authorization."""

    file_system: Name
    """The file system's entry name."""

    path: str = Field(pattern=r"^/[^\s]*$")
    """Where it appears inside the container, e.g. ``/var/lib/ghost/content``."""

    access_point: Name | None = None
    """One of the file system's access points; default: the file system's root."""

    read_only: bool = False
    """Mount read-only."""


class ContainerHealthCheck(Strict):
    """A command ECS runs inside the container to tell whether it is healthy; what other
    containers' ``depends_on: {NAME: HEALTHY}`` wait for
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html)."""

    command: PlainText = Field(min_length=1, max_length=1000)
    """A shell command that exits 0 when healthy, e.g. ``curl -f http://localhost/ || exit
    1`` (run with the container's shell: ``CMD-SHELL``)."""

    interval_seconds: int = Field(default=30, ge=5, le=300)
    """Seconds between checks."""

    timeout_seconds: int = Field(default=5, ge=2, le=60)
    """Seconds a check may take before it counts as failed."""

    retries: int = Field(default=3, ge=1, le=10)
    """Failed checks in a row before the container is unhealthy."""

    start_period_seconds: int = Field(default=0, ge=0, le=300)
    """Seconds after start during which failed checks do not count."""


def _mount_paths(mounts: list[Mount]) -> list[Mount]:
    # ECS refuses a task definition that mounts two volumes on one container path
    # (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html).
    seen: set[str] = set()
    for mount in mounts:
        if mount.path in seen:
            raise PydanticCustomError(
                Code.MOUNT_PATH_TWICE,
                "{path} is mounted twice; a container path takes one mount",
                {"path": shown(mount.path)},
            )
        seen.add(mount.path)
    return mounts


class Container(Strict):
    """One container of a task."""

    image: Image
    """The image, e.g. an ECR repository URI with a tag."""

    port: Port | None = None
    """The port the container listens on (TCP)."""

    environment: dict[EnvName, EnvValue] = Field(default={})
    """Plain environment variables, or ``{ref: SECTION.NAME.ATTRIBUTE}`` for a value another
    entry produces (``{ref: caches.sessions.address}``). Never put secrets here: use
    ``secrets``."""

    secrets: dict[EnvName, Secret] = Field(default={})
    """Environment variables filled from SSM, Secrets Manager or a database's managed
    secret (``{database: main, key: password}``) when the task starts; only the execution
    role may read them, each by its own ARN."""

    command: list[PlainText] | None = None
    """Override the image's command."""

    essential: bool = True
    """Stop the task when this container stops."""

    depends_on: dict[Name, Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"]] = Field(default={})
    """Containers of the same task that must reach a state before this one starts."""

    mounts: Annotated[list[Mount], AfterValidator(_mount_paths)] = Field(default=[])
    """EFS file systems mounted into this container."""

    health_check: ContainerHealthCheck | None = None
    """A health check run inside the container (needed for ``HEALTHY`` in another
    container's ``depends_on``)."""

    memory_reservation: int | None = Field(default=None, ge=6, le=1_000_000)
    """Soft memory limit in MiB (for tasks on EC2 capacity)."""


_EC2_PROVIDER = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")


def _provider(value: str) -> str:
    if value in FARGATE_PROVIDERS or _EC2_PROVIDER.fullmatch(value):
        return value
    raise PydanticCustomError(
        Code.CAPACITY_INVALID,
        "{value} is not a capacity provider: write FARGATE, FARGATE_SPOT or the name of an "
        "'ec2_capacity' entry",
        {"value": shown(value)},
    )


class CapacityShare(Strict):
    """One entry of a capacity provider strategy."""

    provider: Annotated[str, AfterValidator(_provider)]
    """FARGATE, FARGATE_SPOT, or the name of an ``ec2_capacity`` entry."""

    base: int = Field(default=0, ge=0, le=100000)
    """Tasks always placed on this provider first."""

    weight: int = Field(default=1, ge=0, le=1000)
    """Relative share of the tasks beyond the bases."""


_SHORTHAND = {"fargate": "FARGATE", "fargate_spot": "FARGATE_SPOT"}


def _capacity(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value in _SHORTHAND:
        return [{"provider": _SHORTHAND[value], "base": 0, "weight": 1}]
    if _EC2_PROVIDER.fullmatch(value):
        return [{"provider": value, "base": 0, "weight": 1}]
    guess = value.lower() if value.lower() in _SHORTHAND else None
    hint = f"; did you mean '{guess}'?" if guess else ""
    raise PydanticCustomError(
        Code.CAPACITY_INVALID,
        "{value} is not a capacity: write 'fargate', 'fargate_spot', the name of an "
        "'ec2_capacity' entry, or a list of entries with provider, base and weight{hint}",
        {"value": shown(value), "hint": hint},
    )


def _one_essential(containers: dict[str, Container]) -> dict[str, Container]:
    # "All tasks must have at least one essential container"
    # (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html).
    if not any(c.essential for c in containers.values()):
        raise PydanticCustomError(
            Code.CONTAINER_NONE_ESSENTIAL,
            "every container has 'essential: false'; ECS needs at least one essential "
            "container in a task",
        )
    return containers


class TaskSpec(Strict):
    """An ECS task definition with its roles, logs and network: what a service keeps
    running and what a job runs to completion."""

    capacity: Annotated[
        list[CapacityShare],
        Field(min_length=1, max_length=2, json_schema_extra={"default": "fargate"}),
        BeforeValidator(_capacity, json_schema_input_type=str | list[CapacityShare]),
    ] = [CapacityShare.model_construct(provider="FARGATE")]
    """Where tasks run: ``fargate``, ``fargate_spot`` (base 0, weight 1), the name of an
    ``ec2_capacity`` entry, or a strategy. Fargate and EC2 capacity cannot be mixed."""

    cpu: int = Field(default=256, ge=128, le=16384)
    """Task CPU units (1024 = 1 vCPU). On Fargate: 256, 512, 1024, 2048, 4096, 8192 or
    16384."""

    memory: int = Field(default=512, ge=128, le=122880)
    """Task memory in MiB; on Fargate it must fit ``cpu`` (256 takes 512, 1024 or 2048)."""

    architecture: Literal["X86_64", "ARM64"] = "X86_64"
    """CPU architecture of the task (Fargate)."""

    subnets: Literal["public", "private"] = "private"
    """Which subnets the tasks run in (Fargate)."""

    public_ip: bool = False
    """Give each task a public IP (needed in public subnets without NAT)."""

    containers: Annotated[dict[Name, Container], AfterValidator(_one_essential)] = Field(
        min_length=1, max_length=10
    )
    """The task's containers by name."""

    permissions: list[Permission] = Field(default=[])
    """What the application's own code may do (the task role), by name."""

    log_retention_days: LogRetentionDays = 30
    """How long the task's logs are kept."""

    @property
    def placement(self) -> "OnFargate | OnEc2Capacity":
        """Where the tasks run, as one variant (a strategy naming both kinds is refused by
        the services' capacity rule)."""
        names = [s.provider for s in self.capacity if s.provider not in FARGATE_PROVIDERS]
        return OnEc2Capacity(names[0]) if names else OnFargate(tuple(self.capacity))

    @property
    def ec2_capacity(self) -> str | None:
        """The ``ec2_capacity`` entry the task runs on, or None on Fargate."""
        placement = self.placement
        return placement.capacity if isinstance(placement, OnEc2Capacity) else None


@dataclass(frozen=True)
class OnFargate:
    """Tasks on Fargate and Fargate Spot, shared by a capacity provider strategy; each task
    has its own network interface (awsvpc)."""

    shares: tuple[CapacityShare, ...]


@dataclass(frozen=True)
class OnEc2Capacity:
    """Tasks on the container instances of one ``ec2_capacity`` entry, in bridge mode on
    dynamic host ports, behind the hosts' security group."""

    capacity: str
