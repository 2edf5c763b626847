"""Health, readiness, metrics (scraped and parsed), request ids and CORS."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.support.clients import NORMAL_QUERY, AppClient


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_are_scraped_in_the_exposition_format(app_client: AppClient) -> None:
    async with app_client() as http:
        await http.post("/graphql", json={"query": "query Page " + NORMAL_QUERY.strip()})
        await http.post("/graphql", json={"query": "query Page " + NORMAL_QUERY.strip()})
        await http.post("/graphql", json={"query": "{ nope }"})
        await http.post("/graphql", content=b"{", headers={"content-type": "application/json"})
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("verdict_graphql_requests_total", (("operation", "Page"),))] == 2
    assert samples[("verdict_graphql_request_seconds_count", (("operation", "Page"),))] == 2
    assert samples[("verdict_graphql_errors_total", (("code", "GRAPHQL_VALIDATION_FAILED"),))] == 1
    assert samples[("verdict_graphql_errors_total", (("code", "BAD_REQUEST"),))] == 1
    assert samples[("verdict_sync_last_success_timestamp_seconds", ())] > 1_700_000_000
    assert samples[("verdict_sync_lag_seconds", ())] >= 0
    assert samples[("verdict_votes", ())] == 0
    # The sample content has quarantined entries only if it is malformed; the gauge is present.
    assert "verdict_sync_quarantined_entries" in response.text


async def test_health_readiness_and_request_ids(app_client: AppClient) -> None:
    async with app_client() as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "redis": "not configured"}
        given = await http.post(
            "/graphql", json={"query": NORMAL_QUERY}, headers={"x-request-id": "abc-123"}
        )
        assert given.headers["x-request-id"] == "abc-123"
        made = await http.post(
            "/graphql", json={"query": NORMAL_QUERY}, headers={"x-request-id": "bad id\n"}
        )
        assert len(made.headers["x-request-id"]) == 32


async def test_readyz_is_503_when_redis_is_down(app_client: AppClient) -> None:
    async with app_client(settings={"redis_url": "redis://127.0.0.1:1/0"}) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["redis"].startswith("down")


async def test_cors_allow_list(app_client: AppClient) -> None:
    async with app_client(cors_origins=("https://verdict.example",)) as http:
        allowed = await http.options(
            "/graphql",
            headers={
                "origin": "https://verdict.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://verdict.example"
        other = await http.post(
            "/graphql", json={"query": NORMAL_QUERY}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers
