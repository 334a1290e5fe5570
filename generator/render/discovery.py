"""The private DNS namespace in which services with ``allow_from`` are found by name, and
the address each one publishes for ``{ref: services.NAME.url}``.

Cloud Map DNS, not ECS Service Connect (README.md, *Services reached by name*): the
namespace is a private hosted zone of the VPC, so every client in it resolves the names
(services, jobs run by Scheduler or deploy.sh, instances), with no proxy in the tasks. One
per blueprint, in the main stack, made only when some service has ``allow_from``."""

from __future__ import annotations

from troposphere import Tags, servicediscovery

from .. import naming
from ..sections.services.model import namespace_name, service_url
from .context import Context


def render(ctx: Context) -> None:
    named = sorted(n for n, svc in ctx.bp.services.items() if svc.allow_from)
    if not named:
        return
    name = namespace_name(ctx.bp.name)
    ctx.namespace = ctx.add(
        servicediscovery.PrivateDnsNamespace(
            naming.SERVICE_NAMESPACE,
            Name=name,
            Vpc=ctx.network.vpc_id,
            Description=f"Services of {ctx.bp.name} reached by name from the callers they admit",
            Tags=Tags(Name=name),
        ),
        ("services",),
    )
    for service in named:
        url = service_url(ctx.bp.name, service, ctx.bp.services[service])
        ctx.publish("services", service, {"url": url})
