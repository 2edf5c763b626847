"""The engine's stream mode: a page's deletions, upserts and token commit together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from cms_sync import stream as stream_module
from cms_sync.engine import SyncEngine
from cms_sync.source import RawEntry, SourceError, StreamPage
from cms_sync.stream import load_token, local_key
from tests.support.content import review, reviewer, tool
from verdict.models.content import Review, Tool
from verdict.models.sync import QuarantinedEntry
from verdict.settings import Settings

STAMP = "2026-12-01T10:00:00.000Z"


def _dated(entry: dict[str, Any], stamp: str = STAMP) -> RawEntry:
    return entry | {"date_updated": stamp}


@dataclass
class ListedStream:
    """A stream over fixed pages; token ``"p<i>"`` resumes before page i."""

    pages_: list[StreamPage] = field(default_factory=list)
    fail_at: int | None = None
    asked: list[str | None] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "listed"

    def add(
        self,
        upserts: dict[str, list[RawEntry]] | None = None,
        deleted: frozenset[str] = frozenset(),
    ) -> None:
        index = len(self.pages_) + 1
        self.pages_.append(StreamPage(upserts=upserts or {}, deleted=deleted, token=f"p{index}"))

    async def pages(self, token: str | None) -> AsyncIterator[StreamPage]:
        self.asked.append(token)
        start = 0 if token is None else int(token.removeprefix("p"))
        for index in range(start, len(self.pages_)):
            if self.fail_at == index:
                raise SourceError("the CMS went away")
            yield self.pages_[index]


def _content(stream: ListedStream) -> None:
    stream.add({"tools": [_dated(tool(1)), _dated(tool(2))], "reviewers": [_dated(reviewer(5))]})
    stream.add({"reviews": [_dated(review(10, 1, 5)), _dated(review(11, 2, 5))]})


async def test_pages_apply_in_order_and_the_token_resumes(db: Settings) -> None:
    stream = ListedStream()
    _content(stream)
    report = await SyncEngine(stream).run()
    assert report.collections["tools"].applied == 2
    assert report.collections["reviews"].applied == 2
    assert await load_token("listed") == "p2"
    stream.add({"tools": [_dated(tool(1, name="Renamed"), "2026-12-02T00:00:00Z")]})
    again = await SyncEngine(stream).run()
    assert stream.asked == [None, "p2"]
    assert again.collections["tools"].applied == 1
    assert (await Tool.get(id=1)).name == "Renamed"


async def test_a_failure_between_pages_keeps_what_was_committed(db: Settings) -> None:
    stream = ListedStream(fail_at=1)
    _content(stream)
    with pytest.raises(SourceError):
        await SyncEngine(stream).run()
    assert await Tool.all().count() == 2
    assert await Review.all().count() == 0
    assert await load_token("listed") == "p1"
    stream.fail_at = None
    await SyncEngine(stream).run()
    assert stream.asked[-1] == "p1"
    assert await Review.all().count() == 2


async def test_a_stop_ends_the_pass_after_the_page_and_the_next_resumes(db: Settings) -> None:
    stream = ListedStream()
    _content(stream)
    stop = asyncio.Event()
    stop.set()
    report = await SyncEngine(stream).run(stop=stop)
    assert report.interrupted
    assert await load_token("listed") == "p1"
    assert await Review.all().count() == 0
    await SyncEngine(stream).run()
    assert await Review.all().count() == 2


async def test_a_deleted_id_leaves_with_its_children(db: Settings) -> None:
    stream = ListedStream()
    _content(stream)
    await SyncEngine(stream).run()
    stream.add(deleted=frozenset({"1", "unknown-id"}))
    report = await SyncEngine(stream).run()
    assert report.collections["tools"].deleted == 1
    assert report.collections["reviews"].deleted == 1
    assert await Tool.filter(id=1).count() == 0
    assert [str(r.id) for r in await Review.all()] == ["11"]


async def test_a_page_that_breaks_rolls_back_with_its_token(
    db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = ListedStream()
    _content(stream)
    await SyncEngine(stream).run()
    stream.add({"tools": [_dated(tool(3))]}, frozenset({"2"}))

    async def crash(source: str, token: str) -> None:
        raise RuntimeError("crashed before the token was stored")

    monkeypatch.setattr(stream_module, "save_token", crash)
    with pytest.raises(RuntimeError):
        await SyncEngine(stream).run()
    monkeypatch.undo()
    # Neither the page's deletion nor its upsert stayed without the token.
    assert await load_token("listed") == "p2"
    assert await Tool.filter(id=2).count() == 1
    assert await Tool.filter(id=3).count() == 0
    await SyncEngine(stream).run()
    assert sorted(str(t.id) for t in await Tool.all()) == ["1", "3"]


async def test_a_page_of_an_unknown_collection_is_refused(db: Settings) -> None:
    stream = ListedStream()
    stream.add({"nowhere": [_dated(tool(4))]})
    with pytest.raises(SourceError, match="unknown collections"):
        await SyncEngine(stream).run()
    assert await load_token("listed") is None


async def test_waiting_entries_apply_once_their_reference_arrives(db: Settings) -> None:
    stream = ListedStream()
    stream.add({"reviews": [_dated(review(10, 1, 5))]})
    first = await SyncEngine(stream).run()
    assert first.collections["reviews"].quarantined == 1
    stream.add({"tools": [_dated(tool(1))], "reviewers": [_dated(reviewer(5))]})
    await SyncEngine(stream).run()
    assert await Review.filter(id=10).count() == 1
    assert await QuarantinedEntry.all().count() == 0


async def test_a_full_pass_reads_from_the_start_and_deletes_what_is_gone(db: Settings) -> None:
    stream = ListedStream()
    _content(stream)
    stream.add({"reviews": [_dated(review(12, 1, 5, verdict="bad"))]})  # quarantined
    await SyncEngine(stream).run()
    assert await QuarantinedEntry.filter(cms_id="12").count() == 1
    # The CMS now holds tool 1, reviewer 5 and review 10 only.
    stream.pages_ = []
    stream.add({"tools": [_dated(tool(1))], "reviewers": [_dated(reviewer(5))]})
    stream.add({"reviews": [_dated(review(10, 1, 5))]})
    report = await SyncEngine(stream).run(full=True)
    assert stream.asked[-1] is None
    assert report.collections["tools"].deleted == 1
    assert report.collections["reviews"].deleted == 1
    assert sorted(str(t.id) for t in await Tool.all()) == ["1"]
    assert [str(r.id) for r in await Review.all()] == ["10"]
    assert await QuarantinedEntry.all().count() == 0


async def test_a_full_pass_that_stops_early_keeps_the_previous_token(db: Settings) -> None:
    stream = ListedStream()
    _content(stream)
    await SyncEngine(stream).run()
    assert await load_token("listed") == "p2"
    stream.fail_at = 1
    with pytest.raises(SourceError):
        await SyncEngine(stream).run(full=True)
    assert stream.asked[-1] is None
    assert await load_token("listed") == "p2"  # deletions after p2 would still be read
    stop = asyncio.Event()
    stop.set()
    stream.fail_at = None
    report = await SyncEngine(stream).run(full=True, stop=stop)
    assert report.interrupted
    assert await load_token("listed") == "p2"
    stream.add({"tools": [_dated(tool(3))]})
    await SyncEngine(stream).run(full=True)
    assert await load_token("listed") == "p3"  # the full read's own last token
    assert await Tool.all().count() == 3


def test_local_keys_of_cms_ids() -> None:
    assert local_key("42") == "42"
    assert local_key(7) == "7"
    assert local_key("6nQSEkPXqqGE8o8SUY2Eua") == "6nQSEkPXqqGE8o8SUY2Eua"
