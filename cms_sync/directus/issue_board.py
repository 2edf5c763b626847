"""Sync issues in Directus: the ``verdict_sync_issues`` collection, written by the worker.

One item per quarantined entry: the collection and id of the entry, the reason, a link to the
entry in the admin app, and when it was first seen. The worker writes it with its second token,
which may only create, read, update and delete items of this one collection (see
``issues_access.py``); editors may only read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from types import TracebackType
from typing import Any, Final

import aiohttp

from cms_sync.http import cms_connector
from cms_sync.issues import SyncIssue

ISSUES_COLLECTION: Final = "verdict_sync_issues"
_FIELDS: Final = ("collection", "item", "reason_code", "reason", "link")
_TIMEOUT: Final = aiohttp.ClientTimeout(total=20, connect=5)


class IssueBoardError(RuntimeError):
    """Directus refused or failed a write to the sync issues collection."""


def admin_link(collection: str, item: str) -> str:
    """The entry's page in Directus's admin app, relative to Directus's URL."""
    return f"/admin/content/{collection}/{item}"


def issue_item(issue: SyncIssue) -> dict[str, Any]:
    """The Directus item for ``issue``."""
    first_seen = issue.first_seen.astimezone(UTC).isoformat(timespec="milliseconds")
    return {
        "collection": issue.collection,
        "item": issue.item,
        "reason_code": issue.reason_code,
        "reason": issue.reason,
        "link": admin_link(issue.collection, issue.item),
        "first_seen": first_seen.replace("+00:00", "Z"),
    }


class DirectusIssueBoard:
    """Publishes sync issues to one Directus with the issues token; use as ``async with``."""

    def __init__(self, base_url: str, token: str) -> None:
        self._url = f"{base_url.rstrip('/')}/items/{ISSUES_COLLECTION}"
        self._token = token
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> DirectusIssueBoard:
        self._session = aiohttp.ClientSession(
            connector=cms_connector(),
            timeout=_TIMEOUT,
            headers={"Authorization": f"Bearer {self._token}", "User-Agent": "verdict-sync"},
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def publish(self, issues: Sequence[SyncIssue]) -> None:
        wanted = {(i.collection, i.item): issue_item(i) for i in issues}
        shown: dict[tuple[str, str], dict[str, Any]] = {}
        stale: list[Any] = []
        fields = ",".join(("id", *_FIELDS))
        for item in await self._send("GET", "", params={"limit": "-1", "fields": fields}) or []:
            key = (str(item.get("collection")), str(item.get("item")))
            if key in wanted and key not in shown:
                shown[key] = item
            else:
                stale.append(item["id"])  # synced since, or a duplicate
        new = [item for key, item in wanted.items() if key not in shown]
        if new:
            await self._send("POST", "", body=new)
        for key, item in shown.items():
            patch = {f: wanted[key][f] for f in _FIELDS if item.get(f) != wanted[key][f]}
            if patch:
                await self._send("PATCH", f"/{item['id']}", body=patch)
        if stale:
            await self._send("DELETE", "", body=stale)

    async def _send(
        self, method: str, path: str, *, params: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        if self._session is None:
            raise RuntimeError("DirectusIssueBoard used outside 'async with'")
        try:
            async with self._session.request(
                method, self._url + path, params=params, json=body
            ) as response:
                if response.status >= 300:
                    detail = (await response.text())[:300]
                    raise IssueBoardError(
                        f"{method} {ISSUES_COLLECTION}{path} answered {response.status}: {detail}"
                    )
                if response.status == 204:
                    return None
                document = await response.json()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise IssueBoardError(
                f"{method} {ISSUES_COLLECTION}{path} failed: {type(exc).__name__}"
            ) from None
        return document.get("data") if isinstance(document, dict) else None
