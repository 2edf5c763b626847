"""A query whose text validated before runs straight through graphql-core
(graphql_api.engine.direct), skipping Strawberry's per-request hooks. It must answer exactly as
Strawberry's path does, for good requests and bad ones, and leave everything else to Strawberry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from strawberry import Schema

from graphql_api.settings import ApiSettings
from tests.support.clients import api_client
from tests.support.queries import COMPARISON_LISTING, COMPARISON_PAGE
from tests.support.votes import cast, tokens
from verdict.settings import Settings

SLUG = "mistral-code-vs-forge-coder"
TWO_OPERATIONS = """
query Titles { comparisons(first: 2) { edges { node { title } } } }
query One($slug: String!) { comparison(slug: $slug) { slug voteCount } }
"""
GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
def strawberry_runs(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The operations that went through Strawberry's ``Schema.execute``."""
    runs: list[str | None] = []
    original = Schema.execute

    async def execute(self: Schema, query: str | None, *args: Any, **kwargs: Any) -> Any:
        runs.append(kwargs.get("operation_name"))
        return await original(self, query, *args, **kwargs)

    monkeypatch.setattr(Schema, "execute", execute)
    return runs


def _answer(response: httpx.Response) -> tuple[int, str, Any]:
    return response.status_code, response.headers["content-type"], response.json()


async def _post(http: httpx.AsyncClient, body: dict[str, Any], accept: str) -> httpx.Response:
    return await http.post("/graphql", json=body, headers={"Accept": accept})


WARM = {"query": COMPARISON_PAGE, "variables": {"slug": SLUG}}
"""Makes the page's text known to the app."""
CASES = [
    pytest.param({"query": COMPARISON_PAGE, "variables": {"slug": SLUG}}, id="page"),
    pytest.param({"query": COMPARISON_PAGE, "variables": {"slug": "no-such"}}, id="not found"),
    pytest.param({"query": COMPARISON_PAGE, "variables": {}}, id="missing variable"),
    pytest.param({"query": COMPARISON_PAGE, "variables": {"slug": 7}}, id="wrong variable type"),
    pytest.param({"query": COMPARISON_PAGE, "variables": {"slug": "a\x00b"}}, id="NUL"),
    pytest.param({"query": COMPARISON_LISTING, "variables": {"first": 5}}, id="listing"),
    pytest.param({"query": COMPARISON_LISTING, "variables": {"first": -1}}, id="field error"),
    pytest.param(
        {"query": COMPARISON_LISTING, "variables": {"first": 100, "orderBy": "MOST_VOTED"}},
        id="most voted",
    ),
    pytest.param({"query": TWO_OPERATIONS, "operationName": "Titles"}, id="named"),
    pytest.param(
        {"query": TWO_OPERATIONS, "operationName": "One", "variables": {"slug": SLUG}},
        id="other name",
    ),
    pytest.param({"query": TWO_OPERATIONS, "operationName": "Nope"}, id="unknown name"),
    pytest.param({"query": TWO_OPERATIONS}, id="no name, two operations"),
]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize("body", CASES)
async def test_a_known_query_answers_as_strawberrys_path_does(
    demo_db: Settings, body: dict[str, Any], accept: str
) -> None:
    async with api_client(demo_db) as fresh, api_client(demo_db) as warmed:
        reference = _answer(await _post(fresh, body, accept))  # first sight: Strawberry's path
        await _post(warmed, {**body, "variables": WARM["variables"]}, accept)
        await _post(warmed, WARM, accept)
        assert _answer(await _post(warmed, body, accept)) == reference
        assert _answer(await _post(warmed, body, accept)) == reference


async def test_repeated_queries_skip_strawberrys_hooks(
    demo_db: Settings, strawberry_runs: list[str | None]
) -> None:
    async with api_client(demo_db) as http:
        for _ in range(3):
            response = await _post(http, WARM, "application/json")
            assert response.json()["data"]["comparison"]["slug"] == SLUG
            assert response.json()["extensions"]["cost"]["estimated"] > 0
        assert len(strawberry_runs) == 1  # only the first: it validated the text


async def test_mutations_and_refused_operations_always_take_strawberrys_path(
    demo_db: Settings, strawberry_runs: list[str | None]
) -> None:
    # A listing of 1 costs 51, of 5 costs 251: the same text is allowed or refused by its
    # variables alone.
    async with api_client(demo_db, ApiSettings(max_cost=200)) as http:
        for token in tokens(2):
            assert (await cast(http, token, "mistral-code", SLUG))["__typename"] == "VoteSuccess"
        assert len(strawberry_runs) == 2

        small = {"query": COMPARISON_LISTING, "variables": {"first": 1}}
        big = {"query": COMPARISON_LISTING, "variables": {"first": 5}}
        for _ in range(2):
            assert "errors" not in (await _post(http, small, "application/json")).json()
        assert len(strawberry_runs) == 3
        refused = (await _post(http, big, "application/json")).json()
        assert len(strawberry_runs) == 4  # Strawberry's path reports the limit
        assert refused["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
        assert "errors" not in (await _post(http, small, "application/json")).json()
        assert len(strawberry_runs) == 4


async def test_a_text_that_failed_validation_is_never_run_directly(
    demo_db: Settings, strawberry_runs: list[str | None]
) -> None:
    invalid = {"query": "{ comparison(slug: 1) { nope } }"}
    async with api_client(demo_db) as http:
        answers = [(await _post(http, invalid, "application/json")).json() for _ in range(3)]
        assert len(strawberry_runs) == 3
        assert answers[0] == answers[1] == answers[2]
        assert answers[0]["errors"]


async def test_an_unexpected_failure_is_an_error_result_not_a_crash(
    demo_db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphql_api.engine.direct

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("executor blew up")

    async with api_client(demo_db) as http:
        assert "errors" not in (await _post(http, WARM, "application/json")).json()
        monkeypatch.setattr(graphql_api.engine.direct, "execute", broken)
        response = await _post(http, WARM, "application/json")
        assert response.status_code == 200
        assert response.json()["data"] is None
        assert response.json()["errors"][0]["message"]
