"""The ECS cluster and its capacity: Fargate, Fargate Spot, and EC2 capacity providers
(launch template, Auto Scaling group, managed scaling)."""

from __future__ import annotations

import re
from typing import Any

from troposphere import AWSObject, Base64, GetAtt, Ref, Sub, autoscaling, ec2, ecs
from troposphere import iam as cfn_iam

from ... import naming
from ...model.containers import FARGATE_PROVIDERS
from ...render import grants, iam, scanner
from ...render.context import ClusterHandle, Context
from ...render.hosts import ami_parameter, encrypted_root, host_group, instance_profile
from .model import Ec2Capacity

#: Graviton families carry a 'g' after their generation digit: t4g, m7g, c7gn, r8g.
_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.")


def render(ctx: Context) -> None:
    if not ctx.bp.services and not ctx.bp.ec2_capacity and not ctx.bp.jobs:
        return
    cluster = ctx.add(
        ecs.Cluster(
            naming.CLUSTER,
            ClusterSettings=[ecs.ClusterSetting(Name="containerInsights", Value="enabled")],
        ),
        ("services",),
    )
    ctx.cluster_handle = ClusterHandle(cluster)
    for name in sorted(ctx.bp.ec2_capacity):
        _ec2_capacity(ctx, name, ctx.bp.ec2_capacity[name])
    tasks = [*ctx.bp.services.values(), *ctx.bp.jobs.values()]
    used = {s.provider for task in tasks for s in task.capacity}
    fargate = sorted(used & FARGATE_PROVIDERS)
    providers = [
        *fargate,
        *(Ref(p) for _, p in sorted(ctx.cluster.capacity_providers.items())),
    ]
    if not providers:
        return
    default = fargate[0] if fargate else providers[0]
    ctx.cluster.ready.append(
        ctx.add(
            ecs.ClusterCapacityProviderAssociations(
                naming.CAPACITY_ASSOCIATIONS,
                Cluster=Ref(ctx.cluster.cluster),
                CapacityProviders=providers,
                DefaultCapacityProviderStrategy=[
                    ecs.CapacityProviderStrategy(CapacityProvider=default, Base=0, Weight=1)
                ],
            ),
            ("services",),
        )
    )


def _ec2_capacity(ctx: Context, name: str, spec: Ec2Capacity) -> None:
    origin = ("ec2_capacity", name)
    group = host_group(
        ctx,
        origin,
        naming.capacity_security_group(name),
        f"ECS container instances {name} of {ctx.bp.name}",
        spec.ssh_from,
    )
    profile = instance_profile(
        ctx,
        naming.instance_role(name),
        naming.instance_profile(name),
        _agent_statements(ctx, name),
        origin,
    )
    template = ctx.add(_launch_template(ctx, name, spec, profile, group.group), origin)
    if spec.subnets == "public":
        scanner.skip(template, "public-hosts")
    instances = ctx.add(_auto_scaling_group(ctx, name, spec, template), origin)
    ctx.cluster.capacity_providers[name] = ctx.add(
        ecs.CapacityProvider(
            naming.capacity_provider(name),
            AutoScalingGroupProvider=ecs.AutoScalingGroupProvider(
                AutoScalingGroupArn=Ref(instances),
                ManagedScaling=ecs.ManagedScaling(
                    Status="ENABLED", TargetCapacity=spec.target_capacity_percent
                ),
                ManagedTerminationProtection="DISABLED",
            ),
        ),
        origin,
    )


def _agent_statements(ctx: Context, name: str) -> list[dict[str, Any]]:
    """What the ECS agent on these hosts does, scoped to this cluster: the ECS actions of
    the managed policy AmazonEC2ContainerServiceforEC2Role (v10) on this cluster, its
    container instances and tasks instead of ``Resource: "*"``, without ``ecs:CreateCluster``
    (the cluster exists), ``ecs:TagResource`` and ``ec2:DescribeTags`` (tags at registration
    and the instance's tags propagated, neither configured here); and image pulls from the
    ECR repositories of the services placed here. The agent writes the tasks' logs with
    each task's execution role, which every service has
    (https://repost.aws/knowledge-center/ecs-container-logs-cloudwatch), so the hosts get
    no CloudWatch Logs permission."""
    cluster = ctx.cluster.cluster
    instances, tasks = (
        Sub(
            f"arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:{kind}/${{Cluster}}/*",
            Cluster=Ref(cluster),
        )
        for kind in ("container-instance", "task")
    )
    images = [
        c.image
        for svc in ctx.bp.services.values()
        if svc.ec2_capacity == name
        for c in svc.containers.values()
    ]
    return [
        iam.statement(["ecs:DiscoverPollEndpoint"], ["*"]),
        iam.statement(
            [
                "ecs:DeregisterContainerInstance",
                "ecs:RegisterContainerInstance",
                "ecs:SubmitAttachmentStateChanges",
                "ecs:SubmitContainerStateChange",
                "ecs:SubmitTaskStateChange",
            ],
            [GetAtt(cluster, "Arn")],
        ),
        # By the cluster condition, not by ARN: an account whose container instances still
        # have short ARNs (no cluster name in them) would match no ARN pattern, and its
        # agents could register but never poll (the CDK scopes them the same way).
        {
            "Effect": "Allow",
            "Action": [
                "ecs:Poll",
                "ecs:StartTelemetrySession",
                "ecs:UpdateContainerInstancesState",
            ],
            "Resource": "*",
            "Condition": {"ArnEquals": {"ecs:cluster": GetAtt(cluster, "Arn")}},
        },
        iam.statement(["ecs:ListTagsForResource"], [instances, tasks]),
        *grants.ecr_pull(images),
    ]


def _launch_template(
    ctx: Context,
    name: str,
    spec: Ec2Capacity,
    profile: cfn_iam.InstanceProfile,
    group: AWSObject,
) -> ec2.LaunchTemplate:
    """Container instances: the ECS-optimised AMI for the type's architecture, IMDSv2
    only, an encrypted root volume, and user data that joins them to the cluster."""
    arch = "arm64" if _ARM_FAMILY.match(spec.instance_type) else "x86_64"
    image = ami_parameter(ctx, arch, ecs=True)
    placement: dict[str, Any] = {"SecurityGroupIds": [GetAtt(group, "GroupId")]}
    if spec.subnets == "public":
        # Hosts in public subnets reach ECS only through the internet gateway, which needs
        # a public address; the subnets do not assign one on launch. (The groups then go
        # on the interface: EC2 refuses both.)
        placement = {
            "NetworkInterfaces": [
                ec2.NetworkInterfaces(
                    DeviceIndex=0,
                    AssociatePublicIpAddress=True,
                    Groups=[GetAtt(group, "GroupId")],
                    DeleteOnTermination=True,
                )
            ]
        }
    return ec2.LaunchTemplate(
        naming.launch_template(name),
        LaunchTemplateData=ec2.LaunchTemplateData(
            ImageId=Ref(image),
            InstanceType=spec.instance_type,
            IamInstanceProfile=ec2.IamInstanceProfile(Arn=GetAtt(profile, "Arn")),
            **placement,
            MetadataOptions=ec2.MetadataOptions(
                HttpTokens="required", HttpEndpoint="enabled", HttpPutResponseHopLimit=1
            ),
            BlockDeviceMappings=[
                encrypted_root(
                    spec.root_volume_gb,
                    ec2.LaunchTemplateBlockDeviceMapping,
                    ec2.EBSBlockDevice,
                )
            ],
            Monitoring=ec2.Monitoring(Enabled=True),
            UserData=Base64(
                Sub(
                    "#!/bin/bash\necho ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config\n",
                    Cluster=Ref(ctx.cluster.cluster),
                )
            ),
        ),
    )


def _auto_scaling_group(
    ctx: Context, name: str, spec: Ec2Capacity, template: ec2.LaunchTemplate
) -> autoscaling.AutoScalingGroup:
    """The instances, always on the launch template's latest version."""
    return autoscaling.AutoScalingGroup(
        naming.auto_scaling_group(name),
        MinSize=str(spec.min_size),
        MaxSize=str(spec.max_size),
        VPCZoneIdentifier=list(ctx.network.subnet_ids[spec.subnets]),
        LaunchTemplate=autoscaling.LaunchTemplateSpecification(
            LaunchTemplateId=Ref(template),
            Version=GetAtt(template, "LatestVersionNumber"),
        ),
        Tags=[autoscaling.Tag("Name", f"{ctx.bp.name}-{name}", True)],
    )
