"""Which GET answers carry surrogate keys and a shared-cache lifetime, and which never do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.responses import Response

from graphql_api.app import create_app
from graphql_api.caching import policy
from graphql_api.caching.surrogate import MAX_HEADER_BYTES, SurrogateHeaders
from graphql_api.outcome import Outcome
from graphql_api.preview.tokens import HEADER_NAME, PreviewSigner
from graphql_api.settings import ApiSettings
from graphql_api.votes.voter import VoterSigner
from verdict.purge.settings import Backend, PurgeSettings
from verdict.settings import DEV_SECRET_KEY, Settings

FIRST = "code-llama-4-vs-mistral-code"
VARNISH = PurgeSettings(backend=Backend.VARNISH, varnish_urls=("http://127.0.0.1:1",))


@pytest.fixture
async def http(demo_db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # The response cache on: a hit must name the same keys as the answer it replays.
    app = create_app(
        demo_db, api=ApiSettings(edge_cache=False), manage_database=False, purge=VARNISH
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://verdict.test"
        ) as client:
            yield client
    finally:
        await app.state.voting.stop()


async def get(http: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await http.get("/graphql", params={"query": query}, headers=headers)


async def test_content_answers_name_their_rows_also_from_the_response_cache(
    http: httpx.AsyncClient,
) -> None:
    query = f'{{ comparison(slug: "{FIRST}") {{ title sides {{ tool {{ name }} }} }} }}'
    first = await get(http, query)
    second = await get(http, query)
    assert second.headers["x-verdict-cache"] == "hit"
    assert first.headers["surrogate-key"] == second.headers["surrogate-key"]
    assert set(first.headers["surrogate-key"].split()) == {"comparisons:1", "tools:1", "tools:2"}


async def test_a_missing_row_names_its_collection(http: httpx.AsyncClient) -> None:
    missing = await get(http, '{ comparison(slug: "not-there") { title } }')
    assert missing.json()["data"]["comparison"] is None
    assert missing.headers["surrogate-key"] == "comparisons"


async def test_votes_ordered_lists_name_every_tally(http: httpx.AsyncClient) -> None:
    ordered = await get(http, "{ comparisons(orderBy: MOST_VOTED) { nodes { slug } } }")
    assert "tallies" in ordered.headers["surrogate-key"].split()


async def test_private_preview_error_and_sync_status_answers_are_never_keyed(
    http: httpx.AsyncClient,
) -> None:
    _, voter = VoterSigner.from_secret(DEV_SECRET_KEY).issue()
    preview = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)
    answers = [
        await get(
            http, f'{{ comparison(slug: "{FIRST}") {{ myVote }} }}', **{"x-verdict-voter": voter}
        ),
        await get(http, f'{{ comparison(slug: "{FIRST}") {{ title }} }}', **{HEADER_NAME: preview}),
        await get(http, "{ comparison { title } }"),
        await get(http, "{ syncIssues { collection } }"),
    ]
    for answer in answers:
        assert "surrogate-key" not in answer.headers, answer.text
        assert "surrogate-control" not in answer.headers


async def test_no_keys_without_purging(demo_db: Settings) -> None:
    app = create_app(demo_db, api=ApiSettings(), manage_database=False, purge=PurgeSettings())
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://verdict.test"
        ) as client:
            answer = await get(client, f'{{ comparison(slug: "{FIRST}") {{ title }} }}')
    finally:
        await app.state.voting.stop()
    assert answer.status_code == 200
    assert "surrogate-key" not in answer.headers  # nobody purges: no long shared lifetime


def test_an_overlong_key_list_leaves_the_answer_unkeyed() -> None:
    outcome = Outcome(content_keys={f"tools:{i}" for i in range(MAX_HEADER_BYTES // 6)})
    response = Response(b"{}")
    SurrogateHeaders(VARNISH).mark(response, outcome, policy.Scope.CONTENT)
    assert "surrogate-key" not in response.headers
    assert "surrogate-control" not in response.headers
    short = Outcome(content_keys={"tools:1"})
    SurrogateHeaders(VARNISH).mark(response, short, policy.Scope.CONTENT)
    assert response.headers["surrogate-key"] == "tools:1"
