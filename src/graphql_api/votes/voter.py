"""Anonymous voter identity: a random voter id signed by the server.

A token is ``v1.<voter id>.<signature>``, the signature an HMAC-SHA256 of the id under a key
derived from ``VERDICT_SECRET_KEY``. Web browsers keep it in an HttpOnly, Secure, SameSite=Lax
cookie; mobile apps keep it from the ``X-Verdict-Voter`` response header and send it back in the
same request header. The first GraphQL POST without a token is issued one, so a browser can
vote without an extra round trip (GET answers never set a cookie: shared caches keep them).
A token that does not verify is refused with a 401.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import orjson
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.signing import BadTokenError, PurposeSigner

COOKIE_NAME = "verdict_voter"
HEADER_NAME = "x-verdict-voter"
SCOPE_KEY = "verdict.voter_id"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers honour
_VERSION = "v1"
_KEY_PURPOSE = b"verdict voter token v1"


class InvalidVoterTokenError(Exception):
    """The voter token was not issued by this server (forged, tampered or from another key)."""


@dataclass(frozen=True, slots=True)
class VoterSigner:
    """Issues and verifies voter tokens under one secret key."""

    signer: PurposeSigner

    @classmethod
    def from_secret(cls, secret_key: str) -> VoterSigner:
        return cls(PurposeSigner.derive(secret_key, _KEY_PURPOSE, _VERSION))

    def issue(self) -> tuple[str, str]:
        """A fresh voter: ``(voter_id, token)``."""
        voter_id = secrets.token_urlsafe(16)
        return voter_id, self.signer.sign(voter_id)

    def verify(self, token: str) -> str:
        """The voter id the token carries; raises InvalidVoterTokenError when it does not verify."""
        try:
            voter_id = self.signer.unsign(token)
        except BadTokenError as exc:
            raise InvalidVoterTokenError(f"voter token: {exc}") from None
        if not 0 < len(voter_id) <= 64:
            raise InvalidVoterTokenError("voter token: malformed")
        return voter_id


def _cookie_header(token: str) -> bytes:
    response = Response()
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response.headers["set-cookie"].encode("latin-1")


class VoterIdentity:
    """ASGI middleware for the GraphQL endpoint: verifies or issues the voter token.

    The voter id is left in ``scope["verdict.voter_id"]`` for the per-request context.
    Over a WebSocket a missing token stays missing (subscriptions need no voter).
    """

    def __init__(self, app: ASGIApp, signer: VoterSigner) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        from_header, cookie_token = presented_tokens(Headers(scope=scope))
        token = from_header or cookie_token
        if token:
            try:
                voter_id = self.signer.verify(token)
            except InvalidVoterTokenError as exc:
                await self._refuse(scope, receive, send, str(exc), clear_cookie=not from_header)
                return
            await self.app({**scope, SCOPE_KEY: voter_id}, receive, send)
            return
        if scope["type"] == "websocket" or scope.get("method") == "GET":
            # GET answers are cacheable by shared caches: they must never carry a Set-Cookie.
            # A voter is issued on the first POST (votes are mutations, POST only).
            await self.app({**scope, SCOPE_KEY: None}, receive, send)
            return
        voter_id, token = self.signer.issue()
        extra = [(b"set-cookie", _cookie_header(token)), (HEADER_NAME.encode(), token.encode())]

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app({**scope, SCOPE_KEY: voter_id}, receive, send_with_token)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, reason: str, *, clear_cookie: bool
    ) -> None:
        if scope["type"] == "websocket":
            # Closing before accepting makes the server answer the handshake with a 403.
            await send({"type": "websocket.close", "code": 4401, "reason": "invalid voter token"})
            return
        body = {
            "errors": [
                {
                    "message": f"Invalid voter token: {reason}. Drop it to be issued a new one.",
                    "extensions": {"code": "INVALID_VOTER_TOKEN"},
                }
            ]
        }
        response = Response(orjson.dumps(body), status_code=401, media_type="application/json")
        if clear_cookie:
            # Lets a browser holding a stale cookie (say, after a key rotation) recover by itself.
            response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True)
        await response(scope, receive, send)


def presented_tokens(headers: Headers) -> tuple[str, str]:
    """The voter token of the ``X-Verdict-Voter`` header and that of the cookie ("" if none)."""
    return headers.get(HEADER_NAME, "").strip(), _cookie(headers, COOKIE_NAME)


def _cookie(headers: Headers, name: str) -> str:
    for chunk in headers.get("cookie", "").split(";"):
        key, _, value = chunk.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return ""
