"""The listing's one statement (graphql_api.comparisons.listing) reads what Tortoise reads, pages
through the whole list in order, and keeps the listing at one SQL statement.

On the demo content plus enough comparisons for several pages, on SQLite and PostgreSQL: the
compiled statement binds the SQL Tortoise renders with the shape's values written in and the
filter's values as its only parameters, and answers the same rows, for every shape (public and
preview, both orders, filters, offsets); PostgreSQL plans the front page's statement once, not
per run; following ``endCursor`` through
the GraphQL listing gives every comparison of the list exactly once, in the order a plain
ordered query gives, for every order and filter; the count is exact after every change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from devtools.sql_counter import QueryCounter
from graphql_api.app import create_app
from graphql_api.comparisons import listing
from graphql_api.comparisons.inputs import ComparisonOrder
from graphql_api.engine._compat import make_query
from graphql_api.engine.statements import inlinable
from graphql_api.loaders import Loaders
from graphql_api.reads import PREVIEW, PUBLIC
from graphql_api.settings import ApiSettings
from tests.graphql_api.engine.test_statements import written_in
from tests.support.queries import COMPARISON_LISTING, graphql
from verdict.content_versions import bump
from verdict.models.content import Comparison, ComparisonSide, Status, Tool
from verdict.models.votes import VoteTally
from verdict.settings import Settings

LISTING_STATEMENTS = 1
"""The page joined with its sides, their tools' panel figures and vote tallies, and the count's
versions."""


@pytest.fixture
async def client(demo_db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API without its response cache (every request runs its statements), on the demo
    content plus 23 comparisons: some drafts, some unpublished dates, a tie in published_at,
    tallies on a few, and one comparison whose only side's tool is a draft."""
    now = datetime.now(UTC)
    tools = list(await Tool.all().order_by("id").values_list("id", flat=True))
    await Tool.filter(id=tools[-1]).update(status=Status.DRAFT)
    for n in range(23):
        comparison = await Comparison.create(
            id=3000 + n,
            status=Status.DRAFT if n % 7 == 3 else Status.PUBLISHED,
            cms_updated_at=now,
            slug=f"listed-{n}",
            title=f"Listed {n}",
            headline="?",
            # a tie (n = 4, 5), and no date at all on two of them
            published_at=None if n in (9, 16) else now - timedelta(days=40 + min(n, 5 + n // 6)),
        )
        sides = (tools[-1],) if n == 11 else (tools[n % 5], tools[5 + n % 4])
        for position, tool_id in enumerate(sides, start=1):
            await ComparisonSide.create(
                id=4000 + 2 * n + position,
                comparison=comparison,
                tool_id=tool_id,
                position=position,
                cms_updated_at=now,
            )
        if n % 3 == 0:
            tool = await Tool.get(id=tools[n % 5])
            await VoteTally.create(comparison_slug=f"listed-{n}", tool_slug=tool.slug, count=n % 4)
            await VoteTally.create(comparison_slug=f"listed-{n}", tool_slug="gone", count=2)
    app = create_app(demo_db, api=ApiSettings(response_cache=False), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as http:
        yield http


def _shapes(category: str, tool_slug: str) -> list[listing.Shape]:
    shapes = []
    for statuses in (PUBLIC, PREVIEW):
        # TRENDING is not read by this statement (comparisons/queries.py scores it apart).
        for order in (o for o in ComparisonOrder if o is not ComparisonOrder.TRENDING):
            for tool, cat in ((None, None), (tool_slug, None), (None, category)):
                for offset, limit in ((0, 21), (0, 3), (4, 3), (40, 5)):
                    for tallies in (False, True):
                        shape = listing.Shape(statuses, tool, cat, order, offset, limit, tallies)
                        shapes.append(shape)
    return shapes


async def test_the_statement_binds_and_answers_what_tortoise_does(
    client: httpx.AsyncClient,
) -> None:
    tool = await Tool.filter(status=Status.PUBLISHED).order_by("id").first()
    assert tool is not None
    db = Tortoise.get_connection("default")
    for shape in _shapes(tool.category, tool.slug):
        bound = listing.LISTING.bind(db, shape.compiled, *shape.keys)
        assert bound is not None, shape
        query = listing.build(shape)
        make_query(query)
        filters = [value for value in (shape.tool_slug, shape.category) if value is not None]
        sql, params = query.query.get_parameterized_sql()
        assert bound[:2] == written_in(sql, params, filters.__contains__), shape
        assert bound[1] == filters, shape  # a request's own text is never written into SQL
        fetched = await listing.LISTING.fetch(shape.compiled, *shape.keys)
        built = await listing.build(shape)
        # The same rows, with the comparisons in the same order. A comparison's side rows may
        # come in any order (the listing sorts them by position), so they are compared sorted.
        assert _in_order(fetched) == _in_order(built), shape


async def test_postgres_plans_the_front_page_s_statement_once(client: httpx.AsyncClient) -> None:
    """Every parameter of a prepared statement lets PostgreSQL plan it anew (a ``LIMIT $3`` did,
    on every run); with the shape written in, the connection keeps one generic plan."""
    db = Tortoise.get_connection("default")
    if db.capabilities.dialect != "postgres":
        pytest.skip("plans are PostgreSQL's")
    shape = listing.Shape.of(PUBLIC, None, ComparisonOrder.NEWEST, 0, 21, tallies=True)
    bound = listing.LISTING.bind(db, shape.compiled, *shape.keys)
    assert bound is not None
    async with in_transaction() as connection:  # one connection: its prepared statements
        for _ in range(8):
            assert await listing.LISTING.fetch(shape.compiled, *shape.keys)
        plans = await connection.execute_query_dict(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            [bound[0]],
        )
    assert plans == [{"generic_plans": 8, "custom_plans": 0}]
    assert inlinable(shape.limit)


def _in_order(rows: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The comparisons' order, and the rows sorted by comparison and side."""
    order = list(dict.fromkeys(row["id"] for row in rows))
    return order, sorted(rows, key=lambda row: (row["id"], row["sides__id"] or 0))


async def _ordered_slugs(shape: listing.Shape) -> list[str]:
    """Every comparison of the list, in order, by a plain ordered query (no page)."""
    query = listing.selected(shape)
    if shape.order is ComparisonOrder.MOST_VOTED:
        rows = (
            await query.annotate(total_votes=listing.TOTAL_VOTES)
            .order_by("-total_votes", *listing.NEWEST)
            .values_list("slug", flat=True)
        )
    else:
        rows = await query.order_by(*listing.NEWEST).values_list("slug", flat=True)
    return [str(slug) for slug in rows]


async def test_pages_walk_the_whole_list_once_in_order(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    tool = await Tool.filter(status=Status.PUBLISHED).order_by("id").first()
    assert tool is not None
    await graphql(client, COMPARISON_LISTING, {"first": 1})  # the count, once
    filters: list[dict[str, Any] | None] = [
        None,
        {"toolSlug": tool.slug},
        {"category": tool.category},
    ]
    # TRENDING is scored from the recent votes, apart from the listing's statement
    # (tests/verdict/test_trending.py and the votes tests cover it).
    for order in (o for o in ComparisonOrder if o is not ComparisonOrder.TRENDING):
        for filter in filters:
            shape = listing.Shape.of(PUBLIC, None, order, 0, 0)
            if filter is not None:
                shape = listing.Shape(
                    PUBLIC, filter.get("toolSlug"), filter.get("category"), order, 0, 0
                )
            expected = await _ordered_slugs(shape)
            seen: list[str] = []
            after = None
            while True:
                variables = {"first": 4, "after": after, "filter": filter, "orderBy": order.name}
                before = sql_queries.count
                data = (await graphql(client, COMPARISON_LISTING, variables))["comparisons"]
                assert sql_queries.count - before <= LISTING_STATEMENTS + 1  # + a first count
                assert data["totalCount"] == len(expected)
                seen += [edge["node"]["slug"] for edge in data["edges"]]
                if not data["pageInfo"]["hasNextPage"]:
                    break
                after = data["pageInfo"]["endCursor"]
            assert seen == expected, (order, filter)


async def test_the_listing_sends_one_statement_and_counts_only_after_a_change(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    async def statements(variables: dict[str, Any]) -> tuple[int, int]:
        before = sql_queries.count
        data = await graphql(client, COMPARISON_LISTING, variables)
        return sql_queries.count - before, data["comparisons"]["totalCount"]

    first, total = await statements({"first": 20})
    assert first == LISTING_STATEMENTS + 1  # the count, with its versions
    for variables in ({"first": 20}, {"first": 5, "orderBy": "MOST_VOTED"}, {"first": 100}):
        assert await statements(variables) == (LISTING_STATEMENTS, total)
    await Comparison.filter(slug="listed-0").update(status=Status.DRAFT)
    assert await statements({"first": 20}) == (LISTING_STATEMENTS, total)  # not synced: no bump
    await bump(["comparisons"])  # as the sync does in the change's transaction
    assert await statements({"first": 20}) == (LISTING_STATEMENTS + 1, total - 1)
    assert await statements({"first": 20}) == (LISTING_STATEMENTS, total - 1)
    # past the end: no row to read the versions from, so they are read on their own
    empty = {"first": 5, "after": "b2Zmc2V0Ojk5OQ=="}  # offset:999
    assert await statements(empty) == (LISTING_STATEMENTS + 1, total - 1)


async def test_vote_figures_come_from_each_shown_side_s_tally(client: httpx.AsyncClient) -> None:
    """Each side's votes are its own tally, and a comparison's are its shown sides' (a tally of
    a tool no longer on it counts for nothing), as the tallies loader gives them."""
    query = (
        "{ comparisons(first: 100) { nodes { slug voteCount sides { voteCount tool { slug } } } } }"
    )
    nodes = (await graphql(client, query))["comparisons"]["nodes"]
    tallies = {
        (t["comparison_slug"], t["tool_slug"]): t["count"]
        for t in await VoteTally.all().values("comparison_slug", "tool_slug", "count")
    }
    assert any(node["voteCount"] for node in nodes)
    for node in nodes:
        sides = [tallies.get((node["slug"], s["tool"]["slug"]), 0) for s in node["sides"]]
        assert [s["voteCount"] for s in node["sides"]] == sides
        assert node["voteCount"] == sum(sides)


async def _read(shape: listing.Shape) -> tuple[listing.Page, Loaders]:
    loaders = Loaders(shape.statuses)
    return await listing.read_page(loaders, shape), loaders


async def test_a_page_is_read_again_only_when_its_rows_change(client: httpx.AsyncClient) -> None:
    """The statement runs for every request; while it answers the same rows, the page read from
    them (and what was assembled from it) is answered again, and records what a fresh read
    records. Any change of its rows, bumped or not, gives a new page."""
    for shape in _shapes("assistant", "mistral-code"):
        shape = replace(shape, tallies=True)
        first, fresh = await _read(shape)
        again, remembered = await _read(shape)
        assert again is first
        assert (remembered.deps, remembered.live, remembered.vote_slugs) == (
            fresh.deps,
            fresh.live,
            fresh.vote_slugs,
        )
        assert fresh.deps >= {f"comparisons:{row.id}" for row in first.rows}
    query = (
        "{ comparisons(first: 30) { nodes { slug title voteCount "
        "sides { voteCount tool { slug name } } } } }"
    )

    async def listed() -> dict[str, Any]:
        nodes = (await graphql(client, query))["comparisons"]["nodes"]
        return {node["slug"]: node for node in nodes}

    before = await listed()
    assert await listed() == before
    # None of these changes bumps a content version: the rows alone tell.
    await Comparison.filter(slug="listed-1").update(title="Retitled")
    tool = await Tool.get(slug=before["listed-1"]["sides"][0]["tool"]["slug"])
    await Tool.filter(id=tool.id).update(name="Renamed")
    await VoteTally.create(comparison_slug="listed-1", tool_slug=tool.slug, count=5)
    after = await listed()
    assert after["listed-1"]["title"] == "Retitled"
    assert after["listed-1"]["voteCount"] == before["listed-1"]["voteCount"] + 5
    for node in after.values():
        for side in node["sides"]:
            assert (side["tool"]["name"] == "Renamed") is (side["tool"]["slug"] == tool.slug)
    assert await listed() == after


async def test_a_remembered_page_keeps_what_was_assembled_from_it_alone(
    client: httpx.AsyncClient,
) -> None:
    """The comparisons assembled from a page's rows alone are kept with it, per selection; a
    selection that reads more than the rows (the panel's reviews) is never kept."""
    shape = listing.Shape.of(PUBLIC, None, ComparisonOrder.NEWEST, 0, 21, tallies=True)
    listing_query = "{ comparisons { nodes { slug voteCount sides { tool { slug } } } } }"
    first = await graphql(client, listing_query)
    page, _ = await _read(shape)
    assert len(page.assembled) == 1
    [kept] = page.assembled.values()
    assert [node.slug for node in kept] == [n["slug"] for n in first["comparisons"]["nodes"]]
    assert await graphql(client, listing_query) == first
    reviews = "{ comparisons { nodes { slug sides { reviews { quote } } } } }"
    await graphql(client, reviews)
    await graphql(client, reviews)
    reviewed, _ = await _read(replace(shape, tallies=False))
    assert reviewed.assembled == {}
