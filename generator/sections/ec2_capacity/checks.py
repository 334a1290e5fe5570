"""EC2 capacity's rules: who may SSH in, a size range that makes sense, and a stack name
that ECS accepts as the prefix of capacity provider names."""

from __future__ import annotations

import re

from ...codes import Code
from ...model import reach
from ...model.checker import Checker, rule


@rule(
    Code.SSH_FROM_INTERNET, Code.SOURCE_UNKNOWN, Code.SOURCE_SHARES_HOSTS, Code.CAPACITY_SIZE_ORDER
)
def hosts(c: Checker) -> None:
    for name, cap in c.bp.ec2_capacity.items():
        reach.ssh_from(c, "ec2_capacity", name, cap.ssh_from, cap.allow_ssh_from_internet)
        if cap.min_size > cap.max_size:
            c.error(
                ("ec2_capacity", name, "min_size"),
                f"min_size {cap.min_size} is above max_size {cap.max_size}",
                Code.CAPACITY_SIZE_ORDER,
            )


@rule(Code.NAME_RESERVED_PREFIX)
def provider_names(c: Checker) -> None:
    if c.bp.ec2_capacity and re.match(r"^(aws|ecs|fargate)", c.bp.name):
        c.error(
            ("name",),
            f"'{c.bp.name}' starts with a prefix ECS reserves for capacity "
            "provider names (aws, ecs, fargate), and EC2 capacity providers are named "
            "after the stack; choose another name",
            Code.NAME_RESERVED_PREFIX,
        )


RULES = (hosts, provider_names)
