"""The Contentful source against the stand-in: paging, tokens, deletions, errors, 429s."""

from __future__ import annotations

from typing import Any

import pytest

from cms_sync.contentful.source import ContentfulSource, _read_page
from cms_sync.source import SourceError, StreamPage
from devtools.contentful_content import review_fields, seed, tool_fields
from devtools.contentful_standin import ContentfulStandin
from tests.support.contentful import contentful_source
from tests.support.fake_directus import SleepRecorder


async def _read(source: ContentfulSource, token: str | None) -> list[StreamPage]:
    return [page async for page in source.pages(token)]


def _ids(pages: list[StreamPage], collection: str) -> list[str]:
    return [e["id"] for p in pages for e in p.upserts.get(collection, [])]


async def test_an_initial_sync_pages_through_everything(standin: ContentfulStandin) -> None:
    seed(standin, tools=3, reviewers=1, reviews=2)
    async with contentful_source(standin, page_size=2) as source:
        pages = await _read(source, None)
    assert len(pages) == 3
    assert _ids(pages, "tools") == ["tool-1", "tool-2", "tool-3"]
    assert _ids(pages, "reviews") == ["review-1", "review-2"]
    assert all(not p.deleted for p in pages)
    assert "initial=true" in standin.requests[0]
    assert "limit=2" in standin.requests[0]
    assert all("sync_token=" in r for r in standin.requests[1:])
    assert len({p.token for p in pages}) == 3


async def test_the_last_token_brings_only_changes_and_deletions(standin: ContentfulStandin) -> None:
    seed(standin, tools=3, reviewers=1, reviews=2)
    async with contentful_source(standin, page_size=10) as source:
        first = await _read(source, None)
        standin.publish("tool", "tool-2", tool_fields(2, name="Renamed"))
        standin.delete("review-1")
        standin.publish_asset("logo", "A logo")
        changes = await _read(source, first[-1].token)
        nothing = await _read(source, changes[-1].token)
    assert len(changes) == 1
    assert [e["name"] for e in changes[0].upserts["tools"]] == ["Renamed"]
    assert changes[0].deleted == frozenset({"review-1"})
    assert source.skipped == {"Asset": 1}
    assert nothing[0].upserts == {}
    assert nothing[0].deleted == frozenset()


async def test_a_page_token_resumes_the_paging(standin: ContentfulStandin) -> None:
    seed(standin, tools=5)
    async with contentful_source(standin, page_size=2) as source:
        first = await anext(aiter(source.pages(None)))
        rest = await _read(source, first.token)
    assert _ids([first], "tools") == ["tool-1", "tool-2"]
    assert _ids(rest, "tools") == ["tool-3", "tool-4", "tool-5"]


async def test_an_edit_while_paging_is_neither_lost_nor_skipped(standin: ContentfulStandin) -> None:
    seed(standin, tools=4)
    async with contentful_source(standin, page_size=2) as source:
        first = await anext(aiter(source.pages(None)))
        standin.publish("tool", "tool-1", tool_fields(1, name="Edited"))
        rest = await _read(source, first.token)
        later = await _read(source, rest[-1].token)
    assert _ids(rest, "tools") == ["tool-3", "tool-4"]
    assert [e["name"] for e in later[0].upserts["tools"]] == ["Edited"]


async def test_unmapped_entries_and_deleted_assets_are_skipped(standin: ContentfulStandin) -> None:
    standin.publish("landingPage", "home", {"title": "Home"})
    standin.publish_asset("logo", "Logo")
    async with contentful_source(standin) as source:
        first = await _read(source, None)
        standin.delete_asset("logo")
        await _read(source, first[-1].token)
    assert source.skipped == {"Entry of an unmapped content type": 1, "Asset": 1, "DeletedAsset": 1}


async def test_a_rate_limit_is_waited_out_for_the_reset_header(standin: ContentfulStandin) -> None:
    seed(standin, tools=1)
    standin.rate_limit(2, reset_seconds=7)
    sleeps = SleepRecorder()
    async with contentful_source(standin, sleep=sleeps) as source:
        pages = await _read(source, None)
    assert sleeps.delays == [7, 7]
    assert _ids(pages, "tools") == ["tool-1"]


async def test_a_rate_limit_that_does_not_end_fails_the_pass(standin: ContentfulStandin) -> None:
    standin.rate_limit(10, reset_seconds=1)
    async with contentful_source(standin, attempts=2, sleep=SleepRecorder()) as source:
        with pytest.raises(SourceError, match="429"):
            await _read(source, None)


async def test_a_wrong_token_is_a_clear_error(standin: ContentfulStandin) -> None:
    async with contentful_source(standin, token="wrong") as source:
        with pytest.raises(SourceError, match=r"401.*AccessTokenInvalid"):
            await _read(source, None)


async def test_an_unknown_space_is_a_clear_error(standin: ContentfulStandin) -> None:
    async with contentful_source(standin, space_id="nospace") as source:
        with pytest.raises(SourceError, match=r"404.*NotFound"):
            await _read(source, None)


async def test_a_bad_token_is_a_clear_error(standin: ContentfulStandin) -> None:
    async with contentful_source(standin) as source:
        with pytest.raises(SourceError, match=r"400.*sync token is invalid.*BadRequest"):
            await _read(source, "not-a-token")


async def test_a_review_links_to_its_tool_and_reviewer(standin: ContentfulStandin) -> None:
    standin.publish("review", "r", review_fields(1, "tool-1", "reviewer-1"))
    async with contentful_source(standin) as source:
        pages = await _read(source, None)
    entry = pages[0].upserts["reviews"][0]
    assert (entry["tool"], entry["reviewer"], entry["status"]) == (
        "tool-1",
        "reviewer-1",
        "published",
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "not a sync page"),
        ({"sys": {"type": "Entry"}}, "not a sync page"),
        ({"sys": {"type": "Array"}, "items": "x", "nextSyncUrl": "u"}, "no 'items'"),
        ({"sys": {"type": "Array"}, "items": []}, "neither nextPageUrl"),
        ({"sys": {"type": "Array"}, "items": [], "nextSyncUrl": "http://h/sync"}, "no sync_token"),
    ],
)
def test_answers_that_are_not_sync_pages_are_refused(document: Any, problem: str) -> None:
    with pytest.raises(SourceError, match=problem):
        _read_page(document)


def test_a_page_size_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="page_size"):
        ContentfulSource("s", "t", page_size=1001)
