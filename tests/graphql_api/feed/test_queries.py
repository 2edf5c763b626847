"""contentChanges on the demo content: an initial pass, then only what changed, with tombstones."""

from __future__ import annotations

import httpx

from tests.support.feed_client import CONTENT_CHANGES, OfflineCopy, post, served


async def test_initial_pass_mirrors_what_the_api_serves(client: httpx.AsyncClient) -> None:
    copy = OfflineCopy(first=3)
    await copy.catch_up(client)
    assert copy.pages > 2
    assert copy.state() == await served(client)
    assert copy.seen_tombstones == 0


async def test_same_token_same_page_and_nothing_new_after_catching_up(
    client: httpx.AsyncClient,
) -> None:
    copy = OfflineCopy(first=4)
    await copy.content_page(client)
    token = copy.token
    first = await post(client, CONTENT_CHANGES, {"since": token, "first": 4})
    second = await post(client, CONTENT_CHANGES, {"since": token, "first": 4})
    assert first == second
    await copy.catch_up(client)
    last = await post(client, CONTENT_CHANGES, {"since": copy.token, "first": 4})
    page = last["contentChanges"]
    assert page["changes"] == []
    assert page["hasMore"] is False


async def test_a_forged_token_is_a_typed_error(client: httpx.AsyncClient) -> None:
    copy = OfflineCopy(first=4)
    await copy.content_page(client)
    assert copy.token is not None
    forged = copy.token[:-2] + ("AA" if not copy.token.endswith("AA") else "BB")
    data = await post(client, CONTENT_CHANGES, {"since": forged})
    assert data["contentChanges"]["__typename"] == "SyncTokenInvalid"
