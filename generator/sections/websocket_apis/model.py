"""API Gateway WebSocket APIs backed by Lambda functions."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ...codes import Code
from ...errors import shown
from ...model.base import Strict
from ...model.types import DomainName, LogRetentionDays, Name, compiled

DEFAULT_ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
    '"requestTime":"$context.requestTime","routeKey":"$context.routeKey",'
    '"eventType":"$context.eventType","status":"$context.status",'
    '"connectionId":"$context.connectionId","error":"$context.error.message",'
    '"integrationError":"$context.integration.error"}'
)


def _route_selection(value: str) -> str:
    # A WebSocket API reads the route key from the request: "$request.body.action"
    # (https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-selection-expressions.html).
    if not value.startswith("$request."):
        raise PydanticCustomError(
            Code.ROUTE_SELECTION_INVALID,
            "{value} is not a route selection expression: it starts with '$request.', "
            "e.g. '$request.body.action'",
            {"value": shown(value)},
        )
    return value


#: Where a WebSocket REQUEST authorizer's identity comes from, as the blueprint writes it
#: -> as API Gateway names it: a header or a query string parameter of the connection
#: request, or a context variable
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html,
#: the IdentitySource of AWS::ApiGatewayV2::Authorizer). A stage variable is an identity
#: source API Gateway knows, but the blueprint's stage sets none: API Gateway would refuse
#: every connection (401) without calling the function, so it is refused here.
IDENTITY_PREFIXES = {
    "header": "route.request.header",
    "querystring": "route.request.querystring",
    "context": "context",
}
_IDENTITY = r"^(header|querystring|context)\.[A-Za-z0-9._-]{1,128}$"


def _identity(value: str) -> str:
    if value.startswith("stageVariables."):
        raise PydanticCustomError(
            Code.AUTHORIZER_IDENTITY_INVALID,
            "{value} reads a stage variable, and the API's stage sets none: API Gateway "
            "would refuse every connection (401) without calling the function; read the "
            "identity from header.NAME, querystring.NAME or context.NAME",
            {"value": shown(value)},
        )
    if not compiled(_IDENTITY).fullmatch(value):
        hint = ""
        if value.startswith("route.request."):
            hint = f"; drop 'route.request.': {shown(value.removeprefix('route.request.'))}"
        raise PydanticCustomError(
            Code.AUTHORIZER_IDENTITY_INVALID,
            "{value} is not an identity source: write header.NAME, querystring.NAME or "
            "context.NAME{hint}",
            {"value": shown(value), "hint": hint},
        )
    return value


IdentitySource = Annotated[
    str,
    AfterValidator(_identity),
    Field(json_schema_extra={"pattern": _IDENTITY}),
]
"""Where the authorizer's identity is read: ``header.Authorization``,
``querystring.token`` or ``context.NAME``."""


class Authorizer(Strict):
    """A Lambda REQUEST authorizer on the $connect route, the only route of a WebSocket API
    that API Gateway authorizes: the connection is refused unless the function allows it,
    and every later message on it is trusted
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
    The function returns an IAM policy allowing ``execute-api:Invoke`` on the event's
    ``methodArn``; what it returns in ``context`` reaches the $connect function as
    ``requestContext.authorizer``."""

    function: Name
    """The function (``functions:``) that decides."""

    identity: list[IdentitySource] = Field(default=[])
    """Where the caller's identity is read: ``header.NAME``, ``querystring.NAME``,
    ``context.NAME``, each once (header names are case-insensitive). API Gateway refuses a
    connection missing any of them (401) without calling the function; with none, the
    function is called for every connection."""


class Stage(Strict):
    """The deployed stage and the default settings of its routes."""

    name: str = Field(default="live", pattern=r"^[A-Za-z0-9_-]{1,128}$")
    """The stage name."""

    throttling_burst: int = Field(default=5000, ge=0, le=5000)
    """Requests in a burst."""

    throttling_rate: float = Field(default=10000, ge=0, le=10000)
    """Steady requests per second."""

    logging_level: Literal["OFF", "ERROR", "INFO"] = "INFO"
    """Execution logging. It needs the account's API Gateway CloudWatch Logs role, which the
    shared account stack sets (docs/stacks.md)."""

    data_trace: bool = False
    """Log full request and response data (keep off with personal data)."""

    detailed_metrics: bool = True
    """Per-route CloudWatch metrics."""

    access_log_format: str = Field(default=DEFAULT_ACCESS_LOG_FORMAT, min_length=1)
    """Access log line format with ``$context`` variables."""

    access_log_retention_days: LogRetentionDays = 90
    """How long access logs are kept."""


class ApiDomain(Strict):
    """A custom domain (regional endpoint, TLS 1.2) mapped to the stage, with an alias
    record."""

    name: DomainName
    """The domain, inside one of the zones."""

    certificate: Name
    """The certificate (``certificates:``) that covers it."""


class WebSocketApi(Strict):
    """A WebSocket API whose routes invoke Lambda functions through AWS_PROXY
    integrations."""

    route_selection: Annotated[str, AfterValidator(_route_selection)] = Field(
        default="$request.body.action", min_length=1
    )
    """Where the route key is read from each message."""

    routes: dict[str, Name] = Field(min_length=1)
    """Route key -> function name: ``$connect``, ``$disconnect``, ``$default`` or a custom
    action."""

    stage: Stage = Stage.model_construct()
    """The stage."""

    domain: ApiDomain | None = None
    """A custom domain."""

    authorizer: Authorizer | None = None
    """A Lambda authorizer for new connections (on the API rather than on a route:
    API Gateway runs authorizers only on ``$connect``, which the API must then have)."""
