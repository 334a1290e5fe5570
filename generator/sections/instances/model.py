"""Plain EC2 instances: web servers, bastions."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ...codes import Code
from ...model.base import Strict
from ...model.permissions import Permission
from ...model.text import PlainText
from ...model.types import InstanceType, Source, compiled

#: Largest first-boot script EC2 takes.
USER_DATA_LIMIT = 16384


def _user_data_fits(value: str) -> str:
    # EC2's limit is on the script itself, before base64, wherever it comes from
    # (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html).
    size = len(value.encode())
    if size > USER_DATA_LIMIT:
        raise PydanticCustomError(
            Code.INCLUDE_TOO_LARGE,
            "the script is {size} bytes; EC2 takes at most {limit} of user data: keep the "
            "boot script short and have it fetch the rest (from S3, say)",
            {"size": f"{size:,}", "limit": f"{USER_DATA_LIMIT:,}"},
        )
    return value


# Graviton (arm64) families carry a 'g' right after the generation, and a1 is the first
# (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
_ARM_FAMILY = r"^(?:a1|[a-z]+\d+g[a-z]*)\."


def is_arm(instance_type: str) -> bool:
    """Is ``instance_type`` a Graviton (arm64) type?"""
    return compiled(_ARM_FAMILY).match(instance_type) is not None


class InstanceGroup(Strict):
    """``count`` identical EC2 instances spread over the zones: Amazon Linux 2023 (the
    latest, from its SSM public parameter), IMDSv2 required, an encrypted root volume, and
    an instance profile with Session Manager access, so SSH is optional."""

    count: int = Field(default=1, ge=1, le=20)
    """How many instances; instance i goes to zone i modulo the number of zones."""

    instance_type: InstanceType = "t3.micro"
    """The instance type."""

    architecture: Literal["x86_64", "arm64"] = "x86_64"
    """The AMI's architecture; must match the instance type."""

    subnets: Literal["public", "private"] = "private"
    """Where the instances run."""

    public_ip: bool | None = None
    """Give each instance a public IP; default: yes in public subnets, no in private ones."""

    user_data: Annotated[PlainText, AfterValidator(_user_data_fits)] | None = None
    """A shell script run at first boot (inline)."""

    user_data_file: str | None = Field(default=None, min_length=1)
    """A file holding the first-boot script, relative to the blueprint."""

    root_volume_gb: int = Field(default=8, ge=8, le=16384)
    """Encrypted gp3 root volume size."""

    key_pair: str | None = Field(default=None, min_length=1, max_length=255)
    """An existing EC2 key pair for SSH; Session Manager needs none."""

    ssh_from: list[Source] = Field(default=[])
    """Who may SSH in: instance group or service names, or CIDR blocks."""

    allow_ssh_from_internet: bool = False
    """Permit ``0.0.0.0/0`` in ``ssh_from``. Dangerous: it builds with a warning."""

    permissions: list[Permission] = Field(default=[])
    """What software on the instances may do (the instance role), by name."""
