"""A small client for Directus's admin REST API, used by provisioning."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Final, cast

import aiohttp

REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=30, connect=5)

JSON = Any
Item = dict[str, Any]


class ProvisionError(RuntimeError):
    """Directus answered something provisioning cannot work with."""


def log(message: str) -> None:
    print(f"provision: {message}", file=sys.stderr, flush=True)


class AdminApi:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._token = token

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: JSON = None,
        token: str | None = None,
        ok: Sequence[int] = (200, 204),
    ) -> tuple[int, JSON]:
        headers = {"Authorization": f"Bearer {token or self._token}"}
        async with self._session.request(
            method,
            f"{self._base}{path}",
            params=params,
            json=body,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
        ) as response:
            text = await response.text()
            if response.status not in ok:
                raise ProvisionError(
                    f"{method} {path} -> {response.status}: {text[:1000]}"
                    + (f"\nrequest body: {json.dumps(body)[:1000]}" if body is not None else "")
                )
            if not text:
                return response.status, None
            return response.status, json.loads(text)

    async def data(self, method: str, path: str, **kwargs: Any) -> JSON:
        _status, payload = await self.call(method, path, **kwargs)
        return None if payload is None else payload.get("data")

    async def items(self, path: str, params: Mapping[str, str] | None = None) -> list[Item]:
        found = await self.data("GET", path, params={"limit": "-1", **(params or {})})
        return cast("list[Item]", found or [])

    async def find_one(self, path: str, **filters: str) -> Item | None:
        """The first item at ``path`` whose fields equal ``filters``, or None."""
        params = {f"filter[{k}][_eq]": v for k, v in filters.items()}
        found = await self.items(path, params)
        return found[0] if found else None
