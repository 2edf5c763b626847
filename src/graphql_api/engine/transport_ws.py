"""graphql-transport-ws with the HTTP endpoint's checks: Strawberry's handler, hardened.

Strawberry's handler trusts a message's shape (``[]``, ``null`` or ``payload: "x"`` end in an
exception and a 1006 close), runs any document (no trusted documents, no envelope check) and
reads messages of any size. Here every message is checked before Strawberry sees it: a message
that is not a protocol message closes with 4400 as the protocol says, and a ``subscribe`` whose
payload is refused gets an ``error`` message whose errors carry ``extensions.code``, as over
HTTP (graphql_api.engine.preflight). A text frame over the body limit closes with 4400 before
it is decoded.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, Protocol, cast

from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message

from graphql_api.context import Context
from graphql_api.engine._compat import ASGIWebSocketAdapter, BaseGraphQLTransportWSHandler
from graphql_api.engine.preflight import Preflight

MAX_ID_LENGTH = 128
"""Longest operation ``id`` accepted (clients use counters or UUIDs)."""


class CheckedView(Protocol):
    """What the view provides to the adapter and the handler below."""

    ws_preflight: Preflight
    max_message_bytes: int


class SizedWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's ASGI adapter, refusing a text frame over the view's ``max_message_bytes``
    before decoding it."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        # Strawberry's loop, with the size check between receiving and decoding.
        max_bytes = cast(CheckedView, self.view).max_message_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if len(text) > max_bytes or len(text.encode()) > max_bytes:
                    await self.close(
                        4400, f"Message larger than {max_bytes} bytes (BODY_TOO_LARGE)"
                    )
                    return
                try:
                    yield self.view.decode_json(text)
                except ValueError as exc:  # orjson's JSONDecodeError
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:  # a binary frame
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass


def _valid_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH


class CheckedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """Strawberry's handler, checking each message first (the view's ``ws_preflight``)."""

    async def handle_message(self, message: Message) -> None:
        raw = cast(object, message)
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            await self.handle_invalid_message("A message is an object with a string `type`.")
            return
        kind = raw["type"]
        if kind in ("subscribe", "complete") and not _valid_id(raw.get("id")):
            await self.handle_invalid_message(
                f"`id` must be a non-empty string of at most {MAX_ID_LENGTH} characters."
            )
            return
        if kind == "subscribe":
            await self._subscribe(raw)
            return
        await super().handle_message(message)

    async def _subscribe(self, message: dict[str, Any]) -> None:
        operation_id: str = message["id"]
        # The protocol's own refusals first, in Strawberry's order.
        if not self.connection_acknowledged:
            await self.websocket.close(code=4401, reason="Unauthorized")
            return
        if operation_id in self.operations:
            reason = f"Subscriber for {operation_id} already exists"
            await self.websocket.close(code=4409, reason=reason)
            return
        preflight = cast(CheckedView, self.view).ws_preflight
        checked = await preflight.check(message.get("payload"))
        if isinstance(checked, list):
            await self.send_message(
                cast(Message, {"id": operation_id, "type": "error", "payload": checked})
            )
            return
        payload = {
            "query": checked.query,
            "variables": checked.variables,
            "operationName": checked.operation_name,
        }
        await super().handle_subscribe(
            cast(Any, {"id": operation_id, "type": "subscribe", "payload": payload})
        )
