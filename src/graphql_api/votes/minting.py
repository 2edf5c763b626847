"""``POST /voter``: the one deliberate step that issues a voter (``GET /voter/challenge`` first
when proof of work is on).

A browser page does it once, when it first needs to vote; a mobile app does it once and keeps
the token. Each mint is counted against the caller's address and its network (/24 for IPv4,
/56 for IPv6), may require a proof of work and a bot check, and answers the token in the JSON
body, the ``X-Verdict-Voter`` header and the voter cookie. A caller that already presents a
valid voter gets that one back, at no cost to its allowance.

Request body (JSON, every field optional unless the server asks for it):
``{"challenge": "...", "nonce": "...", "botCheckToken": "..."}``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import orjson
from redis.exceptions import RedisError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphql_api.errors import ErrorCode
from graphql_api.limits.client_ip import ip_prefix
from graphql_api.votes.botcheck import BotCheck, BotCheckError
from graphql_api.votes.pow import ProofError, ProofOfWork
from graphql_api.votes.ratelimit import CounterStore, Limit
from graphql_api.votes.voter import (
    HEADER_NAME,
    BearerVoters,
    Refusal,
    Voter,
    VoterKind,
    VoterSigner,
    cookie_header,
    presented_voter,
    secure_request,
)

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 16_384
_NO_STORE = {"cache-control": "no-store"}


@dataclass(frozen=True, slots=True)
class MintLimiter:
    """Fixed-window limits on voters minted per address and per network."""

    store: CounterStore
    per_ip: Limit
    per_prefix: Limit

    async def check(self, client_ip: str) -> int | None:
        """None when a voter may be minted, else the seconds until the caller may retry.

        Every attempt counts against the address; only attempts the address may make count
        against its network, so one address hammering away cannot lock its neighbours out.
        """
        for limit, key in (
            (self.per_ip, f"mint-ip:{client_ip}"),
            (self.per_prefix, f"mint-net:{ip_prefix(client_ip)}"),
        ):
            if limit.count <= 0:
                continue
            try:
                count, remaining_ms = await self.store.hit(key, limit.window_seconds * 1000)
            except RedisError:
                # Fail open, as the vote limits do: an unreachable Redis must not stop voting.
                logger.warning("mint limit check skipped: Redis unavailable", exc_info=True)
                continue
            if count > limit.count:
                return max(1, math.ceil(remaining_ms / 1000))
        return None


def _error(status: int, code: ErrorCode, message: str, **extra: object) -> JSONResponse:
    body = {"error": {"code": code.value, "message": message}, **extra}
    return JSONResponse(body, status_code=status, headers=_NO_STORE)


@dataclass(frozen=True, slots=True)
class Minting:
    signer: VoterSigner
    limiter: MintLimiter
    proof: ProofOfWork | None
    botcheck: BotCheck | None
    bearer: BearerVoters | None
    secure_cookies: bool

    async def challenge(self, request: Request) -> Response:
        """What a page must do before ``POST /voter``."""
        body = {
            "proofOfWork": (
                {"challenge": self.proof.challenge(), "bits": self.proof.bits}
                if self.proof is not None
                else None
            ),
            "botCheck": self.botcheck is not None,
        }
        return JSONResponse(body, headers=_NO_STORE)

    async def mint(self, request: Request) -> Response:
        try:
            existing = await presented_voter(self.signer, self.bearer, Headers(scope=request.scope))
        except Refusal:
            existing = None  # a bad credential is exactly what minting replaces
        if existing is not None:
            return self._answer(request, existing, None)
        fields = await _fields(request)
        if fields is None:
            return _error(400, ErrorCode.BAD_REQUEST, "The body must be a JSON object (or empty).")
        client_ip = request.client.host if request.client is not None else "unknown"
        retry_after = await self.limiter.check(client_ip)
        if retry_after is not None:
            response = _error(
                429,
                ErrorCode.VOTER_MINT_LIMITED,
                f"Too many new voters from this network; retry in {retry_after} s.",
                retryAfterSeconds=retry_after,
            )
            response.headers["retry-after"] = str(retry_after)
            return response
        kind = VoterKind.MINTED
        if self.proof is not None:
            try:
                await self.proof.check(fields.get("challenge", ""), fields.get("nonce", ""))
            except ProofError as exc:
                return _error(400, ErrorCode.VOTER_PROOF_INVALID, f"Proof of work refused: {exc}.")
            kind = VoterKind.POW
        if self.botcheck is not None:
            try:
                await self.botcheck.verify(fields.get("botCheckToken", ""), client_ip)
            except BotCheckError as exc:
                status = 503 if exc.unavailable else 403
                return _error(status, ErrorCode.BOT_CHECK_FAILED, f"Bot check refused: {exc}.")
            kind = VoterKind.BOTCHECK
        voter, token = self.signer.mint(kind)
        return self._answer(request, voter, token)

    def _answer(self, request: Request, voter: Voter, token: str | None) -> Response:
        body: dict[str, object] = {
            "voterKind": voter.kind.value,
            "mintedAt": voter.minted_at.isoformat() if voter.minted_at else None,
            "token": token,
        }
        response = JSONResponse(body, status_code=201 if token else 200, headers=_NO_STORE)
        if token is not None:
            response.headers[HEADER_NAME] = token
            secure = secure_request(request.scope, self.secure_cookies)
            response.raw_headers.append((b"set-cookie", cookie_header(token, secure=secure)))
        return response

    def routes(self) -> list[Route]:
        return [
            Route("/voter", self.mint, methods=["POST"]),
            Route("/voter/challenge", self.challenge, methods=["GET"]),
        ]


async def _fields(request: Request) -> dict[str, str] | None:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            return None
    if not raw.strip():
        return {}
    try:
        parsed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict):
        return None
    return {str(k): v for k, v in parsed.items() if isinstance(v, str)}
