"""The demo page's routes on the app, and the two halves of the page's persisted-query client."""

from __future__ import annotations

import json

import httpx

from graphql_api.persisted import manifest as trusted_documents

SEED = "code-llama-4-vs-mistral-code"
ACCEPT = "application/graphql-response+json, application/json;q=0.9"  # as web/js/graphql.js


async def test_index_and_comparison_shells(client: httpx.AsyncClient) -> None:
    index = await client.get("/")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/web/js/index.js">' in index.text
    page = await client.get(f"/compare/{SEED}")
    assert page.status_code == 200
    assert '<script type="module" src="/web/js/compare.js">' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_malformed_slug_is_a_404_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/compare/%3Cscript%3E")
    assert response.status_code == 404
    assert "Not found" in response.text


async def test_static_modules_and_generated_types_are_served(client: httpx.AsyncClient) -> None:
    for path in ("/web/js/compare.js", "/web/js/ws.js", "/web/generated/operations.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"], path
    assert (await client.get("/web/nope.js")).status_code == 404


async def test_persisted_query_fallback_posts_the_full_document(client: httpx.AsyncClient) -> None:
    """What the page does: GET with the hash only; when that is no GraphQL result (a server
    without APQ) or PersistedQueryNotFound, POST the document with the same hash."""
    manifest = trusted_documents.load()
    digest, document = next((h, d) for h, d in manifest.items() if "query ComparisonPage" in d)
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    variables = {"slug": SEED}
    first = await client.get(
        "/graphql",
        params={
            "operationName": "ComparisonPage",
            "variables": json.dumps(variables),
            "extensions": json.dumps(extensions),
        },
        headers={"accept": ACCEPT},
    )
    if first.status_code == 200 and first.json().get("data"):
        answered = first.json()  # the server knows the hash: one round trip
    else:
        codes = []
        if first.headers["content-type"].startswith("application/"):
            codes = [e.get("extensions", {}).get("code") for e in first.json().get("errors", [])]
        assert first.status_code == 400 or "PERSISTED_QUERY_NOT_FOUND" in codes, first.text
        second = await client.post(
            "/graphql",
            json={
                "query": document,
                "operationName": "ComparisonPage",
                "variables": variables,
                "extensions": extensions,
            },
            headers={"accept": ACCEPT},
        )
        assert second.status_code == 200, second.text
        answered = second.json()
    sides = answered["data"]["comparison"]["sides"]
    assert [s["panelShipPercent"] for s in sides] == [100, 100]
