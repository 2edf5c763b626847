"""A corpus of hostile and malformed requests: each gets a 4xx or a GraphQL error with a stable
code, never a 5xx, and the server keeps serving afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.clients import AppClient, assert_still_serving


def _nested(depth: int) -> str:
    inner = "name"
    for level in range(depth):
        inner = f"tool {{ {inner} }}" if level % 2 == 0 else f"sides {{ {inner} }}"
    return f'{{ comparison(slug: "x") {{ {inner} }} }}'


def _fragment_bomb(levels: int) -> str:
    fragments = ["fragment F0 on Query { a: __typename }"]
    for n in range(1, levels):
        fragments.append(f"fragment F{n} on Query {{ ...F{n - 1} b{n}: __typename ...F{n - 1} }}")
    return f"{{ ...F{levels - 1} }} " + " ".join(fragments)


ALIASES_IN_FRAGMENT = (
    "{ x: tools { ...T } y: tools { ...T } z: tools { ...T } } "
    "fragment T on ToolConnection { " + " ".join(f"a{i}: totalCount" for i in range(12)) + " }"
)
COST_BOMB = (
    "{ tools(first: 100) { nodes { reviews { reviewer { reviews { tool { reviews { quote } } } } "
    "} } } }"
)

# (name, request keyword arguments for http.request, expected status, expected code)
CORPUS: list[tuple[str, dict[str, Any], int, str]] = [
    ("depth", {"json": {"query": _nested(30)}}, 200, "DEPTH_LIMIT_EXCEEDED"),
    (
        "aliases",
        {"json": {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(200)) + " }"}},
        200,
        "ALIAS_LIMIT_EXCEEDED",
    ),
    (
        "aliases-through-fragments",
        {"json": {"query": ALIASES_IN_FRAGMENT}},
        200,
        "ALIAS_LIMIT_EXCEEDED",
    ),
    ("fragment-bomb", {"json": {"query": _fragment_bomb(60)}}, 200, "ALIAS_LIMIT_EXCEEDED"),
    ("cost", {"json": {"query": COST_BOMB}}, 200, "COST_LIMIT_EXCEEDED"),
    ("tokens", {"json": {"query": "{ " + "__typename " * 5000 + "}"}}, 200, "TOKEN_LIMIT_EXCEEDED"),
    (
        "10MB-body",
        {
            "content": b'{"query": "' + b"x" * 10_000_000 + b'"}',
            "headers": {"content-type": "application/json"},
        },
        413,
        "BODY_TOO_LARGE",
    ),
    (
        "broken-json",
        {"content": b'{"query": ', "headers": {"content-type": "application/json"}},
        400,
        "BAD_REQUEST",
    ),
    (
        "text-plain",
        {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}},
        400,
        "BAD_REQUEST",
    ),
    (
        "xml",
        {"content": b"<query/>", "headers": {"content-type": "application/xml"}},
        400,
        "BAD_REQUEST",
    ),
    (
        "variables-not-object",
        {"json": {"query": "{ __typename }", "variables": "x"}},
        400,
        "BAD_REQUEST",
    ),
    (
        "variable-wrong-type",
        {
            "json": {
                "query": "query Q($s: String!) { tool(slug: $s) { name } }",
                "variables": {"s": {"$gt": ""}},
            }
        },
        200,
        "BAD_USER_INPUT",
    ),
    (
        "missing-variable",
        {"json": {"query": "query Q($s: String!) { tool(slug: $s) { name } }"}},
        200,
        "BAD_USER_INPUT",
    ),
    (
        "unknown-operation-name",
        {"json": {"query": "query A { __typename }", "operationName": "B"}},
        400,
        "BAD_REQUEST",
    ),
    ("query-not-string", {"json": {"query": 12}}, 400, "BAD_REQUEST"),
    ("batch-too-large", {"json": [{"query": "{ __typename }"}] * 11}, 400, "BATCH_LIMIT_EXCEEDED"),
    ("empty-batch-item", {"json": [{}]}, 400, "BAD_REQUEST"),
    (
        "preview-forged",
        {
            "json": {"query": "{ __typename }"},
            "headers": {"x-verdict-preview": "p1.99999999999.forged"},
        },
        401,
        "INVALID_PREVIEW_TOKEN",
    ),
    (
        "apq-bad-hash",
        {"json": {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "zz"}}}},
        200,
        "BAD_USER_INPUT",
    ),
]


@pytest.mark.parametrize(
    ("name", "request_args", "status", "code"), CORPUS, ids=[c[0] for c in CORPUS]
)
async def test_hostile_request_is_refused_clearly(
    app_client: AppClient, name: str, request_args: dict[str, Any], status: int, code: str
) -> None:
    async with app_client() as http:
        response = await http.request("POST", "/graphql", **request_args)
        assert response.status_code == status, response.text[:300]
        body = response.json()
        codes = [e["extensions"]["code"] for e in body["errors"]]
        assert codes == [code], body
        assert body["errors"][0]["message"]
        await assert_still_serving(http)


async def test_limits_follow_the_settings(app_client: AppClient) -> None:
    async with app_client(max_depth=3, max_batch=0, introspection=False) as http:
        deep = await http.post("/graphql", json={"query": _nested(3)})
        assert deep.json()["errors"][0]["extensions"] == {
            "code": "DEPTH_LIMIT_EXCEEDED",
            "depth": 5,
            "maxDepth": 3,
        }
        batch = await http.post("/graphql", json=[{"query": "{ __typename }"}])
        assert batch.status_code == 400
        assert batch.json()["errors"][0]["extensions"]["code"] == "BATCH_LIMIT_EXCEEDED"
        schema = await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert schema.json()["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        typename = await http.post("/graphql", json={"query": "{ __typename }"})
        assert typename.json()["data"] == {"__typename": "Query"}
        await assert_still_serving(http)


async def test_cost_is_reported_and_batches_run(app_client: AppClient) -> None:
    async with app_client() as http:
        response = await http.post(
            "/graphql", json={"query": "{ tools(first: 5) { nodes { reviews { quote } } } }"}
        )
        # tools: 1 + 5 x nodes; nodes: 1 + reviews; reviews: 1 + 50 x quote (1): `reviews` is
        # estimated at the larger of its bounds (Reviewer.reviews lists 50; verdict.limits).
        assert response.json()["extensions"]["cost"] == {
            "estimated": 1 + 5 * (1 + (1 + 50 * 1)),
            "max": 20000,
        }
        batch = await http.post("/graphql", json=[{"query": "{ __typename }"}] * 3)
        assert batch.status_code == 200
        assert [item["data"] for item in batch.json()] == [{"__typename": "Query"}] * 3


async def test_introspection_is_on_in_dev(app_client: AppClient) -> None:
    async with app_client() as http:
        response = await http.post(
            "/graphql", json={"query": "{ __schema { queryType { name } } }"}
        )
        assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_trusted_documents_mode_runs_only_the_manifest(app_client: AppClient) -> None:
    from graphql_api.persisted.manifest import load

    documents = load()
    sha256, document = next(iter(documents.items()))
    async with app_client(trusted_documents="only") as http:
        unknown = await http.post("/graphql", json={"query": "{ __typename }"})
        assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
        other_hash = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
        unknown_hash = await http.post("/graphql", json={"extensions": other_hash})
        assert unknown_hash.json()["errors"][0]["extensions"]["code"] == (
            "PERSISTED_QUERY_NOT_ALLOWED"
        )
        variables = {"slug": "code-llama-4-vs-mistral-code"}
        by_hash = await http.post(
            "/graphql",
            json={
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
                "variables": variables,
            },
        )
        in_full = await http.post("/graphql", json={"query": document, "variables": variables})
        for response in (by_hash, in_full):
            assert "errors" not in response.json()
            assert response.json()["data"]["comparison"]["title"] == "Code Llama 4 vs Mistral Code"


async def test_nul_characters_are_refused_before_the_database(app_client: AppClient) -> None:
    async with app_client() as http:
        literal = await http.post(
            "/graphql", json={"query": '{ tool(slug: "a\\u0000b") { name } }'}
        )
        variable = await http.post(
            "/graphql",
            json={
                "query": "query Q($s: String!) { tool(slug: $s) { name } }",
                "variables": {"s": "a\u0000b"},
            },
        )
        for response in (literal, variable):
            assert response.status_code == 200
            assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        await assert_still_serving(http)
