"""Security groups and the one way traffic is allowed between them: "X may reach Y on
port P" becomes an ingress rule on Y and a matching egress rule on X."""

from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Tags, ec2

from .. import naming
from ..errors import InternalError, Path
from .context import Context, ExistingGroupHandle, SecurityGroupHandle

#: A group with this single egress rule sends nothing until rules are added: AWS drops
#: the default allow-all egress when any egress rule is given.
_NO_EGRESS = ec2.SecurityGroupRule(
    CidrIp="255.255.255.255/32",
    Description="No egress unless a rule below allows it",
    IpProtocol="icmp",
    FromPort=252,
    ToPort=86,
)


def security_group(
    ctx: Context, logical_id: str, description: str, origin: Path, *, egress_anywhere: bool
) -> SecurityGroupHandle:
    """A security group in the VPC; with ``egress_anywhere`` it may open any outbound
    connection (tasks pulling images, calling APIs), otherwise none until allowed."""
    egress = (
        ec2.SecurityGroupRule(
            CidrIp="0.0.0.0/0", IpProtocol="-1", Description="Outbound to anywhere"
        )
        if egress_anywhere
        else _NO_EGRESS
    )
    group = ctx.add(
        ec2.SecurityGroup(
            logical_id,
            GroupDescription=description,
            VpcId=ctx.network.vpc_id,
            SecurityGroupEgress=[egress],
            Tags=Tags(Name=f"{ctx.bp.name}-{logical_id}"),
        ),
        origin,
    )
    return SecurityGroupHandle(group, logical_id.removesuffix("SecurityGroup"))


def entry_group(
    ctx: Context,
    entry: tuple[str, str],
    logical_id: str,
    description: str,
    *,
    egress_anywhere: bool,
) -> SecurityGroupHandle:
    """The security group of one blueprint entry (a service, a database, ...), registered
    under ``(section, name)`` so that reach rules can name it."""
    group = security_group(ctx, logical_id, description, entry, egress_anywhere=egress_anywhere)
    ctx.groups[entry] = group
    return group


def allow_cidr(
    ctx: Context, target: SecurityGroupHandle, cidr: str, port: int, description: str, origin: Path
) -> ec2.SecurityGroupIngress:
    """Admit a CIDR block to ``target`` on a TCP port."""
    source = naming.cidr(cidr)
    return ctx.add(
        ec2.SecurityGroupIngress(
            naming.ingress(target.stem, source, port),
            GroupId=GetAtt(target.group, "GroupId"),
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            CidrIp=cidr,
            Description=description,
        ),
        origin,
    )


def allow_prefix_list(
    ctx: Context,
    target: SecurityGroupHandle,
    prefix_list_id: object,
    source: str,
    port: int,
    description: str,
    origin: Path,
) -> ec2.SecurityGroupIngress:
    """Admit the addresses of a managed prefix list (``source`` names the rule) to
    ``target`` on a TCP port. The list counts as its maximum entries in the group's rule
    quota (:data:`generator.stack_checks.PREFIX_LIST_WEIGHT`)."""
    return ctx.add(
        ec2.SecurityGroupIngress(
            naming.ingress(target.stem, source, port),
            GroupId=GetAtt(target.group, "GroupId"),
            IpProtocol="tcp",
            FromPort=port,
            ToPort=port,
            SourcePrefixListId=prefix_list_id,
            Description=description,
        ),
        origin,
    )


def allow(
    ctx: Context,
    source: SecurityGroupHandle | ExistingGroupHandle,
    target: SecurityGroupHandle,
    port: int,
    description: str,
    origin: Path,
    *,
    to_port: int | None = None,
) -> None:
    """Let members of ``source`` reach members of ``target`` on a TCP port (or the range
    ``port``-``to_port``): an ingress rule on the target and the matching egress rule on
    the source, as resources of their own so neither group depends on the other. Asking
    twice is harmless: entries that share a group (services on one EC2 capacity, two
    routes to one port, entries on one existing listener, whose group's stem is its ID)
    ask for the same rule."""
    high = to_port or port
    group_id = GetAtt(target.group, "GroupId")
    # A group outside the blueprint (an existing load balancer's) gets no egress rule: it
    # is its owner's.
    outside = isinstance(source, ExistingGroupHandle)
    if isinstance(source, ExistingGroupHandle):
        source_id: object = source.group_id
    else:
        source_id = GetAtt(source.group, "GroupId")
    rule = ec2.SecurityGroupIngress(
        naming.ingress(target.stem, source.stem, port, high),
        GroupId=group_id,
        IpProtocol="tcp",
        FromPort=port,
        ToPort=high,
        SourceSecurityGroupId=source_id,
        Description=description,
    )
    if _made(ctx, rule):
        return
    ctx.add(rule, origin)
    if outside:
        return
    ctx.add(
        ec2.SecurityGroupEgress(
            naming.egress(source.stem, target.stem, port, high),
            GroupId=source_id,
            IpProtocol="tcp",
            FromPort=port,
            ToPort=high,
            DestinationSecurityGroupId=group_id,
            Description=description,
        ),
        origin,
    )


def _made(ctx: Context, rule: ec2.SecurityGroupIngress) -> bool:
    """Whether ``rule`` was made already (its description aside: the entries that share it
    name themselves there). An ID made already for another rule would drop this one
    silently: a naming bug, raised."""
    made = ctx.template.resources.get(rule.title)
    if made is None:
        return False
    if _rule(made) != _rule(rule):
        raise InternalError(f"two different security group rules are both named {rule.title}")
    return True


def _rule(rule: Any) -> dict[str, Any]:
    props: dict[str, Any] = rule.to_dict().get("Properties", {})
    return {k: v for k, v in props.items() if k != "Description"}


def source_label(name: str, source: SecurityGroupHandle | ExistingGroupHandle) -> str:
    """How a rule's description names its source: the entry ``name``, or a group outside
    the blueprint by its ID, which every entry naming it shares (so the rule reads the same
    whichever of them holds it)."""
    return source.group_id if isinstance(source, ExistingGroupHandle) else name
