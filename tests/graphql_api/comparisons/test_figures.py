"""A comparison's figures (sides, votes, panel verdict, reviewer split) are plain fields that the
resolver returning the comparison fills from what the operation selects
(graphql_api.comparisons.types.prepared). Whichever way a client reaches a comparison and
selects them (directly, through fragments, a node id, a listing, a tool, aliases, directives),
it must get the same figures."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from devtools.sql_counter import QueryCounter
from tests.support.clients import AppClient
from tests.support.queries import graphql
from tests.support.votes import cast, tokens

SLUG = "mistral-code-vs-forge-coder"  # the panel favours a side: every figure is set
TOOL = "mistral-code"
ROOMY_COST = 200_000
FIGURES = """
  slug
  sides {
    position tool { slug } panelShipCount panelSkipCount panelShipPercent voteCount voteShare
    reviews { verdict reviewer { slug } }
  }
  voteCount
  panelVerdict { outcome margin favouredSide { position voteCount panelShipPercent } }
  reviewerSplit { reviewer { slug } sides { position verdict quote } }
"""
NODE_ID = base64.b64encode(f"Comparison:{SLUG}".encode()).decode()


def _only(comparisons: list[dict[str, Any]]) -> dict[str, Any]:
    (found,) = [c for c in comparisons if c["slug"] == SLUG]
    return found


@pytest.fixture
async def voted(app_client: AppClient) -> AsyncIterator[httpx.AsyncClient]:
    """The demo comparison with one community vote, so vote figures are not all zero. Every
    figure of up to 50 comparisons (a tool's, a listing's) is estimated at the declared list
    bounds (verdict.limits), past the default cost limit: these tests are about the figures."""
    async with app_client(max_cost=ROOMY_COST) as client:
        assert (await cast(client, tokens(1)[0], TOOL, SLUG))["__typename"] == "VoteSuccess"
        yield client


async def test_every_way_of_selecting_the_figures_gives_the_same(
    voted: httpx.AsyncClient,
) -> None:
    http = voted
    direct = (await graphql(http, f'{{ comparison(slug: "{SLUG}") {{ {FIGURES} }} }}'))[
        "comparison"
    ]
    assert direct["voteCount"] == 1
    assert direct["sides"]
    assert direct["reviewerSplit"]
    assert direct["panelVerdict"]["favouredSide"]["voteCount"] == 1

    ways: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
        "named fragment": (
            f'{{ comparison(slug: "{SLUG}") {{ ...F }} }} fragment F on Comparison {{ {FIGURES} }}',
            lambda d: d["comparison"],
        ),
        "inline fragment": (
            f'{{ comparison(slug: "{SLUG}") {{ ... on Comparison {{ {FIGURES} }} }} }}',
            lambda d: d["comparison"],
        ),
        "node id": (
            f'{{ node(id: "{NODE_ID}") {{ ... on Comparison {{ {FIGURES} }} }} }}',
            lambda d: d["node"],
        ),
        "node id, named fragment": (
            f'{{ node(id: "{NODE_ID}") {{ id ...F }} }} fragment F on Comparison {{ {FIGURES} }}',
            lambda d: {k: v for k, v in d["node"].items() if k != "id"},
        ),
        "listing nodes": (
            f"{{ comparisons(first: 50) {{ nodes {{ {FIGURES} }} }} }}",
            lambda d: _only(d["comparisons"]["nodes"]),
        ),
        "listing edges": (
            f"{{ comparisons(first: 50) {{ edges {{ node {{ {FIGURES} }} }} }} }}",
            lambda d: _only([e["node"] for e in d["comparisons"]["edges"]]),
        ),
        "a tool's comparisons": (
            f'{{ tool(slug: "{TOOL}") {{ comparisons {{ {FIGURES} }} }} }}',
            lambda d: _only(d["tool"]["comparisons"]),
        ),
        "directives": (
            f'query($y: Boolean = true) {{ comparison(slug: "{SLUG}") {{ '
            f"... @include(if: $y) {{ {FIGURES} }} }} }}",
            lambda d: d["comparison"],
        ),
    }
    for name, (query, pick) in ways.items():
        assert pick(await graphql(http, query)) == direct, name

    aliased = (
        await graphql(
            http,
            f'{{ comparison(slug: "{SLUG}") {{ s: sides {{ voteCount panelShipPercent }} '
            "v: voteCount p: panelVerdict { margin } r: reviewerSplit { reviewer { slug } } } }",
        )
    )["comparison"]
    assert aliased["v"] == direct["voteCount"]
    assert aliased["p"]["margin"] == direct["panelVerdict"]["margin"]
    assert [s["voteCount"] for s in aliased["s"]] == [s["voteCount"] for s in direct["sides"]]
    assert [r["reviewer"] for r in aliased["r"]] == [r["reviewer"] for r in direct["reviewerSplit"]]

    # Figures needed only below another field still load what they read.
    favoured_votes = (
        await graphql(
            http,
            f'{{ comparison(slug: "{SLUG}") '
            "{ panelVerdict { favouredSide { voteCount } } } }",
        )
    )["comparison"]["panelVerdict"]["favouredSide"]
    assert favoured_votes == {"voteCount": direct["panelVerdict"]["favouredSide"]["voteCount"]}
    split_only = (
        await graphql(
            http, f'{{ comparison(slug: "{SLUG}") {{ reviewerSplit {{ sides {{ quote }} }} }} }}'
        )
    )["comparison"]["reviewerSplit"]
    assert split_only == [
        {"sides": [{"quote": s["quote"]} for s in r["sides"]]} for r in direct["reviewerSplit"]
    ]


COUNTED = """
  sides { position panelShipCount panelSkipCount panelShipPercent }
  panelVerdict { outcome margin favouredSide { position panelShipPercent } }
"""


async def test_counted_figures_equal_those_from_the_reviews(
    voted: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    """Selecting the panel's counts without the reviews counts them in the database (no review
    row is read) and gives the figures the reviews give."""
    http = voted
    direct = (await graphql(http, f'{{ comparison(slug: "{SLUG}") {{ {FIGURES} }} }}'))[
        "comparison"
    ]
    expected = {
        "sides": [
            {k: s[k] for k in ("position", "panelShipCount", "panelSkipCount", "panelShipPercent")}
            for s in direct["sides"]
        ],
        "panelVerdict": {
            "outcome": direct["panelVerdict"]["outcome"],
            "margin": direct["panelVerdict"]["margin"],
            "favouredSide": {
                k: direct["panelVerdict"]["favouredSide"][k]
                for k in ("position", "panelShipPercent")
            },
        },
    }
    sql_queries.statements.clear()
    counted = await graphql(http, f'{{ comparison(slug: "{SLUG}") {{ {COUNTED} }} }}')
    assert counted["comparison"] == expected
    listed = await graphql(http, f"{{ comparisons(first: 50) {{ nodes {{ slug {COUNTED} }} }} }}")
    assert {k: v for k, v in _only(listed["comparisons"]["nodes"]).items() if k != "slug"} == (
        expected
    )
    assert not [s for s in sql_queries.statements if "quote" in s]
    assert [s for s in sql_queries.statements if "GROUP BY" in s.upper()]

    # A side's reviews selected only under the favoured side: the rows are read, and counted.
    beneath = (
        await graphql(
            http,
            f'{{ comparison(slug: "{SLUG}") {{ sides {{ panelShipCount }} '
            "panelVerdict { favouredSide { panelSkipCount reviews { verdict } } } } }",
        )
    )["comparison"]
    favoured = direct["panelVerdict"]["favouredSide"]["position"]
    (side,) = [s for s in direct["sides"] if s["position"] == favoured]
    assert beneath["panelVerdict"]["favouredSide"] == {
        "panelSkipCount": side["panelSkipCount"],
        "reviews": [{"verdict": r["verdict"]} for r in side["reviews"]],
    }
    assert [s["panelShipCount"] for s in beneath["sides"]] == [
        s["panelShipCount"] for s in direct["sides"]
    ]
