"""The ASGI application: Starlette with the GraphQL endpoint, built by a factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from graphql_api.context import Context
from graphql_api.responses import (
    GRAPHQL_RESPONSE_JSON,
    format_errors,
    is_request_error,
    negotiate_media_type,
)
from graphql_api.schema import build_schema
from graphql_api.votes.runtime import Voting
from graphql_api.votes.voter import SCOPE_KEY, VoterIdentity
from graphql_api.web import web_routes
from verdict.db import database
from verdict.settings import Mode, Settings


class VerdictGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, made to follow the GraphQL-over-HTTP spec on status codes,
    media types and GET mutations, and to give every error a stable ``extensions.code``."""

    def __init__(self, settings: Settings, voting: Voting) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql" if settings.mode is Mode.DEV else None,
            # graphql-transport-ws only: the legacy graphql-ws protocol is off.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self._settings = settings
        self._voting = voting

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as e:
            headers = {"Allow": "POST"} if e.status_code == 405 else None
            response = PlainTextResponse(e.reason, status_code=e.status_code, headers=headers)
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=self._settings,
            voting=self._voting,
            voter_id=request.scope.get(SCOPE_KEY),
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            sub_response.media_type = negotiate_media_type(request)
        return sub_response

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        request_adapter = kwargs["request_adapter"]
        sub_response: Response = kwargs["sub_response"]
        try:
            result = await super().execute_single(*args, **kwargs)
        except HTTPException as e:
            if request_adapter.method == "GET" and isinstance(
                e.__cause__, InvalidOperationTypeError
            ):
                raise HTTPException(405, "Mutations are only accepted over POST.") from e
            raise
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON and is_request_error(result):
            sub_response.status_code = 400
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: dict[str, Any] = {}
        if not (
            negotiate_media_type(request) == GRAPHQL_RESPONSE_JSON and is_request_error(result)
        ):
            response["data"] = result.data
        if result.errors:
            response["errors"] = format_errors(result, mask=self._settings.mode is Mode.PROD)
        if result.extensions:
            response["extensions"] = result.extensions
        return response  # type: ignore[return-value]

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = sub_response.media_type or "application/json"
        return response


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """Build the app. With ``manage_database`` the lifespan opens and closes the ORM."""
    voting = Voting.from_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if manage_database:
                await stack.enter_async_context(database(settings))
            await voting.start()
            stack.push_async_callback(voting.stop)
            yield

    graphql = VoterIdentity(VerdictGraphQL(settings, voting), voting.signer)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            *web_routes(),
        ],
        lifespan=lifespan,
    )
