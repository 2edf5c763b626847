"""In-process checks before the load: SQL queries per request, and that the ceilings' JSON is
the API's JSON (so the ceilings do the same work), through the real app over httpx."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import httpx
from tortoise import Tortoise

from bench import ceiling_listing
from bench.ceiling import STATEMENTS, TORTOISE, comparison_page
from devtools.sql_counter import counting_queries
from graphql_api.app import create_app
from graphql_api.engine._compat import clear_executor_cache
from graphql_api.relay.counts import CountCache
from tests.support.queries import COMPARISON_LISTING, COMPARISON_PAGE
from verdict.db import tortoise_config
from verdict.settings import Settings


async def _counted(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, Any]:
    with counting_queries() as counter:
        response = await client.post("/graphql", json=body)
    payload = response.json()
    if response.status_code != 200 or "errors" in payload:
        raise RuntimeError(f"query failed: {response.text[:1000]}")
    return counter.count, payload["data"]


async def sql_and_parity(database_url: str, slug: str) -> dict[str, int]:
    """SQL statements per comparison page and per 20-item listing; fails when a ceiling's page
    or listing differs from the API's."""
    clear_executor_cache()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        app = create_app(Settings(database_url=database_url), manage_database=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            page = {"query": COMPARISON_PAGE, "variables": {"slug": slug}}
            listing = {"query": COMPARISON_LISTING, "variables": {"first": 20}}
            await _counted(client, page)  # first request: imports, caches
            page_sql, data = await _counted(client, page)
            await _counted(client, listing)  # first request: counts totalCount, cached from then
            listing_sql, listed = await _counted(client, listing)
        for reads in (TORTOISE, STATEMENTS):
            ceiling = json.loads(json.dumps(await comparison_page(slug, reads)))
            if ceiling != data:
                raise RuntimeError(
                    f"the ceiling's page differs from the API's:\n{ceiling}\n---\n{data}"
                )
        for listing_reads in (ceiling_listing.TORTOISE, ceiling_listing.STATEMENTS):
            answer = await ceiling_listing.listing_page(CountCache(), listing_reads)
            if json.loads(json.dumps(answer)) != listed:
                raise RuntimeError(
                    f"the listing ceiling differs from the API's:\n{answer}\n---\n{listed}"
                )
        return {"comparison_page": page_sql, "listing": listing_sql}
    finally:
        await Tortoise.close_connections()


def apq_hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def apq_url(base: str, query: str, variables: dict[str, Any], *, with_query: bool) -> str:
    """An Apollo automatic persisted query GET: the hash in ``extensions``, the query only when
    registering it."""
    params = {
        "extensions": json.dumps(
            {"persistedQuery": {"version": 1, "sha256Hash": apq_hash(query)}},
            separators=(",", ":"),
        ),
        "variables": json.dumps(variables, separators=(",", ":")),
    }
    if with_query:
        params["query"] = query
    return f"{base}/graphql?{urllib.parse.urlencode(params)}"


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body), dict(exc.headers)
        except ValueError:
            return exc.code, {"raw": body.decode(errors="replace")[:300]}, dict(exc.headers)


def persisted_get_support(base: str, slug: str, headers: dict[str, str]) -> str | None:
    """None when the server answers the comparison page as an APQ GET by hash alone (after
    registering it as Apollo clients do); otherwise why not."""
    status, body, _ = _get(
        apq_url(base, COMPARISON_PAGE, {"slug": slug}, with_query=False), headers
    )
    if status == 200 and "errors" not in body and (body.get("data") or {}).get("comparison"):
        return None
    status, body, _ = _get(apq_url(base, COMPARISON_PAGE, {"slug": slug}, with_query=True), headers)
    if status != 200 or "errors" in body:
        return f"registering the persisted query failed: HTTP {status} {str(body)[:200]}"
    status, body, _ = _get(
        apq_url(base, COMPARISON_PAGE, {"slug": slug}, with_query=False), headers
    )
    if status == 200 and "errors" not in body and (body.get("data") or {}).get("comparison"):
        return None
    return f"a GET by hash alone is not answered: HTTP {status} {str(body)[:200]}"
