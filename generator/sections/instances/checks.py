"""Instance groups' rules: who may SSH in, what they may do, and how they boot."""

from __future__ import annotations

from ...codes import Code
from ...errors import Path
from ...model import reach, references
from ...model.checker import Checker, rule
from .model import is_arm


@rule(Code.SSH_FROM_INTERNET, Code.SOURCE_UNKNOWN, Code.SOURCE_SHARES_HOSTS)
def ssh(c: Checker) -> None:
    for name, group in c.bp.instances.items():
        reach.ssh_from(c, "instances", name, group.ssh_from, group.allow_ssh_from_internet)


@rule(Code.USER_DATA_TWICE, Code.PUBLIC_IP_PRIVATE, Code.NO_WAY_OUT, *references.CODES)
def instances(c: Checker) -> None:
    for name, inst in c.bp.instances.items():
        base: Path = ("instances", name)
        references.check_permissions(c, (*base, "permissions"), inst.permissions)
        if inst.user_data is not None:
            references.check_user_data(c, (*base, "user_data"), inst.user_data)
        if inst.user_data is not None and inst.user_data_file is not None:
            c.error(
                (*base, "user_data_file"),
                "give 'user_data' or 'user_data_file', not both",
                Code.USER_DATA_TWICE,
            )
        if inst.subnets == "private" and inst.public_ip:
            c.error(
                (*base, "public_ip"),
                "a public IP does nothing in a private subnet; use 'subnets: public' or "
                "drop 'public_ip'",
                Code.PUBLIC_IP_PRIVATE,
            )
        if inst.subnets == "public" and inst.public_ip is False:
            # A public subnet's only way out is its internet gateway, which carries only
            # traffic from public addresses:
            # https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html
            c.warn(
                (*base, "public_ip"),
                "in a public subnet without a public IP, instances have no way out (the "
                "internet gateway carries only traffic from public addresses): they cannot "
                "reach Session Manager, AWS APIs or the internet; drop 'public_ip: false', "
                "or use 'subnets: private' with a NAT",
                Code.NO_WAY_OUT,
            )


@rule(Code.ARCHITECTURE_MISMATCH)
def architectures(c: Checker) -> None:
    # The AMI's architecture must be the instance type's, or EC2 refuses to launch it.
    for name, inst in c.bp.instances.items():
        arm = is_arm(inst.instance_type)
        if arm != (inst.architecture == "arm64"):
            wanted = "arm64" if arm else "x86_64"
            kind = "a Graviton (arm64)" if arm else "an x86_64"
            c.error(
                ("instances", name, "instance_type"),
                f"{inst.instance_type} is {kind} type, and the AMI is {inst.architecture}; "
                f"set 'architecture: {wanted}' or pick {'an x86_64' if arm else 'a Graviton'} "
                "type",
                Code.ARCHITECTURE_MISMATCH,
            )


RULES = (ssh, instances, architectures)
