"""Page-size caps and bad input: clear GraphQL errors with stable codes, never a 500."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from graphql_api.app import create_app
from verdict.settings import Settings


async def _errors(client: httpx.AsyncClient, query: str, **variables: Any) -> list[dict[str, Any]]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    errors: list[dict[str, Any]] = response.json().get("errors", [])
    return errors


@pytest.mark.parametrize("field", ["comparisons", "tools", "reviewers"])
async def test_first_is_capped_at_100(client: httpx.AsyncClient, field: str) -> None:
    query = f"query Q($n: Int) {{ {field}(first: $n) {{ totalCount }} }}"
    assert await _errors(client, query, n=100) == []
    [error] = await _errors(client, query, n=101)
    assert error["extensions"] == {"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": 100}
    assert "at most 100" in error["message"]
    assert error["path"] == [field]
    [error] = await _errors(client, query, n=-1)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_cap_follows_the_setting(demo_db: Settings) -> None:
    app = create_app(
        Settings(database_url=demo_db.database_url, max_page_size=3), manage_database=False
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as http:
        query = "query Q($n: Int) { tools(first: $n) { totalCount } }"
        assert await _errors(http, query, n=3) == []
        [error] = await _errors(http, query, n=4)
        assert error["extensions"] == {"code": "PAGE_SIZE_EXCEEDED", "maxPageSize": 3}


@pytest.mark.parametrize(
    "cursor",
    ["garbage", base64.b64encode(b"offset:-4").decode(), base64.b64encode(b"x:1").decode()],
)
async def test_bad_cursors_are_invalid_cursor(client: httpx.AsyncClient, cursor: str) -> None:
    query = "query Q($after: String) { comparisons(after: $after) { totalCount } }"
    [error] = await _errors(client, query, after=cursor)
    assert error["extensions"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize(
    "global_id",
    ["garbage", base64.b64encode(b"Vote:1").decode(), base64.b64encode(b"Tool:").decode()],
)
async def test_bad_global_ids_are_invalid_id(client: httpx.AsyncClient, global_id: str) -> None:
    [error] = await _errors(client, "query Q($id: ID!) { node(id: $id) { id } }", id=global_id)
    assert error["extensions"]["code"] == "INVALID_ID"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ tools(filter: { colour: RED }) { totalCount } }", {}),
        ("{ comparisons(orderBy: OLDEST) { totalCount } }", {}),
        ("{ tool { slug } }", {}),
        ("query Q($f: ToolFilter) { tools(filter: $f) { totalCount } }", {"f": {"nope": 1}}),
        ("query Q($s: String!) { tool(slug: $s) { slug } }", {}),
    ],
)
async def test_unknown_arguments_and_invalid_input_have_codes(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any]
) -> None:
    errors = await _errors(client, query, **variables)
    assert errors
    assert {e["extensions"]["code"] for e in errors} <= {
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
    }


async def test_over_long_search_is_bad_user_input(client: httpx.AsyncClient) -> None:
    query = "query Q($s: String) { tools(filter: { search: $s }) { totalCount } }"
    [error] = await _errors(client, query, s="x" * 201)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
