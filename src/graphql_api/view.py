"""The GraphQL HTTP view: strawberry's ASGI view made to follow the GraphQL-over-HTTP spec, with
persisted queries, preview, the response cache, HTTP caching (ETag, 304) and metrics."""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from graphql_api.caching import policy
from graphql_api.caching.response_cache import ResponseCache, cache_key
from graphql_api.caching.surrogate import SurrogateHeaders
from graphql_api.context import Context
from graphql_api.engine.direct import DirectQueries
from graphql_api.engine.documents import ParsedDocuments
from graphql_api.engine.preflight import Preflight
from graphql_api.engine.transport_ws import CheckedTransportWSHandler, SizedWebSocketAdapter
from graphql_api.engine.validation import DocumentValidations
from graphql_api.errors import ErrorCode
from graphql_api.limits import envelope
from graphql_api.limits.extension import cost_extension
from graphql_api.limits.operations import refuse_over_http
from graphql_api.ops.metrics import Metrics
from graphql_api.ops.request_id import request_id
from graphql_api.outcome import Outcome, outcome_of
from graphql_api.persisted.resolve import PersistedQueries
from graphql_api.preview import tokens
from graphql_api.preview.routes import previewing
from graphql_api.relay.counts import CountCache
from graphql_api.responses import (
    GRAPHQL_RESPONSE_JSON,
    error_response,
    format_errors,
    is_request_error,
    negotiate_media_type,
)
from graphql_api.schema import build_schema
from graphql_api.settings import MB, ApiSettings
from graphql_api.votes.runtime import Voting
from graphql_api.votes.voter import SCOPE_KEY
from verdict.settings import Mode, Settings

logger = logging.getLogger("graphql_api")
PREVIEW_SCOPE_KEY = "verdict.preview"
BATCH_SCOPE_KEY = "verdict.batch"
CACHE_HEADER = "x-verdict-cache"


@dataclass(slots=True)
class Services:
    persisted: PersistedQueries
    cache: ResponseCache | None
    preview: tokens.PreviewSigner
    metrics: Metrics
    counts: CountCache
    surrogate: SurrogateHeaders | None = None


def _outcome(request: Request) -> Outcome:
    return outcome_of(request.scope)


def _http_error_code(status: int, reason: str) -> ErrorCode:
    if reason in ("Batching is not enabled", "Too many operations"):
        return ErrorCode.BATCH_LIMIT_EXCEEDED
    return ErrorCode.BAD_REQUEST


class VerdictGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = SizedWebSocketAdapter
    graphql_transport_ws_handler_class = CheckedTransportWSHandler

    def __init__(
        self, settings: Settings, api: ApiSettings, voting: Voting, services: Services
    ) -> None:
        validations = DocumentValidations(api.document_cache_mb * MB)
        self._documents = ParsedDocuments(api.document_cache_mb * MB, api.max_tokens)
        schema = build_schema(settings, api, validations=validations, documents=self._documents)
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.mode is Mode.DEV else None,
            # graphql-transport-ws only: the legacy graphql-ws protocol is off.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        )
        self._settings = settings
        self._api = api
        self._voting = voting
        self._services = services
        self._direct = DirectQueries(schema, validations, settings, api)
        # Read by graphql_api.engine.transport_ws: WebSocket operations pass the HTTP checks.
        self.max_message_bytes = api.max_body_bytes
        self.ws_preflight = Preflight(
            schema,
            services.persisted,
            api,
            settings.max_page_size,
            mask=settings.mode is Mode.PROD,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        preview = request.headers.get(tokens.HEADER_NAME) or request.query_params.get(
            tokens.QUERY_PARAM
        )
        if preview:
            try:
                self._services.preview.verify(preview)
            except tokens.InvalidPreviewTokenError as exc:
                self._services.metrics.observe(None, 0.0, [ErrorCode.INVALID_PREVIEW_TOKEN])
                response = error_response(
                    401, f"Invalid preview token: {exc}.", ErrorCode.INVALID_PREVIEW_TOKEN
                )
                await response(scope, receive, send)
                return
            scope[PREVIEW_SCOPE_KEY] = True
        elif previewing(request, self._services.preview) is not None:
            # The cookie of /preview/enter; a stale one just means the published site.
            scope[PREVIEW_SCOPE_KEY] = True
        started = time.perf_counter()
        outcome = _outcome(request)
        try:
            response = await self.run(request)
        except HTTPException as e:
            headers = {"Allow": "POST"} if e.status_code == 405 else None
            code = (
                e.code
                if isinstance(e, envelope.EnvelopeError)
                else _http_error_code(e.status_code, e.reason)
            )
            outcome.codes.append(code.value)
            response = error_response(e.status_code, e.reason, code, headers)
        response = self._http_caching(request, response, outcome)
        self._services.metrics.observe(
            outcome.operations[0] if len(outcome.operations) == 1 else None,
            time.perf_counter() - started,
            outcome.codes,
        )
        await response(scope, receive, send)

    def _http_caching(self, request: Request, response: Response, outcome: Outcome) -> Response:
        if outcome.cache is not None:
            response.headers[CACHE_HEADER] = outcome.cache
        json_body = response.headers.get("content-type", "").startswith(
            ("application/json", GRAPHQL_RESPONSE_JSON)
        )
        if request.method != "GET" or not json_body:
            return response
        scope = outcome.scope if response.status_code == 200 else policy.Scope.NO_STORE
        if request.scope.get(PREVIEW_SCOPE_KEY):
            scope = policy.Scope.NO_STORE
        response.headers["cache-control"] = policy.cache_control(scope, self._api.http_max_age)
        response.headers["vary"] = policy.vary(scope)
        if scope is policy.Scope.NO_STORE:
            return response
        if self._services.surrogate is not None:
            self._services.surrogate.mark(response, outcome, scope)
        tag = policy.etag(bytes(response.body))
        response.headers["etag"] = tag
        if policy.matches(request.headers.get("if-none-match", ""), tag):
            headers = {
                k: v
                for k, v in response.headers.items()
                if k in ("cache-control", "vary", "etag", CACHE_HEADER, "x-verdict-voter")
            }
            return Response(status_code=304, headers=headers)
        return response

    def decode_json(self, data: str | bytes) -> object:
        # orjson, strictly: no lone surrogates, no invalid UTF-8, no number beyond a double.
        # Over WebSocket its JSONDecodeError (a json.JSONDecodeError) closes with 4400.
        return orjson.loads(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        # Strawberry's reads the body with Python's json and trusts the shapes it finds; the
        # envelope is checked here, once, into typed requests (graphql_api.limits.envelope).
        if request.method == "GET":
            params = request.query_params
            return envelope.query_string_request(
                {k: v for k, v in params.items() if isinstance(v, str)}
            )
        content_type = (request.content_type or "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            raise envelope.EnvelopeError("Unsupported content type")
        data = envelope.decode_json(await request.get_body())
        return envelope.body_requests(data, self._api.max_batch)

    def encode_json(self, data: object) -> str:
        # orjson: several times faster than json.dumps on a page of ~500 values. A str, not
        # bytes: WebSocket messages must stay text frames.
        return orjson.dumps(data).decode()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A persisted query over GET carries no `query`, only `extensions`: not a browser.
        return super().should_render_graphql_ide(request) and not request.query_params.get(
            "extensions"
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        return Context(
            request=request,
            response=response if isinstance(response, Response) else None,
            settings=self._settings,
            voting=self._voting,
            voter_id=request.scope.get(SCOPE_KEY),
            preview=bool(request.scope.get(PREVIEW_SCOPE_KEY)),
            request_id=request_id(request.scope),
            counts=self._services.counts,
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            sub_response.media_type = negotiate_media_type(request)
        return sub_response

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("request_data"), list):
            # One context (and one set of loaders) serves the whole batch: never cached.
            kwargs["request"].scope[BATCH_SCOPE_KEY] = True
        return await super().execute_operation(*args, **kwargs)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        request: Request = kwargs["request"]
        sub_response: Response = kwargs["sub_response"]
        context: Context = kwargs["context"]
        data: GraphQLRequestData = kwargs["request_data"]
        outcome = _outcome(request)
        # A metric label only once the operation ran: a name a client merely sent (unknown, or in
        # a document that fails) never takes one of the capped labels.
        outcome.operations.append(None)
        index = len(outcome.operations) - 1
        resolved = await self._services.persisted.resolve(data.query, data.extensions)
        if isinstance(resolved, GraphQLError):
            outcome.restrict(policy.Scope.NO_STORE)
            return self._request_error(sub_response, PreExecutionError(None, [resolved]))
        kwargs["request_data"] = data = dataclasses.replace(data, query=resolved)
        batch = bool(request.scope.get(BATCH_SCOPE_KEY))
        plan = (
            policy.plan(
                data.query,
                data.operation_name,
                data.variables,
                documents=self._documents,
                max_page_size=self._settings.max_page_size,
            )
            if data.query
            else policy.Plan(policy.Scope.NO_STORE, None)
        )
        refused = refuse_over_http(plan.document, data.operation_name)
        if refused is not None:
            raise refused
        outcome.restrict(policy.Scope.NO_STORE if context.preview else plan.scope)
        if plan.analysis is None or plan.analysis.fields & policy.UNTRACKED_FIELDS:
            outcome.tracked = False
        cache = self._services.cache
        key = None
        before = ""
        cacheable = plan.scope is policy.Scope.CONTENT and not (context.preview or batch)
        if cache is not None and cacheable and data.query:
            key = cache_key(data.query, data.operation_name, data.variables)
            cached = await cache.lookup_entry(key)
            self._services.metrics.cache.labels("miss" if cached is None else "hit").inc()
            if cached is not None:
                outcome.cache = "hit"
                outcome.content_keys.update(cached.versions)
                outcome.operations[index] = plan.operation_name
                extensions = {}
                if plan.analysis is not None:
                    extensions = cost_extension(plan.analysis, self._api)
                return ExecutionResult(data=cached.data, errors=None, extensions=extensions)
            outcome.cache = "miss"
            before = await cache.snapshot()
        try:
            # A known-valid query skips Strawberry's per-request hooks (graphql_api.engine.direct).
            result = None if batch else await self._direct.execute(data, context)
            if result is None:
                result = await super().execute_single(*args, **kwargs)
        except HTTPException as e:
            if request.method == "GET" and isinstance(e.__cause__, InvalidOperationTypeError):
                raise HTTPException(405, "Mutations are only accepted over POST.") from e
            raise
        if not is_request_error(result):
            outcome.operations[index] = plan.operation_name
            await self._services.persisted.register(data.query, data.extensions)
        if result.errors:
            outcome.restrict(policy.Scope.NO_STORE)
        outcome.content_keys.update(context.loaders.deps)
        if context.loaders.live:
            outcome.restrict(policy.Scope.PUBLIC)
            outcome.shows_votes_of(context.loaders.vote_slugs)
        if (
            key is not None
            and cache is not None
            and not result.errors
            and result.data is not None
            and not context.loaders.live
        ):
            await cache.store(key, result.data, context.loaders.deps, before)
        if not batch:  # a batch's operations share the loaders
            context.loaders.release()  # the response is built: free the rows now, not at a GC
        return self._request_error(sub_response, result)

    def _request_error(self, sub_response: Response, result: ExecutionResult) -> ExecutionResult:
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
            errors = format_errors(
                result,
                mask=self._settings.mode is Mode.PROD,
                request_id=request_id(request.scope),
            )
            _outcome(request).codes.extend(str(e["extensions"]["code"]) for e in errors)
            response["errors"] = errors
        if result.extensions:
            response["extensions"] = result.extensions
        return response  # type: ignore[return-value]

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        # Strawberry's, with the body encoded straight to bytes (its ``encode_json`` makes a str
        # that the Response encodes back) and the negotiated media type.
        response = Response(
            orjson.dumps(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or "application/json",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response
