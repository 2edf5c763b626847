"""A Strapi 5 stand-in for benchmarks and fast tests: an aiohttp server answering the REST API's
shapes for the queries ``cms_sync.strapi.source`` sends. The real Strapi runs in
``tests/cms_sync/strapi`` and ``tests/e2e/test_strapi_sync.py``; this one serves 60,000 documents
in the time a benchmark can wait.

Reproduced from Strapi 5's REST API documentation (docs.strapi.io, "REST API": parameters,
filters, populate, sort and pagination, status) and checked against Strapi 5.54's answers:

* ``GET /api/<pluralName>`` with a bearer token; ``{"data": [...], "meta": {"pagination":
  {"page", "pageSize", "pageCount"?, "total"?}}}``;
* ``status=draft|published`` (default ``published``): every document has a draft row (its
  ``publishedAt`` null) and, when published, a published row; both share the ``documentId``;
* ``fields[i]``: the listed attributes plus ``id`` and ``documentId``;
* relations are left out unless ``populate[<relation>][fields][0]=documentId``, then
  ``{"id", "documentId"}`` or null; a published row's link to a target without a published
  version is null;
* ``filters[documentId][$gt]``, ``filters[documentId][$in][i]``,
  ``filters[updatedAt|publishedAt][$gt|$lte]``;
* ``sort[0]=documentId:asc``; ``pagination[page]``, ``pagination[pageSize]`` (capped at the
  ``maxLimit`` of ``cms/strapi/config/api.js``, 1,000), ``pagination[withCount]``;
* errors as ``{"data": null, "error": {"status", "name", "message", "details"}}``.

Other parameters answer 400, so a source that starts sending them fails here first.
"""

from __future__ import annotations

import bisect
import socket
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiohttp import web

from cms_sync.content_model import load_content_model
from cms_sync.mapping import Mapping, load_mapping

TOKEN = "fake-strapi-read-only-token"
MAX_LIMIT = 1000
_PREFIXES = ("filters[", "fields[", "populate[", "sort[", "pagination[")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeStrapi:
    def __init__(self, token: str = TOKEN, mapping: Mapping | None = None) -> None:
        self.token = token
        self.mapping = mapping if mapping is not None else load_mapping("strapi")
        # collection -> documentId -> status ("draft"/"published") -> row
        self.documents: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(dict)
        self.requests = 0
        self.url = ""
        self._sorted: dict[str, list[str]] = {}
        self._runner: web.AppRunner | None = None
        self._next_row = 1

    # -- content, as editors would change it ---------------------------------------------------

    def put(self, collection: str, entry: dict[str, Any], *, at: datetime | None = None) -> str:
        """Save (and, for ``status: "published"``, publish) an entry given in Verdict's canonical
        shape (``tests/support/content.py``): the mapping says where each field goes."""
        spec = self.mapping.collections[collection]
        document_id = str(entry["id"])
        when = at or datetime.now(UTC)
        moment = stamp(when)
        # Strapi publishes a clone of the draft just after saving it: publishedAt comes later.
        published_at = stamp(when + timedelta(milliseconds=1))
        row: dict[str, Any] = {"documentId": document_id}
        for field in spec.fields:
            if field.path is None:
                continue
            value = entry.get(field.name)
            if field.link is not None and value is not None:
                value = {"documentId": str(value)}
            row[field.path[0]] = value
        versions = self.documents[collection].setdefault(document_id, {})
        created = versions.get("draft", {}).get("createdAt", moment)
        # Without draft & publish, Strapi's one row has publishedAt set, whatever the status asked.
        versions["draft"] = self._row(row, created, moment, None if spec.status else moment)
        if spec.status is None or entry.get("status") == "published":
            versions["published"] = self._row(row, created, moment, published_at)
        else:
            versions.pop("published", None)
        self._sorted.pop(collection, None)
        return document_id

    def unpublish(self, collection: str, document_id: str) -> None:
        """Strapi's unpublish: the published row goes; the draft keeps its updatedAt."""
        self.documents[collection][document_id].pop("published", None)

    def delete(self, collection: str, document_id: str) -> None:
        del self.documents[collection][document_id]
        self._sorted.pop(collection, None)

    def _row(
        self, fields: dict[str, Any], created: str, updated: str, published: str | None
    ) -> dict[str, Any]:
        row = {"id": self._next_row, **fields, "createdAt": created, "updatedAt": updated}
        row["publishedAt"] = published
        self._next_row += 1
        return row

    # -- server --------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/api/{plural}", self._list)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _list(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "UnauthorizedError", "Missing or invalid credentials")
        plural = request.match_info["plural"]
        collection = next(
            (c for c, s in self.mapping.collections.items() if s.cms_type == plural), None
        )
        if collection is None:
            return _error(404, "NotFoundError", "Not Found")
        try:
            query = _Query(request.query, self.mapping, collection)
        except ValueError as exc:
            return _error(400, "ValidationError", str(exc))
        rows = self._select(collection, query)
        meta: dict[str, Any] = {"page": query.page, "pageSize": query.page_size}
        return web.Response(
            body=orjson.dumps({"data": rows, "meta": {"pagination": meta}}),
            content_type="application/json",
        )

    def _ids(self, collection: str) -> list[str]:
        if collection not in self._sorted:
            self._sorted[collection] = sorted(self.documents[collection])
        return self._sorted[collection]

    def _select(self, collection: str, query: _Query) -> list[dict[str, Any]]:
        documents = self.documents[collection]
        if query.within is not None:
            candidates: list[str] = sorted(i for i in query.within if i in documents)
        else:
            ids = self._ids(collection)
            candidates = ids[bisect.bisect_right(ids, query.after) if query.after else 0 :]
        skip = (query.page - 1) * query.page_size
        picked: list[dict[str, Any]] = []
        for document_id in candidates:
            if query.after and document_id <= query.after:
                continue
            row = documents[document_id].get(query.status)
            if row is None or not query.matches(row):
                continue
            if skip:
                skip -= 1
                continue
            picked.append(self._project(collection, row, query))
            if len(picked) >= query.page_size:
                break
        return picked

    def _project(self, collection: str, row: dict[str, Any], query: _Query) -> dict[str, Any]:
        spec = self.mapping.collections[collection]
        links = {f.path[0] for f in spec.fields if f.link is not None and f.path is not None}
        shown = {
            k: v
            for k, v in row.items()
            if k not in links
            and (query.fields is None or k in query.fields or k in ("id", "documentId"))
        }
        for name in query.populate:
            target = _related(self.mapping, collection, name)
            shown[name] = self._link(target, row.get(name), query)
        return shown

    def _link(
        self, collection: str, target: dict[str, Any] | None, query: _Query
    ) -> dict[str, Any] | None:
        if target is None:
            return None
        versions = self.documents[collection].get(str(target["documentId"]))
        if versions is None:
            return None
        row = versions.get(query.status) or (
            versions.get("published")
            if self.mapping.collections[collection].status is None
            else None
        )
        if row is None:
            return None  # a published row links only to published targets
        return {"id": row["id"], "documentId": row["documentId"]}


def _related(mapping: Mapping, collection: str, relation: str) -> str:
    """The collection a relation of ``collection`` points at (the content model's m2o)."""
    spec = mapping.collections[collection]
    field = next(f for f in spec.fields if f.path is not None and f.path[0] == relation)
    model_field = next(
        f for f in load_content_model().collections[collection].fields if f.name == field.name
    )
    assert model_field.related is not None
    return model_field.related


class _Query:
    def __init__(self, raw: Any, mapping: Mapping, collection: str) -> None:
        self.status = raw.get("status", "published")
        if self.status not in ("draft", "published"):
            raise ValueError("Invalid status")
        self.fields: set[str] | None = None
        self.populate: list[str] = []
        self.after = ""
        self.within: set[str] | None = None
        self.bounds: list[tuple[str, str, str]] = []
        self.page = 1
        self.page_size = 25
        for key, value in raw.items():
            if key == "status":
                continue
            if not key.startswith(_PREFIXES):
                raise ValueError(f"Invalid key {key}")
            self._read(key, value, mapping, collection)

    def _read(self, key: str, value: str, mapping: Mapping, collection: str) -> None:
        if key.startswith("fields["):
            self.fields = (self.fields or set()) | {value}
        elif key.startswith("populate["):
            name = key[len("populate[") :].split("]", 1)[0]
            links = [f for f in mapping.collections[collection].fields if f.link is not None]
            if (
                key != f"populate[{name}][fields][0]"
                or value != "documentId"
                or not any(f.path is not None and f.path[0] == name for f in links)
            ):
                raise ValueError(f"Invalid populate {key}")
            self.populate.append(name)
        elif key == "sort[0]":
            if value != "documentId:asc":
                raise ValueError(f"Unsupported sort {value}")
        elif key == "pagination[page]":
            self.page = max(1, int(value))
        elif key == "pagination[pageSize]":
            self.page_size = min(MAX_LIMIT, max(1, int(value)))
        elif key == "pagination[withCount]":
            pass
        elif key == "filters[documentId][$gt]":
            self.after = value
        elif key.startswith("filters[documentId][$in]["):
            self.within = (self.within or set()) | {value}
        elif key.startswith(("filters[updatedAt][", "filters[publishedAt][")):
            name = key[len("filters[") :].split("]", 1)[0]
            operator = key.rsplit("[", 1)[1].rstrip("]")
            if operator not in ("$gt", "$lte"):
                raise ValueError(f"Unsupported operator {operator}")
            self.bounds.append((name, operator, value))
        else:
            raise ValueError(f"Invalid key {key}")

    def matches(self, row: dict[str, Any]) -> bool:
        for name, operator, value in self.bounds:
            have = row.get(name)
            if have is None:
                return False
            # Same-format ISO strings (ms, Z) compare as their instants do.
            if operator == "$gt" and not have > value:
                return False
            if operator == "$lte" and not have <= value:
                return False
        return True


def _error(status: int, name: str, message: str) -> web.Response:
    body = {
        "data": None,
        "error": {"status": status, "name": name, "message": message, "details": {}},
    }
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
