"""The network section: VPC, subnets per zone, internet gateway, NAT, route tables, and
gateway endpoints to S3 (and DynamoDB) from the private subnets; nothing at all when
nothing sits in the VPC (:mod:`.needs`), and nothing but the handle of the IDs given for
an existing network."""

from __future__ import annotations

from troposphere import GetAtt, GetAZs, Ref, Select, Sub, Tags, ec2

from ... import naming
from ...render import access_logs
from ...render.context import Context, NetworkHandle
from . import needs

_ORIGIN = ("network",)


def render(ctx: Context) -> None:
    if not needs.needs_vpc(ctx.bp):
        return
    net = ctx.bp.network
    if net.existing is not None:
        # Security-group rules name groups, never the VPC's block, so nothing needs the
        # existing VPC's CIDR or zones: the IDs are all the templates take.
        subnets = {"public": list(net.existing.public_subnets)}
        subnets["private"] = list(net.existing.private_subnets)
        ctx.network_handle = NetworkHandle(net.existing.vpc_id, subnets)
        return
    vpc = ctx.add(
        ec2.VPC(
            naming.VPC,
            CidrBlock=net.cidr,
            EnableDnsHostnames=True,
            EnableDnsSupport=True,
            Tags=Tags(Name=ctx.bp.name),
        ),
        _ORIGIN,
    )
    if net.flow_logs:
        _flow_log(ctx, vpc)
    else:
        vpc.Metadata = {"blueprint": {"flow_logs": "off: network.flow_logs is false"}}
    attachment, public_table = _internet_gateway(ctx, vpc)
    public = _subnets(ctx, vpc, "public", ctx.resolved.public_subnets)
    private = _subnets(ctx, vpc, "private", ctx.resolved.private_subnets)
    ctx.network_handle = NetworkHandle(
        Ref(vpc), {"public": [Ref(s) for s in public], "private": [Ref(s) for s in private]}
    )
    for i, subnet in enumerate(public):
        _associate(ctx, "public", i, subnet, public_table)
    nats = _nat_gateways(ctx, public, attachment.title)
    tables = [_private_routes(ctx, vpc, i, subnet, nats) for i, subnet in enumerate(private)]
    _gateway_endpoints(ctx, vpc, tables)


def _flow_log(ctx: Context, vpc: ec2.VPC) -> None:
    archive = access_logs.for_flow_logs(ctx)
    ctx.add(
        ec2.FlowLog(
            naming.FLOW_LOG,
            ResourceId=Ref(vpc),
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination=Sub("${Arn}/vpc-flow-logs", Arn=GetAtt(archive.bucket, "Arn")),
            MaxAggregationInterval=600,
            DependsOn=[archive.policy.title],
        ),
        (*_ORIGIN, "flow_logs"),
    )


def _internet_gateway(
    ctx: Context, vpc: ec2.VPC
) -> tuple[ec2.VPCGatewayAttachment, ec2.RouteTable]:
    """The internet gateway, and the public route table whose default route goes to it."""
    igw = ctx.add(
        ec2.InternetGateway(naming.INTERNET_GATEWAY, Tags=Tags(Name=ctx.bp.name)), _ORIGIN
    )
    attachment = ctx.add(
        ec2.VPCGatewayAttachment(
            naming.GATEWAY_ATTACHMENT, VpcId=Ref(vpc), InternetGatewayId=Ref(igw)
        ),
        _ORIGIN,
    )
    public_table = ctx.add(
        ec2.RouteTable(
            naming.PUBLIC_ROUTE_TABLE, VpcId=Ref(vpc), Tags=Tags(Name=f"{ctx.bp.name}-public")
        ),
        _ORIGIN,
    )
    ctx.add(
        ec2.Route(
            naming.PUBLIC_DEFAULT_ROUTE,
            RouteTableId=Ref(public_table),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(igw),
            DependsOn=[attachment.title],
        ),
        _ORIGIN,
    )
    return attachment, public_table


def _private_routes(
    ctx: Context, vpc: ec2.VPC, i: int, subnet: ec2.Subnet, nats: list[ec2.NatGateway]
) -> ec2.RouteTable:
    """Private subnet ``i``'s route table: out through its zone's NAT gateway (or the one
    NAT gateway), or nowhere without NAT."""
    table = ctx.add(
        ec2.RouteTable(
            naming.private_route_table(i),
            VpcId=Ref(vpc),
            Tags=Tags(Name=f"{ctx.bp.name}-private-{i + 1}"),
        ),
        _ORIGIN,
    )
    _associate(ctx, "private", i, subnet, table)
    if nats:
        nat = nats[i] if len(nats) > 1 else nats[0]
        ctx.add(
            ec2.Route(
                naming.private_default_route(i),
                RouteTableId=Ref(table),
                DestinationCidrBlock="0.0.0.0/0",
                NatGatewayId=Ref(nat),
            ),
            _ORIGIN,
        )
    return table


def _gateway_endpoints(ctx: Context, vpc: ec2.VPC, tables: list[ec2.RouteTable]) -> None:
    """Gateway endpoints on the private route tables: traffic from the private subnets to
    S3 (ECR's image layers, buckets, Amazon Linux's package repositories) and, when the
    blueprint has tables, to DynamoDB goes to the service without a NAT gateway, and so
    without its charge per GB (or at all, without NAT). Gateway endpoints cost nothing
    (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html); ECR
    serves image layers from S3 (https://docs.aws.amazon.com/AmazonECR/latest/userguide/
    vpc-endpoints.html). Interface endpoints are not made: README, "The network"."""
    services = ["s3", "dynamodb"] if ctx.bp.tables else ["s3"]
    for service in services:
        ctx.add(
            ec2.VPCEndpoint(
                naming.gateway_endpoint(service),
                VpcId=Ref(vpc),
                ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
                VpcEndpointType="Gateway",
                RouteTableIds=[Ref(t) for t in tables],
            ),
            _ORIGIN,
        )


def _subnets(ctx: Context, vpc: ec2.VPC, tier: str, blocks: tuple[str, ...]) -> list[ec2.Subnet]:
    return [
        ctx.add(
            ec2.Subnet(
                naming.subnet(tier, i),
                VpcId=Ref(vpc),
                CidrBlock=cidr,
                AvailabilityZone=Select(i, GetAZs("")),
                MapPublicIpOnLaunch=False,
                Tags=Tags(Name=f"{ctx.bp.name}-{tier}-{i + 1}"),
            ),
            ("network", f"{tier}_subnets"),
        )
        for i, cidr in enumerate(blocks)
    ]


def _associate(
    ctx: Context, tier: str, index: int, subnet: ec2.Subnet, table: ec2.RouteTable
) -> None:
    ctx.add(
        ec2.SubnetRouteTableAssociation(
            naming.subnet_route_table_association(tier, index),
            SubnetId=Ref(subnet),
            RouteTableId=Ref(table),
        ),
        _ORIGIN,
    )


def _nat_gateways(ctx: Context, public: list[ec2.Subnet], attachment: str) -> list[ec2.NatGateway]:
    mode = needs.nat(ctx.bp)
    count = {"none": 0, "single": 1, "per_az": len(public)}[mode]
    nats = []
    for i in range(count):
        eip = ctx.add(
            ec2.EIP(
                naming.nat_eip(i),
                Domain="vpc",
                DependsOn=[attachment],
                Tags=Tags(Name=f"{ctx.bp.name}-nat-{i + 1}"),
            ),
            ("network", "nat"),
        )
        nats.append(
            ctx.add(
                ec2.NatGateway(
                    naming.nat_gateway(i),
                    AllocationId=GetAtt(eip, "AllocationId"),
                    SubnetId=Ref(public[i]),
                    Tags=Tags(Name=f"{ctx.bp.name}-nat-{i + 1}"),
                ),
                ("network", "nat"),
            )
        )
    return nats
