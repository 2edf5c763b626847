"""The ASGI application: Starlette with the GraphQL endpoint, built by a factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp

from graphql_api.caching.edge import ContentClock, EdgeCache
from graphql_api.caching.response_cache import (
    MemoryEntries,
    RedisEntries,
    ResponseCache,
)
from graphql_api.caching.surrogate import SurrogateHeaders
from graphql_api.digest.routes import digest_routes
from graphql_api.limits.body import BodySizeLimit
from graphql_api.limits.client_ip import ClientAddress, TrustedProxies
from graphql_api.limits.methods import GraphQLMethods
from graphql_api.ops.health import Readiness, healthz
from graphql_api.ops.metrics import Metrics
from graphql_api.ops.request_id import RequestIds
from graphql_api.persisted import manifest
from graphql_api.persisted.resolve import PersistedQueries
from graphql_api.persisted.store import DocumentStore, MemoryDocuments, RedisDocuments
from graphql_api.preview.routes import preview_routes
from graphql_api.preview.tokens import PreviewSigner
from graphql_api.relay.counts import CountCache
from graphql_api.settings import MB, ApiSettings, TrustedDocuments, for_settings
from graphql_api.share_cards.render import Fonts
from graphql_api.share_cards.route import ShareCards
from graphql_api.view import Services, VerdictGraphQL
from graphql_api.votes.runtime import Voting
from graphql_api.votes.voter import VoterIdentity
from graphql_api.web import web_routes
from verdict.db import database
from verdict.purge.settings import PurgeSettings
from verdict.settings import Mode, Settings


def _services(
    settings: Settings, api: ApiSettings, redis: Redis | None, purge: PurgeSettings
) -> Services:
    local_bytes = api.persisted_query_cache_mb * MB
    documents: DocumentStore = (
        RedisDocuments(
            redis,
            api.persisted_query_cache_size,
            local_bytes=local_bytes,
            max_bytes=api.persisted_query_redis_mb * MB,
        )
        if redis is not None
        else MemoryDocuments(api.persisted_query_cache_size, local_bytes)
    )
    known = manifest.load()
    trusted = known if api.trusted_documents == TrustedDocuments.ONLY else None
    cache = None
    if api.response_cache:
        store = (
            RedisEntries(redis, api.response_cache_ttl)
            if redis is not None
            else MemoryEntries(
                api.response_cache_size, api.response_cache_ttl, api.response_cache_mb * MB
            )
        )
        cache = ResponseCache(store)
    return Services(
        persisted=PersistedQueries(documents, trusted),
        cache=cache,
        preview=PreviewSigner.from_secret(settings.secret_key),
        metrics=Metrics(
            manifest.operation_names(known),
            token=api.metrics_token,
            public=settings.mode is Mode.DEV,
        ),
        counts=CountCache(),
        surrogate=SurrogateHeaders(purge) if purge.enabled else None,
    )


def create_app(
    settings: Settings,
    *,
    api: ApiSettings | None = None,
    manage_database: bool = True,
    purge: PurgeSettings | None = None,
) -> Starlette:
    """Build the app. With ``manage_database`` the lifespan opens and closes the ORM.

    ``api`` holds the public API's own settings; they are read from the environment when not
    given (``graphql_api.settings.for_settings``); ``purge``, the shared caches' purging
    (``verdict.purge.settings``), likewise.
    """
    if api is None:
        api = for_settings(settings)
    if purge is None:
        purge = PurgeSettings.from_env()
    voting = Voting.from_settings(settings, api.voters, purge)
    services = _services(settings, api, voting.redis, purge)
    clock = ContentClock(api.edge_cache_poll) if api.edge_cache else None

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if manage_database:
                await stack.enter_async_context(database(settings))
            await voting.start()
            stack.push_async_callback(voting.stop)
            if clock is not None:
                await clock.refresh()
                ticking = asyncio.create_task(clock.run())

                async def stop_clock() -> None:
                    ticking.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await ticking

                stack.push_async_callback(stop_clock)
            yield

    view = VerdictGraphQL(settings, api, voting, services)
    graphql: ASGIApp = BodySizeLimit(
        VoterIdentity(view, voting.signer, voting.bearer), api.max_body_bytes
    )
    edge: EdgeCache | None = None
    if clock is not None:
        edge = cache = EdgeCache(
            graphql,
            clock=clock,
            feed=voting.feed,
            signer=voting.signer,
            metrics=services.metrics,
            max_bytes=api.edge_cache_mb * 1024 * 1024,
            ttl=api.edge_cache_ttl,
        )
        graphql = cache
        services.metrics.watch_edge_cache(lambda: cache.size)
    share_cards = ShareCards(Fonts(api.share_card_fonts), api.share_card_cache_size)
    graphql = GraphQLMethods(graphql)
    middleware = [Middleware(RequestIds)]
    if api.voters.trusted_proxies:
        # First of all: everything after it (limits, logs, cookies) sees the real client.
        middleware.insert(0, Middleware(ClientAddress, TrustedProxies(api.voters.trusted_proxies)))
    if api.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(api.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "content-type",
                    "accept",
                    "x-request-id",
                    "x-verdict-voter",
                    "x-verdict-preview",
                    "if-none-match",
                    "authorization",
                ],
                expose_headers=["etag", "x-request-id", "x-verdict-voter", "x-verdict-cache"],
                allow_credentials="*" not in api.cors_origins,
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", Readiness(voting.redis).endpoint),
            Route("/metrics", services.metrics.endpoint),
            *voting.minting.routes(),
            *preview_routes(services.preview),
            *web_routes(settings.public_url, api.preview_frame_ancestors),
            *share_cards.routes(),
            *digest_routes(settings),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.voting = voting
    app.state.edge_cache = edge
    app.state.counts = services.counts
    app.state.content_clock = clock
    app.state.share_cards = share_cards
    return app
