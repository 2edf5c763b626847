"""Purge clients for the shared caches: Varnish (xkey), Fastly and Cloudflare (tag purge).

Each sends one change's surrogate keys in as few requests as the service allows, and raises
PurgeError when any request failed (the caller retries the whole set: a purge is idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

import aiohttp

from verdict.purge.settings import Backend, PurgeSettings

logger = logging.getLogger("verdict.purge")

VARNISH_PURGE_METHOD = "PURGE"
VARNISH_KEYS_HEADER = "xkey-purge"
"""The request header deploy/varnish/default.vcl reads the keys to purge from."""
FASTLY_MAX_KEYS = 256
CLOUDFLARE_MAX_TAGS = 30
VARNISH_MAX_KEYS = 200
"""Keys per Varnish request: keeps the header well under Varnish's 8 KB header limit."""


class PurgeError(Exception):
    """A purge request failed; the message names the service and status, never a token."""


class Purger(Protocol):
    async def purge(self, keys: Sequence[str]) -> None: ...

    async def close(self) -> None: ...


def _chunks(keys: Sequence[str], size: int) -> list[list[str]]:
    unique = sorted(set(keys))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


class _HttpPurger:
    def __init__(self, timeout: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _send(
        self, service: str, method: str, url: str, *, headers: dict[str, str], json: Any = None
    ) -> Any:
        try:
            async with self._http().request(method, url, headers=headers, json=json) as response:
                body = await response.read()
                if response.status >= 300:
                    raise PurgeError(f"{service} purge answered HTTP {response.status}")
                if response.content_type == "application/json":
                    return await response.json()
                return body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PurgeError(f"{service} purge failed: {type(exc).__name__}") from exc


class VarnishPurger(_HttpPurger):
    """``PURGE /`` with ``xkey-purge: k1 k2`` to every Varnish (see deploy/varnish)."""

    def __init__(self, urls: Sequence[str], timeout: float = 5.0) -> None:
        super().__init__(timeout)
        self._urls = [u.rstrip("/") for u in urls]

    async def purge(self, keys: Sequence[str]) -> None:
        for chunk in _chunks(keys, VARNISH_MAX_KEYS):
            for url in self._urls:
                await self._send(
                    "Varnish",
                    VARNISH_PURGE_METHOD,
                    url + "/",
                    headers={VARNISH_KEYS_HEADER: " ".join(chunk)},
                )


class FastlyPurger(_HttpPurger):
    """Fastly's purge by surrogate keys: ``POST /service/{id}/purge``, ``{"surrogate_keys"}``."""

    def __init__(self, api_url: str, service_id: str, token: str, timeout: float = 5.0) -> None:
        super().__init__(timeout)
        self._url = f"{api_url.rstrip('/')}/service/{service_id}/purge"
        self._token = token

    async def purge(self, keys: Sequence[str]) -> None:
        for chunk in _chunks(keys, FASTLY_MAX_KEYS):
            answer = await self._send(
                "Fastly",
                "POST",
                self._url,
                headers={"Fastly-Key": self._token, "Accept": "application/json"},
                json={"surrogate_keys": chunk},
            )
            # Fastly answers {key: purge id} for every key it accepted.
            if not isinstance(answer, dict) or set(chunk) - set(answer):
                raise PurgeError("Fastly purge answered without every key")


class CloudflarePurger(_HttpPurger):
    """Cloudflare's purge by cache tag: ``POST /client/v4/zones/{zone}/purge_cache``."""

    def __init__(self, api_url: str, zone_id: str, token: str, timeout: float = 5.0) -> None:
        super().__init__(timeout)
        self._url = f"{api_url.rstrip('/')}/client/v4/zones/{zone_id}/purge_cache"
        self._token = token

    async def purge(self, keys: Sequence[str]) -> None:
        for chunk in _chunks(keys, CLOUDFLARE_MAX_TAGS):
            answer = await self._send(
                "Cloudflare",
                "POST",
                self._url,
                headers={"Authorization": f"Bearer {self._token}"},
                json={"tags": chunk},
            )
            if not isinstance(answer, dict) or answer.get("success") is not True:
                raise PurgeError(f"Cloudflare purge refused: {_cloudflare_errors(answer)}")


def _cloudflare_errors(answer: Any) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("errors"), list):
        return "; ".join(str(e.get("message", e)) for e in answer["errors"] if isinstance(e, dict))
    return "unexpected answer"


def purger_for(settings: PurgeSettings) -> Purger | None:
    """The purger the settings choose; None when purging is off."""
    if settings.backend is Backend.VARNISH:
        return VarnishPurger(settings.varnish_urls, settings.timeout)
    if settings.backend is Backend.FASTLY:
        return FastlyPurger(
            settings.fastly_api_url,
            settings.fastly_service_id,
            settings.fastly_api_token,
            settings.timeout,
        )
    if settings.backend is Backend.CLOUDFLARE:
        return CloudflarePurger(
            settings.cloudflare_api_url,
            settings.cloudflare_zone_id,
            settings.cloudflare_api_token,
            settings.timeout,
        )
    return None
