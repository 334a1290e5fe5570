"""What EC2 hosts share, whether plain instances or ECS container instances: the latest
Amazon Linux 2023 AMI from its SSM public parameter, IMDSv2 only, an encrypted root volume,
an instance profile and the hosts' security group."""

from __future__ import annotations

from typing import Any

from troposphere import Parameter, Ref, ec2
from troposphere import iam as cfn_iam

from .. import naming
from ..errors import Path
from ..model.types import is_cidr
from . import iam, security
from .context import Context, SecurityGroupHandle

_AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"


_ECS_AL2023 = {
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
}


def session_manager_statements() -> list[dict[str, object]]:
    """What Session Manager needs on the instance, and nothing more: AWS's minimal Session
    Manager policy (https://docs.aws.amazon.com/systems-manager/latest/userguide/
    getting-started-create-iam-instance-profile.html, also the managed policy
    AWSCloud9SSMInstanceProfile), without the S3 and KMS lines that serve only encrypted
    session logs, which the blueprint does not turn on. AmazonSSMManagedInstanceCore is not
    used: it lets the instance read every SSM parameter in the account."""
    return [
        # The agent reports itself on the instance's own ARN (its only resource type).
        iam.statement(["ssm:UpdateInstanceInformation"], [iam.arn("ec2", "instance/*")]),
        iam.statement(
            [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            ["*"],
        ),
    ]


ROOT_DEVICE = "/dev/xvda"


def ami_parameter(ctx: Context, architecture: str, *, ecs: bool) -> Parameter:
    """The latest AMI as a template parameter read from its SSM public parameter, so a
    deploy picks up the current image without anyone pasting an AMI id."""
    logical_id = naming.ami_parameter(architecture, ecs)
    if logical_id in ctx.template.parameters:
        existing: Parameter = ctx.template.parameters[logical_id]
        return existing
    path = _ECS_AL2023[architecture] if ecs else _AL2023.format(arch=architecture)
    kind = "ECS-optimized Amazon Linux 2023" if ecs else "Amazon Linux 2023"
    return ctx.template.add_parameter(
        Parameter(
            logical_id,
            Type="AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
            Default=path,
            Description=f"Latest {kind} AMI ({architecture}), from its SSM public parameter",
        )
    )


def encrypted_root(size_gb: int, mapping: type[Any], volume: type[Any]) -> Any:
    """An encrypted gp3 root volume, deleted with its instance. Instances and launch
    templates take the same shape under different troposphere classes."""
    return mapping(
        DeviceName=ROOT_DEVICE,
        Ebs=volume(VolumeType="gp3", VolumeSize=size_gb, Encrypted=True, DeleteOnTermination=True),
    )


def metadata_options() -> ec2.MetadataOptions:
    """IMDSv2 only, and one hop: containers on the host cannot borrow its role."""
    return ec2.MetadataOptions(
        HttpTokens="required", HttpEndpoint="enabled", HttpPutResponseHopLimit=1
    )


def instance_profile(
    ctx: Context,
    role_id: str,
    profile_id: str,
    statements: list[dict[str, object]],
    origin: Path,
) -> cfn_iam.InstanceProfile:
    """A role for EC2 with Session Manager plus ``statements`` (no managed policy), and its
    instance profile."""
    instance_role = iam.role(
        ctx, role_id, "ec2.amazonaws.com", session_manager_statements() + statements, origin
    )
    return ctx.add(cfn_iam.InstanceProfile(profile_id, Roles=[Ref(instance_role)]), origin)


def host_group(
    ctx: Context, origin: tuple[str, str], logical_id: str, description: str, ssh_from: list[str]
) -> SecurityGroupHandle:
    """The security group of EC2 hosts (an instance group, EC2 capacity): any egress, SSH
    from the CIDR blocks in ``ssh_from`` (the names there are handled by reach.py), and
    registered under the entry so that others may be allowed to reach it."""
    group = security.entry_group(ctx, origin, logical_id, description, egress_anywhere=True)
    for source in sorted(s for s in ssh_from if is_cidr(s)):
        security.allow_cidr(ctx, group, source, 22, f"SSH from {source}", (*origin, "ssh_from"))
    return group
