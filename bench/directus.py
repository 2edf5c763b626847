"""The alternative users have today: the comparison page from Directus's own GraphQL API.

Starts a real Directus (``cms_sync.directus.server``) on its own PostgreSQL database (the same
server Verdict reads), provisions Verdict's content model (``cms_sync.directus.provision``), adds
the two one-to-many fields a page query needs (``comparisons.sides``, ``tools.reviews``), and loads
a dataset through the REST API in bulk (arrays of items per POST).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bench.dataset import (
    COMPARISON_COLUMNS,
    REVIEW_COLUMNS,
    REVIEWER_COLUMNS,
    SIDE_COLUMNS,
    TOOL_COLUMNS,
    Dataset,
)
from cms_sync.directus.provision import provision
from cms_sync.directus.server import DirectusServer

BATCH = 500
TIMEOUT = aiohttp.ClientTimeout(total=300)

PAGE_QUERY = """
query Page($slug: String!) {
  comparisons(filter: {slug: {_eq: $slug}, status: {_eq: "published"}}, limit: 1) {
    id slug title headline summary pricing_read voting_open published_at date_updated
    sides(sort: ["sort"]) {
      sort
      tool {
        id slug name vendor tagline category pricing_entry license open_weights model_sizes
        website logo_url
        reviews(filter: {status: {_eq: "published"}}, limit: -1) {
          verdict quote published_at reviewer { slug name lens }
        }
      }
    }
  }
}
"""


def _items(rows: list[tuple[Any, ...]], columns: list[str], rename: dict[str, str]) -> list[Any]:
    skip = {"cms_updated_at", "synced_at"}
    out = []
    for row in rows:
        item = {}
        for column, value in zip(columns, row, strict=True):
            if column in skip:
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            item[rename.get(column, column)] = value
        out.append(item)
    return out


async def _call(http: aiohttp.ClientSession, method: str, url: str, body: Any = None) -> Any:
    async with http.request(method, url, json=body) as response:
        text = await response.text()
        if response.status >= 300:
            raise RuntimeError(f"Directus {method} {url}: {response.status} {text[:500]}")
        return text


async def _one_to_many(http: aiohttp.ClientSession, base: str) -> None:
    """Alias fields so a page reads in one nested query: comparisons.sides, tools.reviews."""
    for collection, alias, many, field in (
        ("comparisons", "sides", "comparison_sides", "comparison"),
        ("tools", "reviews", "reviews", "tool"),
    ):
        await _call(
            http,
            "POST",
            f"{base}/fields/{collection}",
            {"field": alias, "type": "alias", "meta": {"special": ["o2m"]}},
        )
        await _call(
            http, "PATCH", f"{base}/relations/{many}/{field}", {"meta": {"one_field": alias}}
        )


async def _load(http: aiohttp.ClientSession, base: str, data: Dataset) -> None:
    import json

    tools = _items(data.tools, TOOL_COLUMNS, {})
    for tool in tools:
        tool["model_sizes"] = json.loads(tool["model_sizes"])
    collections = (
        ("tools", tools),
        ("reviewers", _items(data.reviewers, REVIEWER_COLUMNS, {})),
        ("comparisons", _items(data.comparison_rows, COMPARISON_COLUMNS, {})),
        (
            "comparison_sides",
            _items(data.sides, SIDE_COLUMNS, {"comparison_id": "comparison", "tool_id": "tool"}),
        ),
        (
            "reviews",
            _items(data.reviews, REVIEW_COLUMNS, {"reviewer_id": "reviewer", "tool_id": "tool"}),
        ),
    )
    for collection, items in collections:
        if collection == "comparison_sides":
            for item in items:
                item["sort"] = item.pop("position")
        for start in range(0, len(items), BATCH):
            await _call(http, "POST", f"{base}/items/{collection}", items[start : start + BATCH])


@contextlib.asynccontextmanager
async def running(data: Dataset, postgres_url: str) -> AsyncIterator[tuple[DirectusServer, float]]:
    """A provisioned Directus holding ``data``; yields it and the seconds loading took."""
    name = f"verdict_bench_directus_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    data_dir = Path(tempfile.mkdtemp(prefix="verdict-bench-directus-"))
    server_url = postgres_url.replace("postgresql://", "postgres://", 1)
    user_host = server_url.removeprefix("postgres://").rpartition("/")[0]
    user, _, host_port = user_host.rpartition("@")
    host, _, port = host_port.partition(":")
    env = {
        "DB_CLIENT": "pg",
        "DB_HOST": host,
        "DB_PORT": port or "5432",
        "DB_DATABASE": name,
        "DB_USER": user.partition(":")[0],
        "DB_PASSWORD": user.partition(":")[2],
        "CACHE_ENABLED": "false",
        "RATE_LIMITER_ENABLED": "false",
    }
    server = DirectusServer(data_dir, extra_env=env, start_timeout=180)
    try:
        await server.start()
        started = time.perf_counter()
        await provision(
            server.url,
            server.admin_token,
            webhook_url=None,
            webhook_secret=None,
            with_sample_content=False,
        )
        headers = {"Authorization": f"Bearer {server.admin_token}"}
        async with aiohttp.ClientSession(headers=headers, timeout=TIMEOUT) as http:
            await _one_to_many(http, server.url)
            await _load(http, server.url, data)
        yield server, time.perf_counter() - started
    finally:
        await server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def page(server: DirectusServer, slug: str) -> dict[str, Any]:
    """One comparison page from Directus's GraphQL, checked to have its sides and reviews."""
    import json

    headers = {"Authorization": f"Bearer {server.admin_token}"}
    async with (
        aiohttp.ClientSession(headers=headers, timeout=TIMEOUT) as http,
        http.post(
            f"{server.url}/graphql", json={"query": PAGE_QUERY, "variables": {"slug": slug}}
        ) as response,
    ):
        body: dict[str, Any] = json.loads(await response.text())
    comparisons = (body.get("data") or {}).get("comparisons") or []
    if response.status != 200 or "errors" in body or not comparisons:
        raise RuntimeError(f"Directus page query failed: {str(body)[:1000]}")
    sides = comparisons[0]["sides"]
    if len(sides) < 2 or not sides[0]["tool"]["reviews"]:
        raise RuntimeError(f"Directus page lacks sides or reviews: {str(body)[:1000]}")
    return body
