"""The one declared order of section renderers, and the stacks they produce."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from troposphere import Template

from .. import naming
from ..errors import Path
from ..model.blueprint import Blueprint
from ..model.resolve import Resolved
from ..sections.distributions.model import CLOUDFRONT_REGION
from ..sections.network import render as network
from ..split import Home
from . import discovery, reach, tags
from .context import Context

#: A renderer: reads the handles of those before it, adds its resources, publishes its own.
Step = Callable[[Context], None]


@dataclass(frozen=True)
class Renderer:
    """A step of rendering and the sections whose entries it renders: its module (and so
    the troposphere modules it uses) is imported only for a blueprint with an entry in one
    of them, since without one it would render nothing. No sections: it runs for every
    blueprint."""

    sections: tuple[str, ...]
    load: Callable[[], Step]

    def needed(self, bp: Blueprint) -> bool:
        return not self.sections or any(getattr(bp, s) for s in self.sections)


def _always(step: Step) -> Renderer:
    return Renderer((), lambda: step)


# One function per renderer imported on first use (validate and build import only those
# of the sections the blueprint has; see tests/test_validate_imports.py).
def _zones() -> Step:
    from ..sections.zones import render

    return render.render


def _certificates() -> Step:
    from ..sections.certificates import render

    return render.render


def _buckets() -> Step:
    from ..sections.buckets import render

    return render.render


def _tables() -> Step:
    from ..sections.tables import render

    return render.render


def _queues() -> Step:
    from ..sections.queues import render

    return render.render


def _queue_subscriptions() -> Step:
    from ..sections.queues import render

    return render.render_subscriptions


def _databases() -> Step:
    from ..sections.databases import render

    return render.render


def _caches() -> Step:
    from ..sections.caches import render

    return render.render


def _file_systems() -> Step:
    from ..sections.file_systems import render

    return render.render


def _websocket_apis() -> Step:
    from ..sections.websocket_apis import render

    return render.render_apis


def _websocket_routes() -> Step:
    from ..sections.websocket_apis import render

    return render.render_routes


def _functions() -> Step:
    from ..sections.functions import render

    return render.render


def _instances() -> Step:
    from ..sections.instances import render

    return render.render


def _load_balancers() -> Step:
    from ..sections.load_balancers import render

    return render.render


def _ec2_capacity() -> Step:
    from ..sections.ec2_capacity import render

    return render.render


def _services() -> Step:
    from ..sections.services import render

    return render.render


def _public_dns() -> Step:
    from ..sections.services import public_dns

    return public_dns.render


def _schedules() -> Step:
    from ..sections.schedules import render

    return render.render


def _jobs() -> Step:
    from ..sections.jobs import render

    return render.render


def _distributions() -> Step:
    from ..sections.distributions import render

    return render.render


#: Each renderer reads the handles of those before it. This list is the whole order of
#: rendering; the rules of the sections run in the same order of sections
#: (:data:`generator.model.resolve.RULES`; tests/test_architecture.py checks it).
RENDERERS: tuple[Renderer, ...] = (
    _always(network.render),
    _always(discovery.render),
    Renderer(("zones",), _zones),
    Renderer(("certificates",), _certificates),
    Renderer(("buckets",), _buckets),
    Renderer(("tables",), _tables),
    Renderer(("queues",), _queues),
    Renderer(("databases",), _databases),
    Renderer(("caches",), _caches),
    Renderer(("file_systems",), _file_systems),
    Renderer(("websocket_apis",), _websocket_apis),
    Renderer(("functions",), _functions),
    # a function's subscription to its queue: both sections have an entry then
    Renderer(("queues",), _queue_subscriptions),
    Renderer(("websocket_apis",), _websocket_routes),
    Renderer(("instances",), _instances),
    Renderer(("load_balancers",), _load_balancers),
    # the cluster, which services and jobs run in as well as the EC2 capacity
    Renderer(("services", "ec2_capacity", "jobs"), _ec2_capacity),
    Renderer(("services",), _services),
    Renderer(("services",), _public_dns),
    Renderer(("schedules",), _schedules),
    Renderer(("jobs",), _jobs),
    Renderer(("distributions",), _distributions),
    _always(reach.render),
)


@dataclass(frozen=True)
class OutputSource:
    """A parameter whose value is another stack's output, read by deploy.sh."""

    stack: str
    region: str
    output: str


@dataclass(frozen=True)
class Stack:
    """One CloudFormation stack to deploy: where, and from which template."""

    name: str
    region: str
    template: Template
    #: logical ID -> blueprint path that produced it
    origins: dict[str, Path]
    #: parameter -> the earlier stack output deploy.sh passes to it
    parameter_sources: Mapping[str, OutputSource] = field(default_factory=dict)
    #: output name -> blueprint path that produced it
    output_origins: dict[str, Path] = field(default_factory=dict)
    #: where each entry's resources go when this template is split (None: kept whole)
    placement: Callable[[Path], Home | None] | None = None
    #: shared by every blueprint in the account and region (the same template from each):
    #: deployed without the blueprint's tags
    shared: bool = False


def _template(description: str) -> Template:
    template = Template(Description=description)
    template.set_version("2010-09-09")
    return template


def render(
    bp: Blueprint,
    resolved: Resolved,
    includes: Mapping[str, str],
    last_zones: Mapping[str, str] | None = None,
) -> list[Stack]:
    """Render the blueprint into its stacks, in deploy order. ``last_zones``: the stack
    that held each hosted zone (by logical ID) in the last build (:func:`placement`)."""
    stacks = []
    if bp.websocket_apis:
        from ..sections.websocket_apis import render as websocket_apis

        if websocket_apis.needs_account(bp):
            stacks.append(_account(bp, resolved))
    sources: dict[str, OutputSource] = {}
    if resolved.us_east_1_certificates:
        # only a blueprint with distributions has these (and then zones and certificates)
        from ..sections.certificates import render as certificates
        from ..sections.zones import render as zones

        name = f"{bp.name}-{CLOUDFRONT_REGION}"
        ctx = Context(
            bp=bp,
            resolved=resolved,
            template=_template(
                f"{bp.name}: certificates CloudFront uses, which must live in {CLOUDFRONT_REGION}; "
                "generated by blueprint, do not edit"
            ),
        )
        zones.render_existing(ctx)
        certificates.render_us_east_1(ctx)
        tags.apply(ctx.template, bp.tags)
        stacks.append(Stack(name, CLOUDFRONT_REGION, ctx.template, ctx.origins))
        for cert in sorted(resolved.us_east_1_certificates):
            key = naming.certificate_parameter(cert)
            sources[key] = OutputSource(name, CLOUDFRONT_REGION, key)
    template = _template(
        f"{bp.name}: generated by blueprint from the blueprint file; do not edit, edit the "
        "blueprint and rebuild"
    )
    ctx = Context(bp=bp, resolved=resolved, template=template, includes=dict(includes))
    for renderer in RENDERERS:
        if renderer.needed(bp):
            renderer.load()(ctx)
    ctx.reference_outputs()
    tags.apply(template, bp.tags)
    stacks.append(
        Stack(
            bp.name,
            bp.region,
            template,
            ctx.origins,
            sources,
            ctx.output_origins,
            placement(bp, resolved, last_zones or {}),
        )
    )
    return stacks


def _account(bp: Blueprint, resolved: Resolved) -> Stack:
    """The account-level stack: settings one per account and region, the same template
    from every blueprint (no blueprint name, no blueprint tags), deployed first."""
    ctx = Context(
        bp=bp,
        resolved=resolved,
        template=_template(
            "Account-wide settings of this region, shared by every blueprint deployed here "
            "(API Gateway's CloudWatch Logs role); generated by blueprint, do not edit"
        ),
    )
    from ..sections.websocket_apis import render as websocket_apis

    websocket_apis.render_account(ctx)
    return Stack(naming.ACCOUNT_STACK, bp.region, ctx.template, ctx.origins, shared=True)


def placement(
    bp: Blueprint, resolved: Resolved, last_zones: Mapping[str, str] | None = None
) -> Callable[[Path], Home | None]:
    """The stack of a blueprint entry, from that entry alone: a service and the routes
    that reach it through a listener rule go to the service's own stack; a created hosted
    zone to the zones stack, deployed before the main stack (:func:`_zone_home`);
    everything else (including a listener's default route, which the listener itself
    names, and the security group of a service reached by name with the rules of its
    ``allow_from``) stays in the main stack. See :mod:`generator.split`."""
    zone_home = _zone_home(bp, last_zones or {})
    homes = {
        name: Home(
            naming.service_stack(bp.name, name),
            f"{bp.name}: service {name} and the routes to it; generated by blueprint from "
            "the blueprint file; do not edit, edit the blueprint and rebuild",
        )
        for name in bp.services
    }

    def home(origin: Path) -> Home | None:
        if len(origin) >= 3 and origin[0] == "services" and origin[2] == "allow_from":
            # the group of a service reached by name, and its callers' rules: in the main
            # stack, a rule joining the stack of the caller whose group it names
            return None
        if len(origin) >= 2 and origin[0] == "zones":
            return zone_home(str(origin[1]))
        if len(origin) >= 2 and origin[0] == "services" and origin[1] in homes:
            return homes[str(origin[1])]
        if len(origin) >= 4 and origin[0] == "load_balancers" and origin[2] == "routes":
            lb, index = str(origin[1]), origin[3]
            assert isinstance(index, int)
            route = bp.load_balancers[lb].routes[index]
            key = route.name or route.service or route.instances or ""
            target = resolved.routes.get((lb, key))
            if route.service is not None and target is not None and target.priority is not None:
                return homes.get(route.service)
        return None

    return home


def _zone_home(bp: Blueprint, last_zones: Mapping[str, str]) -> Callable[[str], Home | None]:
    """The stack of a created zone: the zones stack, deployed first, so that deploy.sh can
    stop after it until the domain is delegated to the zone's name servers (the main
    stack's certificates wait on that delegation). A zone the last build held in the main
    stack (``last_zones``: logical ID -> stack) stays there: it is deployed and delegated
    already, and moving it would replace it, with new name servers."""
    home = Home(
        naming.zones_stack(bp.name),
        f"{bp.name}: the hosted zones it creates, deployed first so that their name servers "
        "can be set at the registrar; generated by blueprint from the blueprint file; do "
        "not edit, edit the blueprint and rebuild",
        first=True,
    )

    def zone(name: str) -> Home | None:
        logical_id = naming.zone(name)
        if last_zones.get(bp.logical_ids.get(logical_id, logical_id)) == bp.name:
            return None
        return home

    return zone
