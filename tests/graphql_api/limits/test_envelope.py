"""Each class of malformed envelope, over POST and GET: a 400 with a stable code."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.apps import app_for, client_for
from verdict.settings import Settings


@pytest.fixture
async def http(demo_db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_for(demo_db) as app, client_for(app) as client:
        yield client


def _deep(levels: int) -> bytes:
    return (
        b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * levels + b"]" * levels + b"}}"
    )


CASES: list[tuple[str, bytes, str]] = [
    ("string-body", b'"x"', "BAD_REQUEST"),
    ("null-body", b"null", "BAD_REQUEST"),
    ("number-body", b"1", "BAD_REQUEST"),
    ("true-body", b"true", "BAD_REQUEST"),
    ("array-of-non-objects", b"[1, null]", "BAD_REQUEST"),
    ("operation-name-number", b'{"query": "{ __typename }", "operationName": 1}', "BAD_REQUEST"),
    ("operation-name-object", b'{"query": "{ __typename }", "operationName": {}}', "BAD_REQUEST"),
    (
        "surrogate-operation-name",
        b'{"query": "{ __typename }", "operationName": "\\ud800"}',
        "BAD_REQUEST",
    ),
    (
        "surrogate-variable",
        b'{"query": "{ __typename }", "variables": {"a": "\\udfff"}}',
        "BAD_REQUEST",
    ),
    ("surrogate-key", b'{"query": "{ __typename }", "variables": {"\\ud800": 1}}', "BAD_REQUEST"),
    ("invalid-utf8", b'{"query": "{ __typename }", "operationName": "\xff\xfe"}', "BAD_REQUEST"),
    (
        "int-beyond-64-bits",
        b'{"query": "{ __typename }", "variables": {"n": 123456789012345678901234567890}}',
        "ok",
    ),
    (
        "thousands-of-digits",
        b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}",
        "BAD_REQUEST",
    ),
    ("nested-600", _deep(600), "NESTING_LIMIT_EXCEEDED"),
    ("nested-5000", _deep(5000), "BAD_REQUEST"),
    (
        "several-operations",
        b'{"query": "query A { __typename } query B { __typename }"}',
        "OPERATION_NAME_REQUIRED",
    ),
    (
        "subscription-over-post",
        b'{"query": "subscription { voteTally(comparisonSlug: \\"x\\") { __typename } }"}',
        "SUBSCRIPTION_OVER_HTTP",
    ),
]


@pytest.mark.parametrize(("name", "body", "code"), CASES, ids=[c[0] for c in CASES])
async def test_malformed_post_envelope(
    http: httpx.AsyncClient, name: str, body: bytes, code: str
) -> None:
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    if code == "ok":  # a huge integer is a float to orjson: valid JSON, and unused here
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 400, response.text[:300]
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"query": "{ __typename }", "variables": '{"a": "\\ud800"}'}, "BAD_REQUEST"),
        ({"query": "{ __typename }", "variables": "[1]"}, "BAD_REQUEST"),
        ({"query": "{ __typename }", "variables": "[" * 100 + "]" * 100}, "BAD_REQUEST"),
        (
            {"query": "{ __typename }", "variables": '{"a":' + "[" * 100 + "]" * 100 + "}"},
            "NESTING_LIMIT_EXCEEDED",
        ),
        (
            {"query": 'subscription { voteTally(comparisonSlug: "x") { __typename } }'},
            "SUBSCRIPTION_OVER_HTTP",
        ),
        ({"query": "query A { __typename } query B { __typename }"}, "OPERATION_NAME_REQUIRED"),
    ],
)
async def test_malformed_get_envelope(
    http: httpx.AsyncClient, params: dict[str, str], code: str
) -> None:
    response = await http.get("/graphql", params=params, headers={"accept": "application/json"})
    assert response.status_code == 400, response.text[:300]
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_named_operation_of_several_runs(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": "query A { a: __typename } query B { b: __typename }", "operationName": "B"},
    )
    assert response.json()["data"] == {"b": "Query"}


async def test_head_is_405_without_a_cookie(http: httpx.AsyncClient) -> None:
    response = await http.head("/graphql")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert "set-cookie" not in response.headers
    assert "x-verdict-voter" not in response.headers
