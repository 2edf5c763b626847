"""The ASGI application: Starlette with the GraphQL endpoint, built by a factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graphql_api.context import Context
from graphql_api.schema import build_schema
from graphql_api.votes.runtime import Voting
from graphql_api.votes.voter import SCOPE_KEY, VoterIdentity
from verdict.db import database
from verdict.settings import Mode, Settings


class VerdictGraphQL(GraphQL[Context, None]):
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
        ],
        lifespan=lifespan,
    )
