"""Plain EC2 instances: Amazon Linux 2023 from its SSM public parameter, IMDSv2 only,
encrypted root volumes, and Session Manager through the instance role."""

from __future__ import annotations

from troposphere import Base64, GetAtt, Ref, Tags, ec2

from ... import naming
from ...render import grants, scanner
from ...render.context import Context
from ...render.hosts import (
    ami_parameter,
    encrypted_root,
    host_group,
    instance_profile,
    metadata_options,
)
from .model import InstanceGroup


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.instances):
        _group(ctx, name, ctx.bp.instances[name])


def _group(ctx: Context, name: str, spec: InstanceGroup) -> None:
    origin = ("instances", name)
    group = host_group(
        ctx,
        origin,
        naming.instance_security_group(name),
        f"Instances {name} of {ctx.bp.name}",
        spec.ssh_from,
    )
    profile = instance_profile(
        ctx,
        naming.instance_role(name),
        naming.instance_profile(name),
        grants.all_statements(ctx, spec.permissions),
        origin,
    )
    image = ami_parameter(ctx, spec.architecture, ecs=False)
    public_ip = spec.public_ip if spec.public_ip is not None else spec.subnets == "public"
    subnets = ctx.network.subnet_ids[spec.subnets]
    user_data = spec.user_data
    if spec.user_data_file is not None:
        user_data = ctx.includes[spec.user_data_file]
    made = []
    for i in range(spec.count):
        instance = ec2.Instance(
            naming.instance(name, i),
            ImageId=Ref(image),
            InstanceType=spec.instance_type,
            IamInstanceProfile=Ref(profile),
            MetadataOptions=metadata_options(),
            NetworkInterfaces=[
                ec2.NetworkInterfaceProperty(
                    DeviceIndex="0",
                    SubnetId=subnets[i % len(subnets)],
                    GroupSet=[GetAtt(group.group, "GroupId")],
                    AssociatePublicIpAddress=public_ip,
                    DeleteOnTermination=True,
                )
            ],
            BlockDeviceMappings=[
                encrypted_root(spec.root_volume_gb, ec2.BlockDeviceMapping, ec2.EbsBlockDevice)
            ],
            Monitoring=True,
            Tags=Tags(Name=f"{ctx.bp.name}-{name}-{i + 1}"),
        )
        if user_data:  # ${ref:...} in it becomes an Fn::Sub (Context.substituted)
            instance.UserData = Base64(ctx.substituted(user_data))
        if spec.key_pair:
            instance.KeyName = spec.key_pair
        if public_ip:
            scanner.skip(instance, "public-instance")
        made.append(ctx.add(instance, origin))
    ctx.instances[name] = made
