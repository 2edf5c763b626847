"""The fast executor (graphql_api.engine.executor) answers exactly what graphql-core's own does.

Differential tests: the same documents go through the API built with ``FastExecutor`` and
through the API built with Strawberry's stock executor, over the same database, and the
responses must be identical (data, errors, paths, locations). A small standalone schema then
drives the short path into every case where it must hand a field back to graphql-core (nulls
in non-null positions, refused scalars, failing attributes, wrong object types).
"""

from __future__ import annotations

import base64
import contextlib
import gc
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import strawberry

from graphql_api import view
from graphql_api.engine.executor import FastExecutor, StockExecutor
from graphql_api.schema import build_schema
from tests.support.clients import api_client
from tests.support.fuzz import generate
from tests.support.queries import (
    COMPARISON_LISTING,
    COMPARISON_PAGE,
    REVIEWER_PAGE,
    TOOL_LISTING,
    TOOL_PAGE,
)
from verdict.settings import Settings

DEMO = "code-llama-4-vs-mistral-code"
THREE_WAY = "quillmate-vs-draftwell-vs-inkling"

EDGE_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        """query Edge($slug: String!, $withSides: Boolean!, $skipTitle: Boolean!) {
          a: comparison(slug: $slug) {
            __typename ...Head
            title @skip(if: $skipTitle)
            sides @include(if: $withSides) { position tool { name __typename } }
            sides { tool { slug } reviews { reviewer { slug } } }
          }
          b: comparison(slug: "no-such-comparison") { slug }
        }
        fragment Head on Comparison { id slug sides { tool { vendor } } }""",
        {"slug": THREE_WAY, "withSides": True, "skipTitle": False},
    ),
    (
        """query Edge($slug: String!, $withSides: Boolean!, $skipTitle: Boolean!) {
          a: comparison(slug: $slug) {
            __typename ...Head
            title @skip(if: $skipTitle)
            sides @include(if: $withSides) { position tool { name __typename } }
          }
        }
        fragment Head on Comparison { id slug }""",
        {"slug": THREE_WAY, "withSides": False, "skipTitle": True},
    ),
    (
        '{ node(id: "' + base64.b64encode(b"Tool:inkling").decode() + '") { __typename id '
        "... on Tool { name reviews { verdict reviewer { name } } } ... on Comparison { slug } } }",
        {},
    ),
    ("{ comparisons(first: -1) { totalCount } tools(first: 2) { totalCount } }", {}),
    ("{ comparisons(first: 3) { edges { node { sides { tool { slug } } } } } }", {}),
    ('{ __typename tool(slug: "inkling") { ... on Tool { reviews { tool { slug } } } } }', {}),
]


@contextlib.asynccontextmanager
async def _both(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """The API with FastExecutor, and the same API with Strawberry's stock executor."""
    async with contextlib.AsyncExitStack() as stack:
        fast = await stack.enter_async_context(api_client(settings))
        with monkeypatch.context() as patched:  # the view builds its schema when created
            patched.setattr(
                view,
                "build_schema",
                lambda s, a, **kw: build_schema(s, a, executor=StockExecutor, **kw),
            )
            reference = await stack.enter_async_context(api_client(settings))
        yield fast, reference


_RETRY_IN = re.compile(r"retry in \d+ s")


_MOVING = {"retryAfterSeconds": "<seconds>", "nextToken": "<token>"}


def _untimed(value: Any) -> Any:
    """``value`` with what moves between two requests blanked: the rate limits' seconds to wait
    (the two APIs count their windows from their own first hit, so a wait of 3599 s on one is
    3600 s on the other when a second turns between the two requests), and the feeds' tokens
    (on PostgreSQL they hold the server's next transaction id, which any transaction on the
    server, in any database, moves). What the executors return is compared; the clock is not."""
    if isinstance(value, dict):
        return {
            k: _MOVING[k] if k in _MOVING and isinstance(v, str) else _untimed(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    if isinstance(value, str):
        return _RETRY_IN.sub("retry in <seconds> s", value)
    return value


def _comparable(response: httpx.Response) -> tuple[int, Any]:
    body = response.json()
    return response.status_code, _untimed({"data": body.get("data"), "errors": body.get("errors")})


async def _assert_same(
    fast: httpx.AsyncClient, reference: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> Any:
    body = {"query": query, "variables": variables}
    ours = _comparable(await fast.post("/graphql", json=body))
    theirs = _comparable(await reference.post("/graphql", json=body))
    assert ours == theirs, query
    return ours[1]


async def test_page_queries_and_edge_cases_match_graphql_core(
    demo_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents: list[tuple[str, dict[str, Any]]] = [
        (COMPARISON_PAGE, {"slug": DEMO}),
        (COMPARISON_PAGE, {"slug": THREE_WAY}),
        (TOOL_PAGE, {"slug": "inkling"}),
        (REVIEWER_PAGE, {"slug": "priya-raman"}),
        (COMPARISON_LISTING, {"first": 20}),
        (COMPARISON_LISTING, {"first": 2, "orderBy": "MOST_VOTED"}),
        (TOOL_LISTING, {}),
        *EDGE_CASES,
    ]
    async with _both(demo_db, monkeypatch) as (fast, reference):
        page = await _assert_same(fast, reference, COMPARISON_PAGE, {"slug": THREE_WAY})
        assert len(page["data"]["comparison"]["sides"]) == 3  # real data, not two nulls
        for query, variables in documents:
            await _assert_same(fast, reference, query, variables)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_fuzzed_queries_match_graphql_core(
    demo_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _both(demo_db, monkeypatch) as (fast, reference):
        for query in generate(150):
            await _assert_same(fast, reference, query, {})
    gc.collect()


# A standalone schema whose plain fields hold what the short path must not complete itself.


class Boom:
    @property
    def label(self) -> str:
        raise RuntimeError("label failed")


@strawberry.type
class Leafy:
    name: str
    maybe: str | None
    count: int
    when: datetime
    tags: list[str]
    loose_tags: list[str | None] | None


@strawberry.type
class Holder:
    leaf: Leafy
    maybe_leaf: Leafy | None
    leaves: list[Leafy]
    loose_leaves: list[Leafy | None] | None
    label: str

    # Resolvers below the root: their values are completed by compiled code when it can.
    @strawberry.field
    def all_leaves(self) -> list[Leafy]:
        return self.leaves

    @strawberry.field
    def other_leaf(self) -> Leafy | None:
        return self.maybe_leaf


@strawberry.type
class Query:
    @strawberry.field
    def holders(self) -> list[Holder | None]:
        good = Leafy(
            name="a",
            maybe=None,
            count=1,
            when=datetime(2026, 1, 1),
            tags=["x"],
            loose_tags=[None, "y"],
        )
        bad_int = Leafy(
            name="b", maybe="m", count=2**40, when=datetime(2026, 1, 1), tags=[], loose_tags=None
        )
        null_name = Leafy(
            name=None,  # type: ignore[arg-type]
            maybe="m",
            count=3,
            when=datetime(2026, 1, 1),
            tags=["z", None],  # type: ignore[list-item]
            loose_tags=[1, 2],  # type: ignore[list-item]
        )
        return [
            Holder(
                leaf=good,
                maybe_leaf=None,
                leaves=[good, bad_int],
                loose_leaves=[None, good],
                label="ok",
            ),
            Holder(leaf=null_name, maybe_leaf=good, leaves=[good], loose_leaves=None, label="ok"),
            Holder(
                leaf=good,
                maybe_leaf="not a leafy",  # type: ignore[arg-type]
                leaves=[good, None],  # type: ignore[list-item]
                loose_leaves=[null_name],
                label="ok",
            ),
            Boom(),  # type: ignore[list-item]
        ]


SMALL_QUERY = """{
  holders {
    label
    leaf { name maybe count when tags looseTags }
    maybeLeaf { name count }
    leaves { name count tags }
    looseLeaves { name maybe tags looseTags }
  }
}"""


@pytest.mark.parametrize(
    "query",
    [
        SMALL_QUERY,
        "{ holders { leaf { name } } }",
        "{ holders { leaves { count } looseLeaves { looseTags } } }",
        "{ holders { label maybeLeaf { when } } }",
        "{ holders { allLeaves { name count tags } otherLeaf { name when } } }",
        "{ holders { otherLeaf { looseTags } allLeaves { maybe } } }",
    ],
)
async def test_short_path_hands_unusual_values_to_graphql_core(query: str) -> None:
    fast = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
    stock = strawberry.Schema(query=Query)
    ours = await fast.execute(query)
    theirs = await stock.execute(query)
    assert ours.data == theirs.data
    assert [e.formatted for e in ours.errors or ()] == [e.formatted for e in theirs.errors or ()]
    assert theirs.errors  # the cases above do produce errors


async def test_the_page_is_compiled_below_its_root_field(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled path is what serves the page: graphql-core executes only the root field and
    completes only its value; the ~440 fields below are read by compiled code."""
    calls = {"execute_field": 0, "complete_object_value": 0}
    for name in calls:
        original = getattr(FastExecutor, name)

        def counted(self: FastExecutor, *args: Any, _name: str = name, _f: Any = original) -> Any:
            calls[_name] += 1
            return _f(self, *args)

        monkeypatch.setattr(FastExecutor, name, counted)
    for _ in range(2):  # compiled on the first request, reused on the second
        calls.update(execute_field=0, complete_object_value=0)
        response = await client.post(
            "/graphql", json={"query": COMPARISON_PAGE, "variables": {"slug": THREE_WAY}}
        )
        assert len(response.json()["data"]["comparison"]["sides"]) == 3
        assert calls == {"execute_field": 1, "complete_object_value": 1}


async def test_the_listing_is_compiled_below_its_connection(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing's connection is a root field's value, executed field by field (its
    ``totalCount`` has a resolver); its ``pageInfo`` and ``edges`` (each edge a generic
    ``Edge``, with its node) are completed whole by compiled code, never edge by edge."""
    calls = {"execute_field": 0, "complete_object_value": 0, "_complete_object": 0}
    for name in calls:
        original = getattr(FastExecutor, name)

        def counted(self: FastExecutor, *args: Any, _name: str = name, _f: Any = original) -> Any:
            calls[_name] += 1
            return _f(self, *args)

        monkeypatch.setattr(FastExecutor, name, counted)
    for _ in range(2):  # compiled on the first request, reused on the second
        calls.update(execute_field=0, complete_object_value=0, _complete_object=0)
        response = await client.post(
            "/graphql", json={"query": COMPARISON_LISTING, "variables": {"first": 20}}
        )
        edges = response.json()["data"]["comparisons"]["edges"]
        assert len(edges) > 1
        assert all(edge["node"]["sides"] for edge in edges)
        # The root field and totalCount; the connection; no edge completed on its own.
        assert calls == {"execute_field": 2, "complete_object_value": 1, "_complete_object": 0}
