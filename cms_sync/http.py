"""JSON over HTTP for CMS adapters: one aiohttp session, timeouts, limits and a retry policy.

Every answer is sorted into retryable (429 honouring Retry-After or Contentful's
X-Contentful-RateLimit-Reset, 5xx, connection resets,
timeouts, truncated or garbled JSON) and fatal (any other 4xx or 3xx). Retryable ones are retried
with capped exponential backoff and full jitter; a fatal one, or running out of attempts, raises
one ``SourceError`` naming what was being read and the status. Logs name the path only: never
the token, the query string or the full URL.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import aiohttp
import orjson
from yarl import URL

from cms_sync.source import SourceError

log = logging.getLogger("cms_sync.http")

Sleep = Callable[[float], Awaitable[None]]
RATE_LIMIT_RESET = "X-Contentful-RateLimit-Reset"

NODE_KEEPALIVE_TIMEOUT = 5.0
"""Seconds Node's HTTP server (Directus, Strapi) keeps an idle keep-alive connection open."""
IDLE_KEEPALIVE = 2.0
"""Seconds our pools keep an idle connection for reuse: well under ``NODE_KEEPALIVE_TIMEOUT``."""


def cms_connector(limit: int = 100) -> aiohttp.TCPConnector:
    """A connection pool for talking to a CMS.

    aiohttp keeps an idle connection 15 s by default; Node closes it after 5 s. A request sent on
    a connection the server is closing at that moment is lost ("Server disconnected"): JsonClient
    retries its GETs, but a POST to Strapi or Directus (provisioning, the issue board, an editor's
    save in the tests) must not be sent on one. Dropping idle connections first closes the race.
    """
    return aiohttp.TCPConnector(limit=limit, keepalive_timeout=IDLE_KEEPALIVE)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: ``max_attempts`` in all, waits doubling from ``base_delay`` to a cap."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    """A server asking for a longer pause than this is waited for this long, then retried."""

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        return random.uniform(0, ceiling)


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Connection pool size and timeouts (seconds) for one CMS."""

    connections: int = 8
    total_timeout: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0


class _Retryable(Exception):
    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


class JsonClient:
    """GET JSON from one base URL with a bearer token; use as ``async with``."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        limits: HttpLimits | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self._base = URL(base_url.rstrip("/"))
        self._token = token
        self._limits = limits or HttpLimits()
        self._policy = policy or RetryPolicy()
        self._sleep = sleep if sleep is not None else asyncio.sleep
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> JsonClient:
        limits = self._limits
        headers = {"Accept": "application/json", "User-Agent": "verdict-sync"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        self._session = aiohttp.ClientSession(
            connector=cms_connector(limits.connections),
            timeout=aiohttp.ClientTimeout(
                total=limits.total_timeout,
                sock_connect=limits.connect_timeout,
                sock_read=limits.read_timeout,
            ),
            headers=headers,
            raise_for_status=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, path: str, params: Mapping[str, str], *, what: str) -> Any:
        """GET ``path`` and return its decoded JSON; ``what`` (a collection) names errors."""
        if self._session is None:
            raise RuntimeError("JsonClient used outside 'async with'")
        url = self._base.with_path(self._base.path.rstrip("/") + path)
        policy = self._policy
        last_problem = ""
        for attempt in range(1, policy.max_attempts + 1):
            try:
                return await self._attempt(self._session, url, params, what=what, path=path)
            except _Retryable as exc:
                last_problem = exc.problem
                if attempt == policy.max_attempts:
                    break
                if exc.retry_after is not None:
                    delay = min(exc.retry_after, policy.max_retry_after)
                else:
                    delay = policy.backoff(attempt)
                log.warning(
                    "%s: GET %s %s; retry %d/%d in %.2fs",
                    what,
                    path,
                    exc.problem,
                    attempt + 1,
                    policy.max_attempts,
                    delay,
                )
                await self._sleep(delay)
        raise SourceError(
            f"{what}: GET {path} failed after {policy.max_attempts} attempts: {last_problem}"
        )

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        url: URL,
        params: Mapping[str, str],
        *,
        what: str,
        path: str,
    ) -> Any:
        try:
            async with session.get(url, params=dict(params), allow_redirects=False) as response:
                status = response.status
                body = await response.read()
                retry_after = _retry_after(response.headers.get("Retry-After"))
                if retry_after is None:
                    # Contentful's 429: the seconds until its rate limit resets.
                    retry_after = _retry_after(response.headers.get(RATE_LIMIT_RESET))
        except TimeoutError:
            raise _Retryable("timed out") from None
        except aiohttp.ClientPayloadError as exc:
            raise _Retryable(f"was cut off ({type(exc).__name__})") from None
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from None
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            raise _Retryable("answered 429 Too Many Requests", retry_after)
        if status >= 500:
            raise _Retryable(f"answered {_status_text(status)}", retry_after)
        if status != HTTPStatus.OK:
            detail = _error_detail(body)
            raise SourceError(
                f"{what}: the CMS answered {_status_text(status)} for GET {path}"
                + (f": {detail}" if detail else "")
            )
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise _Retryable(f"returned invalid or truncated JSON ({len(body)} bytes)") from None


class JsonSource:
    """What every CMS source over HTTP shares: one ``JsonClient`` (``self._client``), opened and
    closed with the source; use as ``async with``."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        limits: HttpLimits | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self._client = JsonClient(base_url, token, limits=limits, policy=policy, sleep=sleep)

    async def __aenter__(self) -> Self:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.close()


def _status_text(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _retry_after(raw: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent/bad."""
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _error_detail(body: bytes) -> str:
    """Directus's ``{"errors": [{"message", "extensions": {"code"}}]}`` or Contentful's
    ``{"sys": {"type": "Error", "id"}, "message"}``, shortened."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return ""
    sys = document.get("sys") if isinstance(document, dict) else None
    if isinstance(sys, dict) and sys.get("type") == "Error":
        message = str(document.get("message", ""))[:200]
        return f"{message} ({sys.get('id')})"
    errors = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return ""
    first = errors[0]
    message = str(first.get("message", ""))[:200]
    extensions = first.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return f"{message} ({code})" if code else message
