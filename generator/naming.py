"""The one place logical IDs are made.

Logical IDs are an API: CloudFormation replaces a resource whose logical ID changes.
Every ID is derived from blueprint names (never from list positions or file order),
so reordering a blueprint changes nothing and renaming an entry is the only thing
that renames its resources. This module imports no troposphere, so validation can
check for names that would collide using the very function that makes the IDs.
"""

from __future__ import annotations

import hashlib
import re


def stem(name: str) -> str:
    """``web-api`` and ``web_api`` -> ``WebApi``: the part of an ID a name contributes."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name) if part)


def slot(*parts: str, modulo: int) -> int:
    """A stable number in ``range(modulo)`` for a set of names (sha256, not ``hash()``,
    which changes between runs)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulo


# --- network -------------------------------------------------------------------------------
VPC = "Vpc"
INTERNET_GATEWAY = "InternetGateway"
GATEWAY_ATTACHMENT = "InternetGatewayAttachment"
PUBLIC_ROUTE_TABLE = "PublicRouteTable"
PUBLIC_DEFAULT_ROUTE = "PublicDefaultRoute"


def subnet(tier: str, index: int) -> str:
    """Subnets are numbered by availability zone (1-based), which is what they are."""
    return f"{stem(tier)}Subnet{index + 1}"


def subnet_route_table_association(tier: str, index: int) -> str:
    return f"{stem(tier)}Subnet{index + 1}RouteTableAssociation"


def private_route_table(index: int) -> str:
    return f"PrivateRouteTable{index + 1}"


def private_default_route(index: int) -> str:
    return f"PrivateDefaultRoute{index + 1}"


def nat_gateway(index: int) -> str:
    return f"NatGateway{index + 1}"


def nat_eip(index: int) -> str:
    return f"NatGateway{index + 1}Eip"


# --- DNS -----------------------------------------------------------------------------------
def zone(name: str) -> str:
    return f"{stem(name)}Zone"


def certificate(name: str) -> str:
    return f"{stem(name)}Certificate"


def alias_record(owner: str, domain: str) -> str:
    """A record set is named for the domain it serves: ``bot.example.com`` -> ``BotExampleCom``."""
    return f"{stem(owner)}{stem(domain.replace('.', '-').replace('*', 'wildcard'))}Alias"


# --- load balancers ------------------------------------------------------------------------
def load_balancer(name: str) -> str:
    return f"{stem(name)}LoadBalancer"


def load_balancer_security_group(name: str) -> str:
    return f"{stem(name)}LoadBalancerSecurityGroup"


def listener(lb: str, protocol: str) -> str:
    return f"{stem(lb)}{stem(protocol.lower())}Listener"


def target_group(lb: str, route: str) -> str:
    return f"{stem(lb)}{stem(route)}TargetGroup"


def listener_rule(lb: str, route: str) -> str:
    return f"{stem(lb)}{stem(route)}Rule"


# --- security group rules ------------------------------------------------------------------
def ingress(target: str, source: str, port: int) -> str:
    return f"{target}From{source}Port{port}"


def egress(source: str, target: str, port: int) -> str:
    return f"{source}To{target}Port{port}"


# --- compute -------------------------------------------------------------------------------
CLUSTER = "Cluster"


def service(name: str) -> str:
    return f"{stem(name)}Service"


def task_definition(name: str) -> str:
    return f"{stem(name)}TaskDefinition"


def task_role(name: str) -> str:
    return f"{stem(name)}TaskRole"


def execution_role(name: str) -> str:
    return f"{stem(name)}ExecutionRole"


def log_group(name: str) -> str:
    return f"{stem(name)}LogGroup"


def service_security_group(name: str) -> str:
    return f"{stem(name)}ServiceSecurityGroup"


# --- schedules -----------------------------------------------------------------------------
def schedule(name: str) -> str:
    return f"{stem(name)}Schedule"


def scheduler_role(service_name: str) -> str:
    """One role per service that schedules act on, allowed to update that service only."""
    return f"{stem(service_name)}SchedulerRole"


# --- outputs -------------------------------------------------------------------------------
def output(*parts: str) -> str:
    return "".join(stem(p) for p in parts)
