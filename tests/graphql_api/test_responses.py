"""GraphQL over HTTP (graphql.github.io/graphql-over-http): methods, media types, status codes."""

from __future__ import annotations

import httpx
import pytest
from graphql import build_schema, graphql_sync
from strawberry.types.execution import ExecutionResult

from graphql_api.errors import ErrorCode
from graphql_api.responses import error_code

GQL_RESPONSE = "application/graphql-response+json"
QUERY = '{ comparison(slug: "code-llama-4-vs-mistral-code") { title } }'
EXPECTED = {"data": {"comparison": {"title": "Code Llama 4 vs Mistral Code"}}}


def _without_cost(payload: dict[str, object]) -> dict[str, object]:
    """The payload less ``extensions.cost`` (every response carries it, see
    tests/graphql_api/limits/test_extension.py)."""
    extensions = payload.pop("extensions")
    assert isinstance(extensions, dict)
    assert set(extensions) == {"cost"}
    return payload


async def test_post_and_get_both_run_queries(client: httpx.AsyncClient) -> None:
    post = await client.post("/graphql", json={"query": QUERY})
    get = await client.get("/graphql", params={"query": QUERY})
    for response in (post, get):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert _without_cost(response.json()) == EXPECTED


async def test_get_passes_variables_as_json(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query Q($slug: String!) { comparison(slug: $slug) { title } }",
            "variables": '{"slug": "code-llama-4-vs-mistral-code"}',
        },
    )
    assert _without_cost(response.json()) == EXPECTED


@pytest.mark.parametrize("accept", [GQL_RESPONSE, None])
async def test_mutation_over_get_is_405(client: httpx.AsyncClient, accept: str | None) -> None:
    headers = {"accept": accept} if accept else {}
    response = await client.get("/graphql", params={"query": "mutation { vote }"}, headers=headers)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_other_methods_are_405(client: httpx.AsyncClient) -> None:
    response = await client.put("/graphql", json={"query": QUERY})
    assert response.status_code == 405


async def test_graphql_response_json_when_accepted(client: httpx.AsyncClient) -> None:
    for accept in (GQL_RESPONSE, f"{GQL_RESPONSE}, application/json;q=0.9"):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"] == GQL_RESPONSE
        assert _without_cost(response.json()) == EXPECTED


async def test_application_json_otherwise(client: httpx.AsyncClient) -> None:
    for accept in ("application/json", "*/*", f"application/json, {GQL_RESPONSE};q=0"):
        response = await client.post("/graphql", json={"query": QUERY}, headers={"accept": accept})
        assert response.headers["content-type"].startswith("application/json")


BAD_REQUESTS = [
    pytest.param({"query": "{ comparison(slug: "}, "GRAPHQL_PARSE_FAILED", id="parse"),
    pytest.param({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED", id="validation"),
    pytest.param(
        {"query": '{ comparison(slug: "x", color: 1) { title } }'},
        "GRAPHQL_VALIDATION_FAILED",
        id="unknown-argument",
    ),
    pytest.param(
        {"query": "query Q($n: Int) { tools(first: $n) { totalCount } }", "variables": {"n": "x"}},
        "BAD_USER_INPUT",
        id="variable-coercion",
    ),
]


@pytest.mark.parametrize(("body", "code"), BAD_REQUESTS)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    client: httpx.AsyncClient, body: dict[str, object], code: str
) -> None:
    response = await client.post("/graphql", json=body, headers={"accept": GQL_RESPONSE})
    assert response.status_code == 400
    assert response.headers["content-type"] == GQL_RESPONSE
    payload = response.json()
    assert "data" not in payload
    assert [e["extensions"]["code"] for e in payload["errors"]] == [code]


@pytest.mark.parametrize(("body", "code"), BAD_REQUESTS)
async def test_request_errors_are_200_for_application_json(
    client: httpx.AsyncClient, body: dict[str, object], code: str
) -> None:
    response = await client.post("/graphql", json=body, headers={"accept": "application/json"})
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None
    assert [e["extensions"]["code"] for e in payload["errors"]] == [code]


async def test_field_errors_keep_status_200_and_data(client: httpx.AsyncClient) -> None:
    # Execution started, so the response has a data entry and the status is 200, even when an
    # error in a non-null field (`tools`) nulls the whole of it.
    cases = [
        ('{ node(id: "bad") { id } comparison(slug: "x") { title } }', "INVALID_ID"),
        ("{ tools(first: 500) { totalCount } }", "PAGE_SIZE_EXCEEDED"),
    ]
    expected_data = [{"node": None, "comparison": None}, None]
    for (query, code), data in zip(cases, expected_data, strict=True):
        response = await client.post(
            "/graphql", json={"query": query}, headers={"accept": GQL_RESPONSE}
        )
        assert response.status_code == 200
        payload = response.json()
        assert "data" in payload
        assert payload["data"] == data
        assert [e["extensions"]["code"] for e in payload["errors"]] == [code]


async def test_malformed_bodies_are_400_not_500(client: httpx.AsyncClient) -> None:
    bad_json = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    no_query = await client.post("/graphql", json={"variables": {}})
    wrong_type = await client.post("/graphql", json={"query": QUERY, "variables": [1]})
    for response in (bad_json, no_query, wrong_type):
        assert response.status_code == 400


async def test_an_explicit_null_for_a_non_null_argument_is_bad_user_input(
    client: httpx.AsyncClient,
) -> None:
    # Validation lets a nullable variable into a non-null argument that has a default; an explicit
    # null then fails the argument's coercion during execution, as a field error with a path. It
    # is the client's mistake, not an internal error with an error id.
    query = "query Q($o: ComparisonOrder) { comparisons(orderBy: $o) { totalCount } }"
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"o": None}},
        headers={"accept": GQL_RESPONSE},
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["data"] is None
    [error] = payload["errors"]
    assert error["path"] == ["comparisons"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "orderBy" in error["message"]
    # Left out, the same variable takes the argument's default.
    response = await client.post("/graphql", json={"query": query, "variables": {}})
    assert response.json()["data"]["comparisons"]["totalCount"] > 0


def test_only_graphql_core_s_argument_errors_are_the_client_s() -> None:
    """Of graphql-core's plain errors during execution, an argument refused at its value is the
    client's; a value that is not the field's object type, or that a scalar cannot serialize,
    is the server's own fault."""
    schema = build_schema(
        "enum O { A B } type Obj { a: Int } type Query { f(o: O! = A): Int, wrong: Obj, big: Int }"
    )
    schema.get_type("Obj").is_type_of = lambda value, info: False  # type: ignore[union-attr]
    root = {"f": 1, "wrong": 5, "big": 2**40}
    cases = [
        ("query($o: O) { f(o: $o) }", {"o": None}, ErrorCode.BAD_USER_INPUT),
        ("{ wrong { a } }", None, ErrorCode.INTERNAL_SERVER_ERROR),
        ("{ big }", None, ErrorCode.INTERNAL_SERVER_ERROR),
    ]
    for query, variables, code in cases:
        result = graphql_sync(schema, query, root_value=root, variable_values=variables)
        [error] = result.errors or []
        assert error.path is not None, query
        executed = ExecutionResult(data=result.data, errors=result.errors)
        assert error_code(error, executed) is code, query
