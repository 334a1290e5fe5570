"""Application load balancers: security group, listeners, target groups, rules, aliases;
or, for an existing listener, its routes' target groups and rules only."""

from __future__ import annotations

from typing import Any

from troposphere import AWSObject, GetAtt, Output, Ref, Sub
from troposphere import elasticloadbalancingv2 as elb

from ... import naming
from ...errors import Path
from ...model.aws_ids import load_balancer_full_name
from ...render import access_logs, records, scanner, security
from ...render.context import (
    Context,
    ExistingGroupHandle,
    LoadBalancerHandle,
    SecurityGroupHandle,
)
from . import urls
from .model import LoadBalancer, RouteTarget, ToInstances


def render(ctx: Context) -> None:
    for name in sorted(ctx.bp.load_balancers):
        lb = ctx.bp.load_balancers[name]
        if lb.existing is not None:
            _existing(ctx, name, lb)
        else:
            _load_balancer(ctx, name, lb)


def _existing(ctx: Context, name: str, lb: LoadBalancer) -> None:
    """Routes on a listener outside the blueprint: a target group and a listener rule per
    route (every one has a priority and hosts or paths: the checks), and the services
    routed to admit the load balancer's group; nothing is made for the load balancer."""
    assert lb.existing is not None
    group = lb.existing.security_group
    ctx.load_balancers[name] = LoadBalancerHandle(
        None,
        ExistingGroupHandle(group, naming.existing_group(group)),
        load_balancer_full_name(lb.existing.listener_arn),
    )
    targets = [t for (lb_name, _), t in ctx.resolved.routes.items() if lb_name == name]
    for target in targets:
        _target_group(ctx, target)
        _rule(ctx, lb.existing.listener_arn, target)
    if lb.certificate is not None:
        ctx.add(
            elb.ListenerCertificate(
                naming.listener_certificate(name),
                ListenerArn=lb.existing.listener_arn,
                Certificates=[elb.Certificate(CertificateArn=ctx.certificate_arns[lb.certificate])],
            ),
            ("load_balancers", name, "certificate"),
        )


def _load_balancer(ctx: Context, name: str, lb: LoadBalancer) -> None:
    origin = ("load_balancers", name)
    group = security.security_group(
        ctx,
        naming.load_balancer_security_group(name),
        f"Load balancer {name} of {ctx.bp.name}",
        origin,
        egress_anywhere=False,
    )
    _client_ingress(ctx, lb, group, (*origin, "allowed_cidrs"))
    tier = "public" if lb.scheme == "internet-facing" else "private"
    resource = ctx.add(
        elb.LoadBalancer(
            naming.load_balancer(name),
            Type="application",
            Scheme=lb.scheme,
            Subnets=list(ctx.network.subnet_ids[tier]),
            SecurityGroups=[GetAtt(group.group, "GroupId")],
            LoadBalancerAttributes=_attributes(ctx, name, lb),
        ),
        origin,
    )
    if lb.access_logs:
        resource.DependsOn = [access_logs.for_load_balancer(ctx).policy.title]
    else:
        scanner.skip(resource, "load-balancer-logs-off")
    full_name = GetAtt(resource, "LoadBalancerFullName")
    ctx.load_balancers[name] = LoadBalancerHandle(resource, group, full_name)
    targets = _routing(ctx, name, lb)
    for domain in sorted(lb.aliases):
        records.alias_record(
            ctx,
            name,
            domain,
            GetAtt(resource, "DNSName"),
            GetAtt(resource, "CanonicalHostedZoneID"),
            (*origin, "aliases"),
        )
    ctx.output(
        Output(
            naming.output(name, "load-balancer", "dns-name"),
            Description=f"DNS name of load balancer {name}",
            Value=GetAtt(resource, "DNSName"),
        ),
        origin,
    )
    at = urls.base(lb, ctx.bp.certificates)
    values = {"dns_name": GetAtt(resource, "DNSName")}
    if at is not None:
        values["url"] = _url(ctx, name, at.scheme, at.host, "")
    ctx.publish("load_balancers", name, values, absent=() if at is not None else ("url",))
    _urls(ctx, name, targets, at)


def _url(ctx: Context, name: str, scheme: str, host: str | None, path: str) -> Any:
    """``scheme://host/path``; at the load balancer's DNS name when ``host`` is None."""
    if host is not None:
        return f"{scheme}://{host}{path}"
    resource = ctx.load_balancers[name].resource  # made: an existing one has no URL
    return Sub(f"{scheme}://${{Host}}{path}", Host=GetAtt(resource, "DNSName"))


def _routing(ctx: Context, name: str, lb: LoadBalancer) -> list[RouteTarget]:
    """The target group of each route, the listeners, and a rule per non-default route;
    returns the routes' targets."""
    targets = [t for (lb_name, _), t in ctx.resolved.routes.items() if lb_name == name]
    for target in targets:
        _target_group(ctx, target)
    main = _listeners(ctx, name, lb, targets)
    for target in targets:
        if target.priority is not None:
            _rule(ctx, Ref(main), target)
    return targets


def _client_ingress(
    ctx: Context, lb: LoadBalancer, group: SecurityGroupHandle, origin: Path
) -> None:
    """Clients in the allowed CIDRs may reach every listener port; an open port 80 that
    only redirects to HTTPS is told to the scanner as such."""
    ports = ([443] if lb.https else []) + ([80] if lb.http != "off" else [])
    for cidr in sorted(lb.allowed_cidrs):
        for port in ports:
            rule = security.allow_cidr(ctx, group, cidr, port, f"Clients on {port}", origin)
            if port == 80 and lb.http == "redirect" and cidr == "0.0.0.0/0":
                scanner.skip(rule, "redirect-listener")


def _attributes(ctx: Context, name: str, lb: LoadBalancer) -> list[elb.LoadBalancerAttributes]:
    """Invalid header fields dropped, HTTP/2 on, and the entry's timeout, protection and logs."""
    return [
        elb.LoadBalancerAttributes(
            Key="idle_timeout.timeout_seconds", Value=str(lb.idle_timeout_seconds)
        ),
        elb.LoadBalancerAttributes(
            Key="routing.http.drop_invalid_header_fields.enabled", Value="true"
        ),
        elb.LoadBalancerAttributes(Key="routing.http2.enabled", Value="true"),
        elb.LoadBalancerAttributes(
            Key="deletion_protection.enabled", Value=str(lb.deletion_protection).lower()
        ),
        *_access_logs(ctx, name, lb),
    ]


def _access_logs(ctx: Context, name: str, lb: LoadBalancer) -> list[elb.LoadBalancerAttributes]:
    if not lb.access_logs:
        return [elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="false")]
    archive = access_logs.for_load_balancer(ctx)
    return [
        elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
        elb.LoadBalancerAttributes(Key="access_logs.s3.bucket", Value=Ref(archive.bucket)),
        elb.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value=f"load-balancers/{name}"),
    ]


def _target_group(ctx: Context, target: RouteTarget) -> None:
    check = target.route.health_check
    group = ctx.add(
        elb.TargetGroup(
            naming.target_group(target.lb, target.key),
            TargetType=target.target_type,
            Protocol="HTTP",
            Port=target.port,
            VpcId=ctx.network.vpc_id,
            HealthCheckEnabled=True,
            HealthCheckProtocol="HTTP",
            HealthCheckPort="traffic-port",
            HealthCheckPath=check.path,
            HealthCheckIntervalSeconds=check.interval_seconds,
            HealthCheckTimeoutSeconds=check.timeout_seconds,
            HealthyThresholdCount=check.healthy_threshold,
            UnhealthyThresholdCount=check.unhealthy_threshold,
            Matcher=elb.Matcher(HttpCode=check.matcher),
            TargetGroupAttributes=[
                elb.TargetGroupAttribute(
                    Key="deregistration_delay.timeout_seconds",
                    Value=str(target.route.deregistration_delay_seconds),
                )
            ],
        ),
        _route_origin(ctx, target),
    )
    ctx.load_balancers[target.lb].target_groups[target.key] = group
    if isinstance(target.to, ToInstances):
        name = target.to.group
        group.Targets = [
            elb.TargetDescription(Id=Ref(i), Port=target.port) for i in ctx.instances[name]
        ]
        lb_group = ctx.load_balancers[target.lb].security_group
        instances_group = ctx.groups[("instances", name)]
        security.allow(
            ctx,
            lb_group,
            instances_group,
            target.port,
            f"Load balancer {security.source_label(target.lb, lb_group)} to {name}",
            _route_origin(ctx, target),
        )


def _route_origin(ctx: Context, target: RouteTarget) -> tuple[str | int, ...]:
    routes = ctx.bp.load_balancers[target.lb].routes
    return ("load_balancers", target.lb, "routes", routes.index(target.route))


def _default_action(ctx: Context, targets: list[RouteTarget]) -> elb.Action:
    for target in targets:
        if target.priority is None:
            return elb.Action(
                Type="forward",
                TargetGroupArn=Ref(_group_of(ctx, target)),
            )
    return elb.Action(
        Type="fixed-response",
        FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not found"
        ),
    )


def _listeners(
    ctx: Context, name: str, lb: LoadBalancer, targets: list[RouteTarget]
) -> elb.Listener:
    """Create the listeners; return the one that carries the routing rules."""
    origin = ("load_balancers", name)
    resource = ctx.load_balancers[name].resource
    assert resource is not None  # a load balancer blueprint makes
    main = None
    if lb.https:
        assert lb.certificate is not None
        main = ctx.add(
            elb.Listener(
                naming.listener(name, "https"),
                LoadBalancerArn=Ref(resource),
                Port=443,
                Protocol="HTTPS",
                SslPolicy=lb.tls_policy,
                Certificates=[elb.Certificate(CertificateArn=ctx.certificate_arns[lb.certificate])],
                DefaultActions=[_default_action(ctx, targets)],
            ),
            (*origin, "certificate"),
        )
    if lb.http == "redirect":
        action = elb.Action(
            Type="redirect",
            RedirectConfig=elb.RedirectConfig(Protocol="HTTPS", Port="443", StatusCode="HTTP_301"),
        )
    else:
        action = _default_action(ctx, targets)
    if lb.http != "off":
        http = ctx.add(
            elb.Listener(
                naming.listener(name, "http"),
                LoadBalancerArn=Ref(resource),
                Port=80,
                Protocol="HTTP",
                DefaultActions=[action],
            ),
            (*origin, "http"),
        )
        if not lb.https:
            scanner.skip(http, "https-off", "https-off-tls")
        main = main or http
    assert main is not None
    for target in targets:
        if target.priority is None:
            ctx.load_balancers[target.lb].attachments[target.key] = [main]
    return main


def _rule(ctx: Context, listener_arn: Any, target: RouteTarget) -> None:
    route = target.route
    conditions = []
    if route.hosts:
        conditions.append(
            elb.Condition(
                Field="host-header",
                HostHeaderConfig=elb.HostHeaderConfig(Values=sorted(route.hosts)),
            )
        )
    if route.paths:
        conditions.append(
            elb.Condition(
                Field="path-pattern",
                PathPatternConfig=elb.PathPatternConfig(Values=sorted(route.paths)),
            )
        )
    rule = ctx.add(
        elb.ListenerRule(
            naming.listener_rule(target.lb, target.key),
            ListenerArn=listener_arn,
            Priority=target.priority,
            Conditions=conditions,
            Actions=[
                elb.ListenerRuleAction(
                    Type="forward",
                    TargetGroupArn=Ref(_group_of(ctx, target)),
                )
            ],
        ),
        _route_origin(ctx, target),
    )
    ctx.load_balancers[target.lb].attachments[target.key] = [rule]


def _urls(ctx: Context, name: str, targets: list[RouteTarget], at: urls.Base | None) -> None:
    """An output per route with the URL it answers at; none for a route that has no name
    an HTTPS client could use, or whose hosts its certificate does not cover
    (:func:`urls.route_url`)."""
    for target in targets:
        names = urls.certificate_names(ctx.bp.load_balancers[name], ctx.bp.certificates)
        found = urls.route_url(target.route, at, names)
        if found is None:
            continue
        ctx.output(
            Output(
                naming.output(name, target.key, "url"),
                Description=f"URL of {target.key} through load balancer {name}",
                Value=_url(ctx, name, *found),
            ),
            _route_origin(ctx, target),
        )


def _group_of(ctx: Context, target: RouteTarget) -> AWSObject:
    """The target group a route's listener action forwards to."""
    return ctx.load_balancers[target.lb].target_groups[target.key]
