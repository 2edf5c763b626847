"""Only GET and POST reach the GraphQL endpoint; any other method is a 405 that names both.

Starlette answers HEAD on a GET route by itself, which would run the whole request stack (and
issue a voter cookie) for an answer without a body; GraphQL over HTTP defines GET and POST only.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.errors import ErrorCode
from graphql_api.responses import error_response

ALLOWED = "GET, POST"


class GraphQLMethods:
    """ASGI middleware: a 405 with ``Allow: GET, POST`` for any other HTTP method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        response = error_response(
            405,
            f"/graphql answers {ALLOWED} only.",
            ErrorCode.METHOD_NOT_ALLOWED,
            {"Allow": ALLOWED},
        )
        await response(scope, receive, send)
