"""Voter identity: who casts a vote, as far as the site can know.

A voter is one of
- a *minted* voter: a random id signed by the server, issued only by the explicit ``POST /voter``
  step (graphql_api.votes.minting), which is rate-limited per address and network and may ask for
  a proof of work or a bot check. A token is ``v2.<id>~<minted unix time>~<kind>.<signature>``;
  tokens of the first version (``v1.<id>.<signature>``, issued before minting was explicit) still
  verify, as kind ``legacy`` with no mint time;
- a *JWT* voter: the ``sub`` of a bearer token from the site's own identity provider
  (graphql_api.votes.jwt_voters), so one account is one voter on every device.

Browsers keep a minted token in an HttpOnly, SameSite=Lax cookie: ``__Host-verdict_voter`` with
``Secure`` in prod and over https (the prefix means no subdomain can plant or overwrite it), or
``verdict_voter`` without ``Secure`` in dev over plain http, so loopback clients keep it too.
Mobile apps send it in the ``X-Verdict-Voter`` header. When several voter cookies arrive (a
sibling planted for a parent domain, a stale one), the first that verifies wins and none is
cleared; only when none verifies is the request refused with a 401 that clears them.
Nothing here ever issues a voter: a request without one simply has none.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import orjson
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graphql_api.errors import ErrorCode
from graphql_api.signing import BadTokenError, PurposeSigner

COOKIE_NAME = "__Host-verdict_voter"
DEV_COOKIE_NAME = "verdict_voter"
COOKIE_NAMES = (COOKIE_NAME, DEV_COOKIE_NAME)
HEADER_NAME = "x-verdict-voter"
SCOPE_KEY = "verdict.voter_id"
VOTER_SCOPE_KEY = "verdict.voter"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers honour
_KEY_PURPOSE = b"verdict voter token v1"


class VoterKind(StrEnum):
    LEGACY = "legacy"
    """Issued before minting was an explicit step: no mint time is known."""
    MINTED = "minted"
    """Minted by ``POST /voter`` with no proof beyond the rate limits."""
    POW = "pow"
    """Minted with a proof of work."""
    BOTCHECK = "botcheck"
    """Minted after the bot-check provider vouched for the browser."""
    JWT = "jwt"
    """The subject of a verified bearer token of the site's identity provider."""


@dataclass(frozen=True, slots=True)
class Voter:
    id: str
    kind: VoterKind
    minted_at: datetime | None


class InvalidVoterTokenError(Exception):
    """The voter token was not issued by this server (forged, tampered or from another key)."""


@dataclass(frozen=True, slots=True)
class VoterSigner:
    """Issues and verifies voter tokens under one secret key."""

    current: PurposeSigner
    legacy: PurposeSigner

    @classmethod
    def from_secret(cls, secret_key: str) -> VoterSigner:
        return cls(
            PurposeSigner.derive(secret_key, _KEY_PURPOSE, "v2"),
            PurposeSigner.derive(secret_key, _KEY_PURPOSE, "v1"),
        )

    def mint(
        self, kind: VoterKind = VoterKind.MINTED, now: float | None = None
    ) -> tuple[Voter, str]:
        """A fresh voter and its token."""
        minted = int(time.time() if now is None else now)
        voter_id = secrets.token_urlsafe(16)
        token = self.current.sign(f"{voter_id}~{minted}~{kind.value}")
        return Voter(voter_id, kind, datetime.fromtimestamp(minted, UTC)), token

    def issue(self) -> tuple[str, str]:
        """A fresh minted voter: ``(voter_id, token)`` (for tools and tests that need many)."""
        voter, token = self.mint()
        return voter.id, token

    def identify(self, token: str) -> Voter:
        """The voter a token carries; raises InvalidVoterTokenError when it does not verify."""
        signer = self.legacy if token.startswith("v1.") else self.current
        try:
            payload = signer.unsign(token)
        except BadTokenError as exc:
            raise InvalidVoterTokenError(f"voter token: {exc}") from None
        if signer is self.legacy:
            voter = Voter(payload, VoterKind.LEGACY, None)
        else:
            voter_id, _, rest = payload.partition("~")
            minted, _, kind = rest.partition("~")
            try:
                voter = Voter(voter_id, VoterKind(kind), datetime.fromtimestamp(int(minted), UTC))
            except (ValueError, OverflowError):
                raise InvalidVoterTokenError("voter token: malformed") from None
        if not 0 < len(voter.id) <= 64 or voter.kind is VoterKind.JWT:
            raise InvalidVoterTokenError("voter token: malformed")
        return voter

    def verify(self, token: str) -> str:
        """The voter id the token carries; raises InvalidVoterTokenError when it does not verify."""
        return self.identify(token).id


class BearerVoters(Protocol):
    """Turns an ``Authorization: Bearer`` token into a voter (see jwt_voters)."""

    async def identify(self, token: str) -> Voter:
        """The voter; raises InvalidVoterTokenError when the token does not verify."""
        ...


def cookie_header(token: str, *, secure: bool) -> bytes:
    """The Set-Cookie value that keeps ``token`` in a browser."""
    response = Response()
    response.set_cookie(
        COOKIE_NAME if secure else DEV_COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    return response.headers["set-cookie"].encode("latin-1")


def secure_request(scope: Scope, prod: bool) -> bool:
    """Whether this request's cookie is ``__Host-`` and Secure: always in prod, else on https."""
    return prod or scope.get("scheme") in ("https", "wss")


def cookie_tokens(headers: Headers) -> list[str]:
    """Every voter token among the cookies: ``__Host-`` ones first, then in the order sent."""
    found: dict[str, list[str]] = {name: [] for name in COOKIE_NAMES}
    for header in headers.getlist("cookie"):
        for chunk in header.split(";"):
            key, _, value = chunk.strip().partition("=")
            if key in found and value.strip().strip('"'):
                found[key].append(value.strip().strip('"'))
    return [token for name in COOKIE_NAMES for token in found[name]]


def bearer_token(headers: Headers) -> str:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class Refusal(Exception):
    """The request presents a voter credential that does not verify."""

    def __init__(self, reason: str, *, cookies: bool) -> None:
        super().__init__(reason)
        self.cookies = cookies


async def presented_voter(
    signer: VoterSigner, bearer: BearerVoters | None, headers: Headers
) -> Voter | None:
    """The voter the request presents (bearer token, header, then cookies); None when none.

    Raises Refusal when the strongest credential presented does not verify.
    """
    token = bearer_token(headers) if bearer is not None else ""
    if token and bearer is not None:
        try:
            return await bearer.identify(token)
        except InvalidVoterTokenError as exc:
            raise Refusal(str(exc), cookies=False) from None
    from_header = headers.get(HEADER_NAME, "").strip()
    if from_header:
        try:
            return signer.identify(from_header)
        except InvalidVoterTokenError as exc:
            raise Refusal(str(exc), cookies=False) from None
    problem = ""
    for candidate in cookie_tokens(headers):
        try:
            return signer.identify(candidate)
        except InvalidVoterTokenError as exc:
            problem = problem or str(exc)
    if problem:
        raise Refusal(problem, cookies=True)
    return None


def acceptable(signer: VoterSigner, headers: Headers) -> bool:
    """False when the request's minted-voter credentials would be refused (for the edge cache)."""
    from_header = headers.get(HEADER_NAME, "").strip()
    candidates = [from_header] if from_header else cookie_tokens(headers)
    for candidate in candidates:
        try:
            signer.identify(candidate)
            return True
        except InvalidVoterTokenError:
            continue
    return not candidates


async def refuse(scope: Scope, receive: Receive, send: Send, reason: str, *, clear: bool) -> None:
    """Answer a request whose voter credential does not verify."""
    if scope["type"] == "websocket":
        # Closing before accepting makes the server answer the handshake with a 403.
        await send({"type": "websocket.close", "code": 4401, "reason": "invalid voter token"})
        return
    body = {
        "errors": [
            {
                "message": f"Invalid voter token: {reason}. Drop it and mint a new one.",
                "extensions": {"code": ErrorCode.INVALID_VOTER_TOKEN.value},
            }
        ]
    }
    response = Response(orjson.dumps(body), status_code=401, media_type="application/json")
    if clear:
        # Only reached when no cookie verifies: lets a browser holding a stale cookie (say, after
        # a key rotation) recover by itself, without ever dropping a valid sibling.
        response.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True)
        response.delete_cookie(DEV_COOKIE_NAME, path="/", httponly=True)
    await response(scope, receive, send)


class VoterIdentity:
    """ASGI middleware for the GraphQL endpoint: verifies the voter the request presents.

    The voter is left in ``scope["verdict.voter"]`` (its id in ``scope["verdict.voter_id"]``);
    both are None when the request presents none.
    """

    def __init__(
        self, app: ASGIApp, signer: VoterSigner, bearer: BearerVoters | None = None
    ) -> None:
        self.app = app
        self.signer = signer
        self.bearer = bearer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            voter = await presented_voter(self.signer, self.bearer, Headers(scope=scope))
        except Refusal as exc:
            await refuse(scope, receive, send, str(exc), clear=exc.cookies)
            return
        scope = {**scope, VOTER_SCOPE_KEY: voter, SCOPE_KEY: voter.id if voter else None}
        await self.app(scope, receive, send)
