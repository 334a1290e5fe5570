"""API Gateway WebSocket APIs: routes with AWS_PROXY integrations to functions, a stage
with throttling and access logs, a deployment that follows the routes, and an optional
custom domain (regional, TLS 1.2). The account-wide CloudWatch Logs role that execution
logging needs goes to a stack of its own, shared by every blueprint (:func:`render_account`)."""

from __future__ import annotations

import hashlib

from troposphere import (
    AWSObject,
    GetAtt,
    Join,
    Output,
    Ref,
    Sub,
    apigateway,
    apigatewayv2,
    awslambda,
)

from ... import naming
from ...model.blueprint import Blueprint
from ...render import iam, logs, records
from ...render.context import ApiHandle, Context
from ...render.stateful import RETAIN, protect
from .model import IDENTITY_PREFIXES, Authorizer, WebSocketApi

PUSH_TO_LOGS = (
    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
)


def render_apis(ctx: Context) -> None:
    """The APIs themselves, first: functions' permissions and environment name them."""
    for name in sorted(ctx.bp.websocket_apis):
        spec = ctx.bp.websocket_apis[name]
        api = ctx.add(
            apigatewayv2.Api(
                naming.api(name),
                Name=f"{ctx.bp.name}-{name}",
                ProtocolType="WEBSOCKET",
                RouteSelectionExpression=spec.route_selection,
            ),
            ("websocket_apis", name),
        )
        stage = spec.stage.name
        ctx.apis[name] = ApiHandle(api, stage)
        host = "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
        ctx.publish(
            "websocket_apis",
            name,
            {
                "url": Sub(f"wss://{host}/{stage}", Api=Ref(api)),
                "management_endpoint": Sub(f"https://{host}/{stage}", Api=Ref(api)),
            },
        )


def render_routes(ctx: Context) -> None:
    """Routes, stage, deployment and domain, once the functions exist."""
    for name in sorted(ctx.bp.websocket_apis):
        _routes(ctx, name, ctx.bp.websocket_apis[name])


def _routes(ctx: Context, name: str, spec: WebSocketApi) -> None:
    origin = ("websocket_apis", name)
    api = ctx.apis[name].api
    authorizer = _authorizer(ctx, name, spec.authorizer) if spec.authorizer else None
    routes = [
        _route(
            ctx,
            name,
            key,
            ctx.functions[spec.routes[key]],
            authorizer if key == "$connect" else None,
        )
        for key in sorted(spec.routes)
    ]
    # The stage serves a deployment's snapshot of the routes and the authorizer: a change to
    # either needs a new deployment. Without an authorizer the digest is the one it was
    # before authorizers existed, so those APIs keep their deployment.
    deployed = repr(sorted(spec.routes.items()))
    if spec.authorizer is not None:
        deployed += repr(spec.authorizer.model_dump())
    digest = hashlib.sha256(deployed.encode()).hexdigest()[:8]
    deployment = ctx.add(
        apigatewayv2.Deployment(
            naming.api_deployment(name, digest.upper()),
            ApiId=Ref(api),
            DependsOn=[r.title for r in routes],
        ),
        (*origin, "routes"),
    )
    stage = _stage(ctx, name, spec, deployment)
    if spec.domain is not None:
        _domain(ctx, name, spec, stage)
    ctx.output(
        Output(
            naming.output(name, "websocket-url"),
            Description=f"WebSocket URL of {name}",
            Value=ctx.value(f"websocket_apis.{name}.url"),
        ),
        origin,
    )


def _lambda_uri(fn: AWSObject) -> Sub:
    """How API Gateway names a Lambda function it calls."""
    return Sub(
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
        "functions/${Function}/invocations",
        Function=GetAtt(fn, "Arn"),
    )


def _authorizer(ctx: Context, name: str, spec: Authorizer) -> apigatewayv2.Authorizer:
    """A Lambda REQUEST authorizer, and the function's permission for calls by this
    authorizer of this API alone. It is called through its resource-based permission, not a
    role (no AuthorizerCredentialsArn)."""
    origin = ("websocket_apis", name, "authorizer")
    api = ctx.apis[name].api
    fn = ctx.functions[spec.function]
    authorizer = apigatewayv2.Authorizer(
        naming.api_authorizer(name),
        ApiId=Ref(api),
        Name=f"{ctx.bp.name}-{name}-authorizer",
        AuthorizerType="REQUEST",
        AuthorizerUri=_lambda_uri(fn),
    )
    if spec.identity:
        authorizer.IdentitySource = [
            f"{IDENTITY_PREFIXES[kind]}.{rest}"
            for kind, _, rest in (i.partition(".") for i in dict.fromkeys(spec.identity))
        ]
    ctx.add(authorizer, origin)
    # API Gateway calls an authorizer as .../authorizers/ID
    # (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
    ctx.add(
        awslambda.Permission(
            naming.api_authorizer_permission(name),
            Action="lambda:InvokeFunction",
            FunctionName=Ref(fn),
            Principal="apigateway.amazonaws.com",
            SourceArn=Sub(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                "${Api}/authorizers/${Authorizer}",
                Api=Ref(api),
                Authorizer=Ref(authorizer),
            ),
        ),
        origin,
    )
    return authorizer


def _route(
    ctx: Context,
    name: str,
    key: str,
    fn: AWSObject,
    authorizer: apigatewayv2.Authorizer | None,
) -> apigatewayv2.Route:
    """One route key: its proxy integration to the function, the route itself (behind the
    authorizer, for $connect when the API has one), and the function's permission for calls
    on that route of the stage."""
    origin = ("websocket_apis", name, "routes", key)
    handle = ctx.apis[name]
    integration = ctx.add(
        apigatewayv2.Integration(
            naming.api_integration(name, key),
            ApiId=Ref(handle.api),
            IntegrationType="AWS_PROXY",
            IntegrationUri=_lambda_uri(fn),
        ),
        origin,
    )
    route = apigatewayv2.Route(
        naming.api_route(name, key),
        ApiId=Ref(handle.api),
        RouteKey=key,
        AuthorizationType="NONE",
        Target=Join("/", ["integrations", Ref(integration)]),
    )
    if authorizer is not None:
        route.AuthorizationType = "CUSTOM"
        route.AuthorizerId = Ref(authorizer)
    ctx.add(route, origin)
    ctx.add(
        awslambda.Permission(
            naming.api_permission(name, key),
            Action="lambda:InvokeFunction",
            FunctionName=Ref(fn),
            Principal="apigateway.amazonaws.com",
            SourceArn=Sub(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                f"${{Api}}/{handle.stage_name}/{key}",
                Api=Ref(handle.api),
            ),
        ),
        origin,
    )
    return route


def _stage(
    ctx: Context,
    name: str,
    spec: WebSocketApi,
    deployment: apigatewayv2.Deployment,
) -> apigatewayv2.Stage:
    origin = ("websocket_apis", name, "stage")
    settings = spec.stage
    access = logs.log_group(
        ctx, naming.api_access_log_group(name), settings.access_log_retention_days, origin
    )
    stage = apigatewayv2.Stage(
        naming.api_stage(name),
        ApiId=Ref(ctx.apis[name].api),
        StageName=settings.name,
        DeploymentId=Ref(deployment),
        DefaultRouteSettings=apigatewayv2.RouteSettings(
            DataTraceEnabled=settings.data_trace,
            DetailedMetricsEnabled=settings.detailed_metrics,
            LoggingLevel=settings.logging_level,
            ThrottlingBurstLimit=settings.throttling_burst,
            ThrottlingRateLimit=settings.throttling_rate,
        ),
        AccessLogSettings=apigatewayv2.AccessLogSettings(
            DestinationArn=GetAtt(access, "Arn"), Format=settings.access_log_format
        ),
    )
    # Execution logging fails until the account names a role for API Gateway: the account
    # stack that does (render_account) deploys before this one.
    return ctx.add(stage, origin)


def _domain(ctx: Context, name: str, spec: WebSocketApi, stage: apigatewayv2.Stage) -> None:
    assert spec.domain is not None
    origin = ("websocket_apis", name, "domain")
    domain = ctx.add(
        apigatewayv2.DomainName(
            naming.api_domain(name),
            DomainName=spec.domain.name,
            DomainNameConfigurations=[
                apigatewayv2.DomainNameConfiguration(
                    CertificateArn=ctx.certificate_arns[spec.domain.certificate],
                    EndpointType="REGIONAL",
                    SecurityPolicy="TLS_1_2",
                )
            ],
        ),
        origin,
    )
    ctx.add(
        apigatewayv2.ApiMapping(
            naming.api_mapping(name),
            ApiId=Ref(ctx.apis[name].api),
            DomainName=Ref(domain),
            Stage=Ref(stage),
        ),
        origin,
    )
    records.alias_record(
        ctx,
        name,
        spec.domain.name,
        GetAtt(domain, "RegionalDomainName"),
        GetAtt(domain, "RegionalHostedZoneId"),
        origin,
    )
    ctx.output(
        Output(
            naming.output(name, "websocket-domain-url"),
            Description=f"WebSocket URL of {name} on its own domain",
            Value=f"wss://{spec.domain.name}",
        ),
        origin,
    )


def needs_account(bp: Blueprint) -> bool:
    """Does the blueprint need the account-level stack: does any API log executions?"""
    return any(a.stage.logging_level != "OFF" for a in bp.websocket_apis.values())


def render_account(ctx: Context) -> None:
    """API Gateway writes execution logs only once the account names a role for it: one
    setting per account and region (``AWS::ApiGateway::Account``), for every API there.
    It lives in a stack of its own with a fixed name (naming.ACCOUNT_STACK) that every
    blueprint deploys alike, so two blueprints never set it to different roles, and nothing
    in it may name a blueprint. The role may only push logs. Both are kept when the stack is
    deleted: other blueprints' APIs still log through the role
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html)."""
    role = iam.role(
        ctx, naming.API_LOGGING_ROLE, "apigateway.amazonaws.com", [], ("websocket_apis",)
    )
    role.ManagedPolicyArns = [Sub(PUSH_TO_LOGS)]
    protect(role, RETAIN)
    account = apigateway.Account(naming.API_ACCOUNT, CloudWatchRoleArn=GetAtt(role, "Arn"))
    ctx.add(protect(account, RETAIN), ("websocket_apis",))
