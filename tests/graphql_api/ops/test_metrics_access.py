"""/metrics is private in prod (a token, or not served at all), its labels come from operations
that ran, and a scrape does not read the database every time."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from devtools.sql_counter import QueryCounter
from tests.support.apps import app_for, client_for
from verdict.settings import PROJECT_ROOT, Mode, Settings

PROD = {"mode": Mode.PROD, "secret_key": "metrics-test-secret-0123456789-abcdefghijk"}
TOKEN = "metrics-token-Qm9vQmFyQmF6LTEyMzQ1Njc4OTAxMjM0NQ"
QUERY = '{ comparison(slug: "code-llama-4-vs-mistral-code") { title } }'


def _operations(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "verdict_graphql_requests_total":
                found[sample.labels["operation"]] = sample.value
    return found


async def test_prod_without_a_token_does_not_serve_metrics(demo_db: Settings) -> None:
    async with app_for(demo_db, PROD) as app, client_for(app) as http:
        assert (await http.get("/metrics")).status_code == 404


async def test_a_metrics_token_is_required_when_set(demo_db: Settings) -> None:
    async with app_for(demo_db, PROD, metrics_token=TOKEN) as app, client_for(app) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = {"authorization": "Bearer " + TOKEN[:-1] + "x"}
        assert (await http.get("/metrics", headers=wrong)).status_code == 401
        right = await http.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert "verdict_graphql_requests" in right.text


async def test_labels_come_from_operations_that_ran(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        for n in range(250):  # names that never ran: unknown, or in a failing document
            await http.post("/graphql", json={"query": QUERY, "operationName": f"Junk{n}"})
            await http.post("/graphql", json={"query": f"query Bad{n} {{ nope }}"})
        await http.post("/graphql", json={"query": "query Real " + QUERY})
        labels = _operations((await http.get("/metrics")).text)
    assert labels.get("Real") == 1
    assert not [name for name in labels if re.match(r"^(Junk|Bad)\d", name)]


async def test_manifest_operations_keep_their_label_after_the_cap(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        for n in range(210):  # fill the 200 free labels with operations that did run
            await http.post("/graphql", json={"query": f"query Filler{n} {{ __typename }}"})
        page = "query ComparisonList { __typename }"  # a manifest operation's name
        await http.post("/graphql", json={"query": page})
        labels = _operations((await http.get("/metrics")).text)
    assert labels.get("ComparisonList") == 1
    assert labels.get("other", 0) >= 10


async def test_scrapes_do_not_read_the_database_each_time(
    demo_db: Settings, sql_queries: QueryCounter
) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        await http.get("/metrics")
        after_first = sql_queries.count
        for _ in range(5):
            assert (await http.get("/metrics")).status_code == 200
        assert sql_queries.count == after_first
        assert after_first > 0


def test_nginx_does_not_proxy_metrics() -> None:
    conf = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    block = re.search(r"location = /metrics \{([^}]*)\}", conf)
    assert block is not None
    assert "return 404" in block.group(1)
    assert "proxy_pass" not in block.group(1)
