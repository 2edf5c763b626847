"""A fake Directus for fault injection: an aiohttp server answering in Directus's REST shapes.

It serves ``GET /items/<collection>`` (``filter`` as JSON or ``filter[field][_op]=`` brackets,
``sort``, ``limit`` with ``-1`` for all, ``offset``, ``page``, ``fields``) and ``GET /activity``,
answers ``{"data": [...]}`` and errors as ``{"errors": [{"message", "extensions": {"code"}}]}``
like Directus 12, and requires the static bearer token. Faults are scripted per path.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import socket
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web

from cms_sync.directus.source import DirectusSource
from cms_sync.entries import parse_timestamp

TOKEN = "fake-directus-read-only-token"


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted answer: a status and body, optionally after hanging for ``hang`` seconds."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0


def error_body(message: str, code: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_ms() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class FakeDirectus:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.items: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.activity: list[dict[str, Any]] = []
        self.faults: dict[str, deque[Reply | None]] = defaultdict(deque)
        self.loop_collections: set[str] = set()
        self.delay = 0.0
        self.items_requests = 0
        self._counted = asyncio.Condition()
        self.url = ""
        self._sorted: dict[str, list[tuple[datetime, int]]] = {}
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # -- content, as editors would change it -------------------------------------------------

    def put(self, collection: str, entry: dict[str, Any], *, at: datetime | None = None) -> None:
        """Create or update an entry; Directus sets date_created/date_updated."""
        moment = stamp(at or now_ms())
        stored = dict(entry)
        previous = self.items[collection].get(stored["id"])
        stored.setdefault("date_created", previous["date_created"] if previous else moment)
        stored["date_updated"] = moment
        self.items[collection][stored["id"]] = stored
        self._sorted.pop(collection, None)

    def delete(self, collection: str, entry_id: int) -> None:
        del self.items[collection][entry_id]
        self._sorted.pop(collection, None)
        self.activity.append(
            {
                "id": len(self.activity) + 1,
                "action": "delete",
                "collection": collection,
                "item": str(entry_id),
                "timestamp": stamp(now_ms()),
            }
        )

    def fail(self, path: str, *replies: Reply | None) -> None:
        """Answer the next requests to ``path`` with ``replies`` (None: answer normally)."""
        self.faults[path].extend(replies)

    # -- server --------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/items/{collection}", self._items)
        app.router.add_get("/activity", self._activity)
        app.router.add_get("/server/ping", self._ping)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _ping(self, request: web.Request) -> web.Response:
        return web.Response(text="pong")

    async def _scripted(self, request: web.Request) -> web.Response | None:
        queue = self.faults.get(request.path)
        reply = queue.popleft() if queue else None
        if reply is None:
            return None
        if reply.hang:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), reply.hang)
        return web.Response(
            status=reply.status,
            body=reply.body if reply.body is not None else b"",
            headers=reply.headers,
            content_type="application/json",
        )

    def _denied(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "Invalid user credentials.", "INVALID_CREDENTIALS")
        return None

    async def wait_for_items_requests(self, count: int) -> None:
        """Return once ``count`` item requests have arrived."""
        async with self._counted:
            await self._counted.wait_for(lambda: self.items_requests >= count)

    async def _items(self, request: web.Request) -> web.Response:
        async with self._counted:
            self.items_requests += 1
            self._counted.notify_all()
        denied = self._denied(request)
        if denied is not None:
            return denied
        if self.delay:
            await asyncio.sleep(self.delay)
        scripted = await self._scripted(request)
        if scripted is not None:
            return scripted
        collection = request.match_info["collection"]
        if collection not in self.items:
            return _error(403, "You don't have permission to access this.", "FORBIDDEN")
        query = _parse_query(request)
        if collection in self.loop_collections:
            query["filter"] = {}  # a CMS ignoring the page filter
        return _json({"data": self._select(collection, query)})

    async def _activity(self, request: web.Request) -> web.Response:
        denied = self._denied(request)
        if denied is not None:
            return denied
        scripted = await self._scripted(request)
        if scripted is not None:
            return scripted
        return _json({"data": _select_rows(self.activity, _parse_query(request))})

    def _select(self, collection: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self.items[collection]
        if query.get("sort") == ["date_updated", "id"]:
            # Fast path for keyset reads: start at the filter's lower bound, stop at the limit.
            index = self._index(collection)
            start = bisect.bisect_left(index, _lower_bound(query.get("filter") or {}))
            limit = query["limit"]
            picked: list[dict[str, Any]] = []
            for _, entry_id in index[start:]:
                entry = rows[entry_id]
                if _matches(entry, query.get("filter") or {}):
                    picked.append(entry)
                    if limit != -1 and len(picked) >= limit + query["offset"]:
                        break
            return [_project(e, query["fields"]) for e in picked[query["offset"] :]]
        return _select_rows(list(rows.values()), query)

    def _index(self, collection: str) -> list[tuple[datetime, int]]:
        if collection not in self._sorted:
            self._sorted[collection] = sorted(
                (parse_timestamp(e["date_updated"]), e["id"])
                for e in self.items[collection].values()
            )
        return self._sorted[collection]


def _parse_query(request: web.Request) -> dict[str, Any]:
    params = request.query
    flt: dict[str, Any] = {}
    if "filter" in params:
        flt = orjson.loads(params["filter"])
    for key, value in params.items():
        if key.startswith("filter["):  # filter[field][_op]=value
            path = key[len("filter[") : -1].split("][")
            node = flt
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
    limit = int(params.get("limit", "100"))
    offset = int(params.get("offset", "0"))
    if "page" in params and limit != -1:
        offset = (int(params["page"]) - 1) * limit
    fields = params.get("fields", "*").split(",")
    sort = params["sort"].split(",") if "sort" in params else ["id"]
    return {"filter": flt, "limit": limit, "offset": offset, "fields": fields, "sort": sort}


def _by(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: _sort_key(row.get(name))


def _select_rows(rows: list[dict[str, Any]], query: dict[str, Any]) -> list[dict[str, Any]]:
    picked = [r for r in rows if _matches(r, query["filter"])]
    for key in reversed(query["sort"]):
        descending = key.startswith("-")
        name = key.lstrip("-")
        picked.sort(key=_by(name), reverse=descending)
    picked = picked[query["offset"] :]
    if query["limit"] != -1:
        picked = picked[: query["limit"]]
    return [_project(r, query["fields"]) for r in picked]


def _project(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    if "*" in fields:
        return row
    return {f: row.get(f) for f in fields}


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        try:
            return (1, parse_timestamp(value).timestamp())
        except ValueError:
            return (2, value)
    return (1, value)


def _coerce(value: Any, operand: Any) -> tuple[Any, Any]:
    if isinstance(value, str) and isinstance(operand, str):
        try:
            return parse_timestamp(value), parse_timestamp(operand)
        except ValueError:
            return value, operand
    if isinstance(value, int) and isinstance(operand, str):
        return value, int(operand)
    return value, operand


def _matches(row: dict[str, Any], flt: dict[str, Any]) -> bool:
    for key, condition in flt.items():
        if key == "_and":
            if not all(_matches(row, c) for c in condition):
                return False
        elif key == "_or":
            if not any(_matches(row, c) for c in condition):
                return False
        else:
            for op, operand in condition.items():
                if not _compare(row.get(key), op, operand):
                    return False
    return True


def _compare(value: Any, op: str, operand: Any) -> bool:
    if op == "_null":
        return value is None
    if op == "_nnull":
        return value is not None
    if value is None:
        return False
    left, right = _coerce(value, operand)
    match op:
        case "_eq":
            return bool(left == right)
        case "_neq":
            return bool(left != right)
        case "_gt":
            return bool(left > right)
        case "_gte":
            return bool(left >= right)
        case "_lt":
            return bool(left < right)
        case "_lte":
            return bool(left <= right)
        case "_in":
            return value in operand
    raise ValueError(f"fake Directus does not know filter operator {op}")


def _lower_bound(flt: dict[str, Any]) -> tuple[datetime, int]:
    """The smallest (date_updated, id) a keyset filter can match (a safe under-estimate)."""
    bound = (datetime.min.replace(tzinfo=UTC), 0)
    for clause in flt.get("_and", []):
        updated = clause.get("date_updated", {})
        for op in ("_gt", "_gte"):
            if op in updated:
                bound = max(bound, (parse_timestamp(updated[op]) - timedelta(milliseconds=1), 0))
        for alternative in clause.get("_or", []):
            if "date_updated" in alternative and "_gt" in alternative["date_updated"]:
                moment = parse_timestamp(alternative["date_updated"]["_gt"])
                bound = max(bound, (moment - timedelta(milliseconds=1), 0))
    return bound


def _json(document: Any) -> web.Response:
    return web.Response(body=orjson.dumps(document), content_type="application/json")


def _error(status: int, message: str, code: str) -> web.Response:
    return web.Response(
        status=status, body=error_body(message, code), content_type="application/json"
    )


class SleepRecorder:
    """Stands in for asyncio.sleep in the retry loop: records the waits, does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


SourceFactory = Callable[..., DirectusSource]
