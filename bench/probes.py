"""In-process checks before the load: SQL queries per request, that the ceilings' JSON is the
API's JSON (so the ceilings do the same work), through the real app over httpx, and what
PostgreSQL spends on the listing's statement as Tortoise builds it and as the API compiles it."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import httpx
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from bench import ceiling_listing
from bench.ceiling import STATEMENTS, TORTOISE, comparison_page
from devtools.sql_counter import counting_queries
from graphql_api.app import create_app
from graphql_api.comparisons import listing
from graphql_api.engine._compat import clear_executor_cache, db_for_read, make_query
from graphql_api.relay.counts import CountCache
from tests.support.queries import COMPARISON_LISTING, COMPARISON_PAGE
from verdict.db import tortoise_config
from verdict.models.content import Comparison
from verdict.settings import Settings

PLAN_RUNS = 300
"""Runs of each listing statement on one connection, after as many to warm it."""


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


async def listing_plans(database_url: str, runs: int = PLAN_RUNS) -> dict[str, dict[str, Any]]:
    """The 20-item listing's statement on PostgreSQL, alone on one connection, as Tortoise
    builds it (its shape's values as parameters, what the no-GraphQL ceiling sends) and as the
    API compiles it (``inline``: only keys as parameters): milliseconds per run (the round trip
    with PostgreSQL's planning and execution) and how often PostgreSQL planned it afresh
    (``custom_plans``) or reused its one plan (``generic_plans``)."""
    clear_executor_cache()
    await Tortoise.init(config=tortoise_config(database_url))
    try:
        return await statement_plans(runs)
    finally:
        await Tortoise.close_connections()


async def statement_plans(runs: int) -> dict[str, dict[str, Any]]:
    """``listing_plans`` on the database Tortoise is open on."""
    shape = ceiling_listing.SHAPE
    built = listing.build(shape)
    make_query(built)
    compiled = listing.LISTING.bind(db_for_read(Comparison), shape.compiled, *shape.keys)
    if compiled is None:
        raise RuntimeError("the listing's statement did not compile")
    statements = {
        "tortoise": built.query.get_parameterized_sql(),
        "compiled": (compiled[0], compiled[1]),
    }
    out: dict[str, dict[str, Any]] = {}
    async with in_transaction() as connection:  # one connection: its prepared statements
        for name, (sql, params) in statements.items():
            for _ in range(runs):
                await connection.execute_query_dict(sql, params)
            started = time.perf_counter()
            for _ in range(runs):
                await connection.execute_query_dict(sql, params)
            per_run = (time.perf_counter() - started) / runs * 1000
            (plans,) = await connection.execute_query_dict(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement = $1",
                [sql],
            )
            out[name] = {"ms_per_run": round(per_run, 3), "runs": 2 * runs, **plans}
    return out


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
