"""WebSocket APIs' rules: route keys API Gateway accepts, functions that exist, and a
custom domain in a zone with a certificate that covers it."""

from __future__ import annotations

import re

from ...codes import Code
from ...errors import Path, shown
from ...model.checker import Checker, rule
from ..certificates.checks import COVER_CODES, certificate_covers
from ..zones.checks import zone_for

_ROUTE_KEY = re.compile(r"^(\$connect|\$disconnect|\$default|[A-Za-z0-9_.-]{1,128})$")


@rule(Code.ROUTE_KEY_INVALID, Code.FUNCTION_UNKNOWN, Code.DOMAIN_OUTSIDE_ZONE, *COVER_CODES)
def apis(c: Checker) -> None:
    for name, api in c.bp.websocket_apis.items():
        base: Path = ("websocket_apis", name)
        for key, function in api.routes.items():
            if not _ROUTE_KEY.match(key):
                c.error(
                    (*base, "routes", key),
                    f"'{key}' is not a route key: use $connect, "
                    "$disconnect, $default or an action name of letters, digits, _ . -",
                    Code.ROUTE_KEY_INVALID,
                    at_key=True,
                )
            path: Path = (*base, "routes", key)
            c.ref(path, "function", function, c.bp.functions, Code.FUNCTION_UNKNOWN)
        if api.domain is not None:
            dpath: Path = (*base, "domain")
            zone_for(c, (*dpath, "name"), api.domain.name)
            certificate_covers(
                c, (*dpath, "certificate"), api.domain.certificate, [api.domain.name]
            )


@rule(Code.FUNCTION_UNKNOWN, Code.AUTHORIZER_WITHOUT_CONNECT, Code.AUTHORIZER_IDENTITY_INVALID)
def authorizers(c: Checker) -> None:
    """An authorizer's function exists, the API has the $connect route it guards, and no
    identity source is named twice."""
    for name, api in c.bp.websocket_apis.items():
        if api.authorizer is None:
            continue
        path: Path = ("websocket_apis", name, "authorizer")
        c.ref(
            (*path, "function"),
            "function",
            api.authorizer.function,
            c.bp.functions,
            Code.FUNCTION_UNKNOWN,
        )
        # API Gateway runs a WebSocket API's authorizer on $connect alone
        # (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html).
        if "$connect" not in api.routes:
            c.error(
                path,
                "the authorizer runs only on the $connect route, and this API has none: add "
                "'$connect: FUNCTION' to 'routes'",
                Code.AUTHORIZER_WITHOUT_CONNECT,
                at_key=True,
            )
        _named_once(c, (*path, "identity"), api.authorizer.identity)


def _named_once(c: Checker, at: Path, sources: list[str]) -> None:
    """Header names are case-insensitive (RFC 9110, section 5.1): ``header.Auth`` and
    ``header.auth`` are one header, named twice."""
    seen: dict[str, int] = {}
    for i, source in enumerate(sources):
        key = source.lower() if source.startswith("header.") else source
        first = seen.setdefault(key, i)
        if first != i:
            c.error(
                (*at, i),
                f"{shown(source)} names the same source as identity[{first}] "
                f"{shown(sources[first])} (header names are case-insensitive); name it once",
                Code.AUTHORIZER_IDENTITY_INVALID,
            )


RULES = (apis, authorizers)
