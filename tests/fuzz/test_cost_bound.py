"""The estimate is an upper bound: across generated queries, the fields an operation resolved
never exceed its ``extensions.cost.estimated``; and the estimate reads what execution reads
(variable defaults, each list field's own bound)."""

from __future__ import annotations

from typing import Any

import pytest

from graphql_api.preview.tokens import PreviewSigner
from tests.support import hostile
from tests.support.apps import app_for, client_for
from tests.support.bounded_content import sync_at_the_bounds
from tests.support.fuzz import generate
from verdict.settings import DEV_SECRET_KEY, Settings


def resolved(value: Any) -> int:
    """Fields in a response's data, counting every list item's fields."""
    if isinstance(value, dict):
        return sum(1 + resolved(v) for v in value.values())
    if isinstance(value, list):
        return sum(resolved(item) for item in value)
    return 0


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_resolved_fields_never_exceed_the_estimate(demo_db: Settings) -> None:
    await _check_generated_queries(demo_db)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_resolved_fields_never_exceed_the_estimate_at_the_bounds(db: Settings) -> None:
    """Every bounded list full (verdict.limits): the estimate holds for any data, not the demo's."""
    await sync_at_the_bounds()
    await _check_generated_queries(db)


async def _check_generated_queries(settings: Settings) -> None:
    preview = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)  # syncIssues too
    checked = 0
    async with app_for(settings) as app, client_for(app) as http:
        for query in generate(hostile.budget()):
            response = await http.post(
                "/graphql", json={"query": query}, headers={"x-verdict-preview": preview}
            )
            body = response.json()
            cost = (body.get("extensions") or {}).get("cost")
            if cost is None or not body.get("data"):
                continue
            assert resolved(body["data"]) <= cost["estimated"], (query, cost)
            checked += 1
    assert checked > hostile.budget() // 4


async def _estimate(http: Any, query: str, variables: dict[str, Any] | None = None) -> int:
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    body = response.json()
    estimated: int = body["extensions"]["cost"]["estimated"]
    return estimated


async def test_the_estimate_reads_variable_defaults_and_list_bounds(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        literal = await _estimate(http, "{ tools(first: 100) { nodes { name } } }")
        by_default = await _estimate(
            http, "query($n: Int = 100) { tools(first: $n) { nodes { name } } }"
        )
        assert by_default == literal
        overridden = await _estimate(
            http, "query($n: Int = 100) { tools(first: $n) { nodes { name } } }", {"n": 3}
        )
        assert overridden == await _estimate(http, "{ tools(first: 3) { nodes { name } } }")
        issues = await _estimate(http, "{ syncIssues(first: 400) { cmsId } }")
        assert issues >= 1 + 400
        per_tool = await _estimate(http, '{ tool(slug: "x") { comparisons { slug } } }')
        assert per_tool >= 1 + 1 + 50
