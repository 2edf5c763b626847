"""The Contentful stand-in answers in the Sync API's documented shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from devtools.contentful_content import tool_fields
from devtools.contentful_standin import ContentfulStandin, link


@pytest.fixture
async def http(standin: ContentfulStandin) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bearer {standin.token}"}
    async with aiohttp.ClientSession(standin.url, headers=headers) as session:
        yield session


def _path(standin: ContentfulStandin) -> str:
    return f"/spaces/{standin.space_id}/environments/{standin.environment}/sync"


async def _get(
    http: aiohttp.ClientSession, path: str, **params: str
) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    async with http.get(path, params=params) as response:
        return response.status, await response.json(), dict(response.headers)


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["sync_token"][0]


async def test_an_initial_sync_answers_an_array_with_a_next_sync_url(
    standin: ContentfulStandin, http: aiohttp.ClientSession
) -> None:
    standin.publish("tool", "tool-1", tool_fields(1))
    status, body, headers = await _get(http, _path(standin), initial="true")
    assert status == 200
    assert body["sys"] == {"type": "Array"}
    assert "nextPageUrl" not in body
    assert urlsplit(body["nextSyncUrl"]).path == _path(standin)
    [entry] = body["items"]
    sys = entry["sys"]
    assert sys["type"] == "Entry"
    assert sys["id"] == "tool-1"
    assert sys["revision"] == 1
    assert sys["contentType"] == link("tool", "ContentType")
    assert sys["space"] == link(standin.space_id, "Space")
    assert sys["environment"] == link("master", "Environment")
    assert sys["createdAt"] == sys["updatedAt"]
    assert sys["updatedAt"].endswith("Z")
    assert entry["fields"]["name"] == {"en-US": "Tool 1"}
    assert headers["X-Contentful-Request-Id"]


async def test_pages_then_deletions_and_revisions(
    standin: ContentfulStandin, http: aiohttp.ClientSession
) -> None:
    for n in (1, 2, 3):
        standin.publish("tool", f"tool-{n}", tool_fields(n))
    _, first, _ = await _get(http, _path(standin), initial="true", limit="2")
    assert [i["sys"]["id"] for i in first["items"]] == ["tool-1", "tool-2"]
    _, second, _ = await _get(http, _path(standin), sync_token=_token(first["nextPageUrl"]))
    assert [i["sys"]["id"] for i in second["items"]] == ["tool-3"]
    standin.publish("tool", "tool-1", tool_fields(1, name="Again"))
    standin.delete("tool-2")
    _, delta, _ = await _get(http, _path(standin), sync_token=_token(second["nextSyncUrl"]))
    edited, deleted = delta["items"]
    assert edited["sys"]["revision"] == 2
    assert deleted["sys"]["type"] == "DeletedEntry"
    assert deleted["sys"]["id"] == "tool-2"
    assert "fields" not in deleted
    assert "contentType" not in deleted["sys"]
    assert deleted["sys"]["deletedAt"] == deleted["sys"]["updatedAt"]


async def test_an_initial_sync_holds_no_deletions_and_type_filters(
    standin: ContentfulStandin, http: aiohttp.ClientSession
) -> None:
    standin.publish("tool", "gone", tool_fields(1))
    standin.delete("gone")
    standin.publish("tool", "kept", tool_fields(2))
    standin.publish_asset("logo", "Logo")
    _, everything, _ = await _get(http, _path(standin), initial="true")
    assert [i["sys"]["id"] for i in everything["items"]] == ["kept", "logo"]
    _, entries, _ = await _get(http, _path(standin), initial="true", type="Entry")
    assert [i["sys"]["id"] for i in entries["items"]] == ["kept"]
    standin.delete("kept")
    standin.delete_asset("logo")
    _, deletions, _ = await _get(http, _path(standin), sync_token=_token(entries["nextSyncUrl"]))
    assert deletions["items"] == []  # type=Entry is kept in the token: no deletions
    _, gone, _ = await _get(http, _path(standin), sync_token=_token(everything["nextSyncUrl"]))
    assert [i["sys"]["type"] for i in gone["items"]] == ["DeletedEntry", "DeletedAsset"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "BadRequest"),
        ({"initial": "true", "sync_token": "x"}, 400, "BadRequest"),
        ({"initial": "yes"}, 400, "BadRequest"),
        ({"initial": "true", "limit": "1001"}, 400, "BadRequest"),
        ({"initial": "true", "type": "Everything"}, 400, "BadRequest"),
        ({"sync_token": "bm9uc2Vuc2U"}, 400, "BadRequest"),
    ],
)
async def test_bad_requests_answer_documented_errors(
    standin: ContentfulStandin,
    http: aiohttp.ClientSession,
    params: dict[str, str],
    status: int,
    code: str,
) -> None:
    got, body, _ = await _get(http, _path(standin), **params)
    assert got == status
    assert body["sys"] == {"type": "Error", "id": code}
    assert body["message"]
    assert body["requestId"]


async def test_authentication_by_header_or_query(standin: ContentfulStandin) -> None:
    async with aiohttp.ClientSession(standin.url) as anonymous:
        status, body, _ = await _get(anonymous, _path(standin), initial="true")
        assert (status, body["sys"]["id"]) == (401, "AccessTokenInvalid")
        status, _, _ = await _get(
            anonymous, _path(standin), initial="true", access_token=standin.token
        )
        assert status == 200
        status, body, _ = await _get(
            anonymous, f"/spaces/{standin.space_id}/sync", initial="true", access_token="x"
        )
        assert status == 401


async def test_unknown_spaces_and_environments_are_not_found(
    standin: ContentfulStandin, http: aiohttp.ClientSession
) -> None:
    for path in (
        "/spaces/other/environments/master/sync",
        f"/spaces/{standin.space_id}/environments/dev/sync",
    ):
        status, body, _ = await _get(http, path, initial="true")
        assert (status, body["sys"]["id"]) == (404, "NotFound")


async def test_the_rate_limit_switch(
    standin: ContentfulStandin, http: aiohttp.ClientSession
) -> None:
    standin.rate_limit(1, reset_seconds=3)
    status, body, headers = await _get(http, _path(standin), initial="true")
    assert (status, body["sys"]["id"]) == (429, "RateLimitExceeded")
    assert headers["X-Contentful-RateLimit-Reset"] == "3"
    status, _, _ = await _get(http, _path(standin), initial="true")
    assert status == 200


def test_deleting_what_is_not_published_is_an_error() -> None:
    standin = ContentfulStandin()
    with pytest.raises(KeyError):
        standin.delete("nothing")
    standin.publish("tool", "t", tool_fields(1))
    standin.unpublish("t")
    with pytest.raises(KeyError):
        standin.delete("t")
    assert standin.live_ids() == set()


async def test_the_server_error_switch(
    standin: ContentfulStandin, http: aiohttp.ClientSession
) -> None:
    standin.fail(1, after=1)
    assert (await _get(http, _path(standin), initial="true"))[0] == 200
    status, body, _ = await _get(http, _path(standin), initial="true")
    assert (status, body["sys"]["id"]) == (500, "ServerError")
    assert (await _get(http, _path(standin), initial="true"))[0] == 200
