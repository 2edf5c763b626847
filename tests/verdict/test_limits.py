"""The declared list bounds hold end to end: on content at every bound, a query selecting every
list field gets lists no longer than their bounds and resolves no more fields than its estimate."""

from __future__ import annotations

from typing import Any

from graphql import parse

from graphql_api.limits.analysis import LIST_ESTIMATES, analyse
from tests.support.apps import app_for, client_for
from tests.support.bounded_content import BUSY_REVIEWER, sync_at_the_bounds
from verdict import limits
from verdict.models.content import Review
from verdict.settings import Settings

EVERY_LIST = """
query EveryList {
  comparison(slug: "comparison-1") {
    sides {
      position
      tool {
        slug
        modelSizes
        reviews { quote reviewer { slug } }
        comparisons { slug sides { position } }
      }
      reviews { verdict reviewer { slug } }
    }
    reviewerSplit { reviewer { slug } sides { position verdict } }
  }
  reviewer(slug: "reviewer-BUSY") { reviews { quote tool { slug } } }
  comparisons(first: 100) {
    nodes { slug sides { reviews { verdict } } reviewerSplit { sides { verdict } } }
  }
  contentChanges {
    ... on ContentChangesPage { changes { slug comparison { sides { position } } } }
  }
  tallyChanges { ... on TallyChangesPage { tallies { comparisonSlug sides { toolSlug } } } }
}
""".replace("BUSY", str(BUSY_REVIEWER))


def resolved(value: Any) -> int:
    """Fields in a response's data, counting every list item's fields."""
    if isinstance(value, dict):
        return sum(1 + resolved(v) for v in value.values())
    if isinstance(value, list):
        return sum(resolved(item) for item in value)
    return 0


def test_the_estimates_are_the_declared_bounds() -> None:
    assert LIST_ESTIMATES["sides"] == limits.MAX_COMPARISON_SIDES
    assert LIST_ESTIMATES["reviews"] >= limits.MAX_TOOL_REVIEWS
    assert LIST_ESTIMATES["reviews"] >= limits.MAX_REVIEWER_REVIEWS
    assert LIST_ESTIMATES["reviewerSplit"] == limits.MAX_COMPARISON_SIDES * limits.MAX_TOOL_REVIEWS
    assert LIST_ESTIMATES["comparisons"] >= limits.MAX_TOOL_COMPARISONS


async def test_content_at_the_bounds_resolves_within_the_estimate(db: Settings) -> None:
    await sync_at_the_bounds()
    # The API caps are exercised past their bound, not merely at it.
    assert await Review.filter(reviewer_id=BUSY_REVIEWER).count() > limits.MAX_REVIEWER_REVIEWS
    estimated = analyse(parse(EVERY_LIST), None, None, max_page_size=100).cost
    async with app_for(db, max_cost=estimated) as app, client_for(app) as http:
        response = await http.post("/graphql", json={"query": EVERY_LIST})
    body = response.json()
    assert "errors" not in body, body.get("errors")
    assert body["extensions"]["cost"]["estimated"] == estimated
    data = body["data"]
    sides = data["comparison"]["sides"]
    assert len(sides) == limits.MAX_COMPARISON_SIDES
    for shown in sides:
        assert len(shown["reviews"]) == limits.MAX_TOOL_REVIEWS
        assert len(shown["tool"]["reviews"]) == limits.MAX_TOOL_REVIEWS
        assert len(shown["tool"]["modelSizes"]) == limits.MAX_MODEL_SIZES
        assert len(shown["tool"]["comparisons"]) == limits.MAX_TOOL_COMPARISONS
    split = data["comparison"]["reviewerSplit"]
    assert len(split) == limits.MAX_REVIEWER_SPLIT
    assert all(len(row["sides"]) == limits.MAX_COMPARISON_SIDES for row in split)
    assert len(data["reviewer"]["reviews"]) == limits.MAX_REVIEWER_REVIEWS
    assert resolved(data) <= estimated


ONE_LIST_EACH = [
    '{ comparison(slug: "comparison-1") { sides { position } } }',
    '{ comparison(slug: "comparison-1") { sides { reviews { verdict } } } }',
    '{ comparison(slug: "comparison-1") { reviewerSplit { sides { position } } } }',
    '{ tool(slug: "tool-1") { reviews { verdict } comparisons { slug } } }',
    f'{{ reviewer(slug: "reviewer-{BUSY_REVIEWER}") {{ reviews {{ verdict }} }} }}',
    "{ contentChanges { ... on ContentChangesPage { changes { slug } } } }",
    "{ tallyChanges { ... on TallyChangesPage { tallies { sides { toolSlug } } } } }",
]


async def test_each_list_alone_resolves_within_the_estimate(db: Settings) -> None:
    """One list per query, so a generous estimate elsewhere cannot hide a short one."""
    await sync_at_the_bounds()
    async with app_for(db) as app, client_for(app) as http:
        for query in ONE_LIST_EACH:
            body = (await http.post("/graphql", json={"query": query})).json()
            assert "errors" not in body, (query, body.get("errors"))
            assert resolved(body["data"]) <= body["extensions"]["cost"]["estimated"], query
