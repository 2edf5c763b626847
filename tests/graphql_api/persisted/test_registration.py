"""Only documents that parsed and validated are registered; in Redis, registrations expire and
their total stays under a byte cap."""

from __future__ import annotations

import hashlib
import uuid

from redis.asyncio import Redis

from graphql_api.persisted.store import REDIS_TTL_SECONDS, RedisDocuments
from tests.support.apps import app_for, client_for
from tests.support.services import require_redis
from verdict.settings import Settings


def _apq(query: str | None, sha256: str) -> dict[str, object]:
    body: dict[str, object] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    }
    if query is not None:
        body["query"] = query
    return body


async def test_documents_that_fail_are_not_registered(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        for broken, code in (
            ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
            ("{ oops", "GRAPHQL_PARSE_FAILED"),
        ):
            sha256 = hashlib.sha256(broken.encode()).hexdigest()
            first = (await http.post("/graphql", json=_apq(broken, sha256))).json()
            assert first["errors"][0]["extensions"]["code"] == code
            again = (await http.post("/graphql", json=_apq(None, sha256))).json()
            assert again["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        good = "{ __typename }"
        sha256 = hashlib.sha256(good.encode()).hexdigest()
        await http.post("/graphql", json=_apq(good, sha256))
        again = (await http.post("/graphql", json=_apq(None, sha256))).json()
        assert again["data"] == {"__typename": "Query"}


async def test_redis_documents_expire_and_stay_under_the_cap() -> None:
    url = require_redis()
    redis = Redis.from_url(url)
    prefix = f"verdict:test:apq:{uuid.uuid4().hex}:"
    store = RedisDocuments(redis, 100, local_bytes=1024 * 1024, max_bytes=50_000, prefix=prefix)
    try:
        for n in range(40):
            document = f"query Q{n} {{ __typename }} # " + "x" * 5_000
            await store.put(f"{n:064x}", document)
        total = int(await redis.get(store.total_key) or 0)
        assert 0 < total <= 50_000
        stored = [key async for key in redis.scan_iter(match=prefix + "0*")]
        assert 0 < len(stored) <= 10
        for key in stored:
            assert 0 < await redis.ttl(key) <= REDIS_TTL_SECONDS
        # The newest registrations are kept; another replica (a fresh store) reads them.
        other = RedisDocuments(redis, 100, local_bytes=1024 * 1024, max_bytes=50_000, prefix=prefix)
        assert await other.get(f"{39:064x}") is not None
        assert await other.get(f"{0:064x}") is None
    finally:
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
