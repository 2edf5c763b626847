"""The frontend's tool page and tool listing against the demo content, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.queries import (
    REVIEWER_PAGE,
    THREE_WAY,
    TOOL_LISTING,
    TOOL_PAGE,
    graphql,
    walk,
)


async def test_tool_page(client: httpx.AsyncClient) -> None:
    tool = (await graphql(client, TOOL_PAGE, {"slug": "quillmate"}))["tool"]
    assert tool["name"] == "Quillmate"
    assert tool["category"] == "Writing Assistants"
    assert (tool["panelShipCount"], tool["panelSkipCount"], tool["panelShipPercent"]) == (2, 2, 50)
    assert len(tool["reviews"]) == 4
    assert all(r["reviewer"]["bio"] for r in tool["reviews"])
    # Newest first; both comparisons Quillmate appears on.
    assert [c["slug"] for c in tool["comparisons"]] == [
        "cadence-write-vs-quillmate",
        THREE_WAY,
    ]
    assert [s["tool"]["slug"] for s in tool["comparisons"][0]["sides"]] == [
        "cadence-write",
        "quillmate",
    ]


async def test_draft_tool_and_unknown_slugs_are_null(client: httpx.AsyncClient) -> None:
    assert (await graphql(client, TOOL_PAGE, {"slug": "halyard-coder"}))["tool"] is None
    assert (await graphql(client, TOOL_PAGE, {"slug": "nope"}))["tool"] is None
    assert (await graphql(client, REVIEWER_PAGE, {"slug": "nope"}))["reviewer"] is None


async def test_tool_listing_filters(client: httpx.AsyncClient) -> None:
    everything, pages = await walk(client, TOOL_LISTING, "tools", {"first": 3})
    assert (len(everything), pages) == (10, 4)
    assert everything == sorted(everything)  # slugs follow names here
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"vendor": "Meta"}, ["code-llama-4"]),
        ({"category": "Writing Assistants", "openWeights": True}, ["inkling"]),
        ({"search": "OPEN-WEIGHT LONG"}, ["inkling"]),
        ({"search": "browser extension"}, ["draftwell"]),
        (
            {"openWeights": False, "category": "Writing Assistants"},
            ["cadence-write", "draftwell", "quillmate"],
        ),
    ]
    for tool_filter, expected in cases:
        found, _ = await walk(client, TOOL_LISTING, "tools", {"filter": tool_filter})
        assert found == expected, tool_filter
