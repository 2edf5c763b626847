"""Contentful end to end: the stand-in's Sync API -> the engine -> the database -> the API.

Verified against ``devtools/contentful_standin.py`` (written from Contentful's documentation), not
a live space. Editors' changes in the stand-in reach the GraphQL API; a pass interrupted
mid-paging resumes from its stored token; a 429 is waited out for its reset header; a
``DeletedEntry`` removes the row and its children; a bad webhook signature is refused and a good
one triggers a pass; a full pass deletes what the space no longer has.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest

from cms_sync.apply import apply_page
from cms_sync.contentful.signing import sign_request
from cms_sync.contentful.source import ContentfulSource
from cms_sync.contentful.webhooks import WEBHOOK_PATH, ContentfulReceiver
from cms_sync.engine import SyncEngine, SyncReport
from cms_sync.lock import lock_for
from cms_sync.mapping import load_mapping
from cms_sync.source import SourceError
from cms_sync.stream import load_token
from cms_sync.worker import SyncWorker, WatchOptions
from devtools.contentful_content import review_fields, seed, tool_fields
from devtools.contentful_standin import ContentfulStandin
from tests.support.contentful import contentful_source
from tests.support.directus_content import query
from verdict.models.content import Comparison, ComparisonSide, Review, Tool
from verdict.models.sync import QuarantinedEntry
from verdict.settings import PROJECT_ROOT, Settings

SECRET = "c" * 64
WAIT = 30

TOOL = """
query ($slug: String!) {
  tool(slug: $slug) { slug name reviews { reviewer { slug } } }
}
"""


async def _sync(source: ContentfulSource, **kwargs: Any) -> SyncReport:
    return await SyncEngine(source).run(**kwargs)


async def _tool(api: httpx.AsyncClient, slug: str) -> Any:
    return (await query(api, TOOL, slug=slug))["tool"]


async def test_creates_edits_and_deletes_reach_the_api(
    db: Settings, standin: ContentfulStandin, api: httpx.AsyncClient
) -> None:
    seed(standin, tools=3, reviewers=2, reviews=6, comparisons=1)
    async with contentful_source(standin, page_size=4) as source:
        first = await _sync(source)
        assert first.collections["tools"].applied == 3
        assert first.collections["reviews"].applied == 6
        assert not first.quarantine_reasons
        shown = await _tool(api, "tool-1")
        assert shown["name"] == "Tool 1"
        assert len(shown["reviews"]) == 2

        standin.publish("tool", "fresh-one", tool_fields(9, slug="fresh", name="Fresh"))
        standin.publish("tool", "tool-1", tool_fields(1, name="Renamed"))
        standin.delete("review-3")  # one of tool-1's two reviews
        second = await _sync(source)
        assert second.collections["tools"].applied == 2
        assert second.collections["reviews"].deleted == 1
        assert (await _tool(api, "fresh"))["name"] == "Fresh"
        shown = await _tool(api, "tool-1")
        assert shown["name"] == "Renamed"
        assert len(shown["reviews"]) == 1

        # A DeletedEntry of a tool takes its reviews and comparison sides along.
        standin.delete("tool-2")
        third = await _sync(source)
    assert third.collections["tools"].deleted == 1
    assert third.collections["reviews"].deleted == 2
    assert third.collections["comparison_sides"].deleted == 1
    assert await _tool(api, "tool-2") is None
    assert await Review.filter(tool_id="tool-2").count() == 0
    assert await ComparisonSide.filter(tool_id="tool-2").count() == 0
    assert await Comparison.filter(id="comparison-1").count() == 1


async def test_a_pass_broken_mid_paging_resumes_from_its_token(
    db: Settings, standin: ContentfulStandin
) -> None:
    seed(standin, tools=6)
    standin.fail(10, after=1)  # the first page is served, then the space fails
    async with contentful_source(standin, page_size=2, attempts=2) as source:
        with pytest.raises(SourceError, match="500"):
            await _sync(source)
        assert await Tool.all().count() == 2
        token = await load_token("contentful")
        assert token is not None
        standin.fail(0)
        asked = len(standin.requests)
        await _sync(source)
    assert await Tool.all().count() == 6
    resumed = standin.requests[asked:]
    assert f"sync_token={token}" in resumed[0]
    assert not any("initial=true" in r for r in resumed)


async def test_a_stopped_pass_resumes_mid_paging(db: Settings, standin: ContentfulStandin) -> None:
    seed(standin, tools=5)
    stop = asyncio.Event()
    stop.set()
    async with contentful_source(standin, page_size=2) as source:
        report = await _sync(source, stop=stop)
        assert report.interrupted
        assert await Tool.all().count() == 2
        await _sync(source)
    assert await Tool.all().count() == 5
    assert sum("initial=true" in r for r in standin.requests) == 1


async def test_a_rate_limit_is_waited_out_for_its_reset(
    db: Settings, standin: ContentfulStandin
) -> None:
    seed(standin, tools=2)
    standin.rate_limit(1, reset_seconds=1)
    started = time.monotonic()
    async with ContentfulSource(standin.space_id, standin.token, base_url=standin.url) as source:
        await _sync(source)
    assert time.monotonic() - started >= 1.0
    assert await Tool.all().count() == 2


async def test_a_full_pass_deletes_what_the_space_no_longer_has(
    db: Settings, standin: ContentfulStandin
) -> None:
    mapping = load_mapping("contentful")
    seed(standin, tools=3)
    standin.publish("tool", "broken", {"slug": "broken"})  # quarantined: required fields missing
    async with contentful_source(standin) as source:
        await _sync(source)
        assert await QuarantinedEntry.filter(cms_id="broken").count() == 1
        # A row the space does not hold (left by another source, or a deletion never seen).
        elsewhere = ContentfulStandin().publish("tool", "ghost", tool_fields(99, slug="ghost"))
        await apply_page("other", "tools", [mapping.canonical("tools", elsewhere)], cursor=None)
        assert await Tool.filter(id="ghost").count() == 1
        report = await _sync(source, full=True)
    assert report.collections["tools"].deleted == 1
    assert sorted(str(t.id) for t in await Tool.all()) == ["tool-1", "tool-2", "tool-3"]
    assert await QuarantinedEntry.filter(cms_id="broken").count() == 1  # still in the space


async def test_a_malformed_entry_is_quarantined_and_the_rest_applies(
    db: Settings, standin: ContentfulStandin, api: httpx.AsyncClient
) -> None:
    seed(standin, tools=2)
    standin.publish("tool", "odd", tool_fields(5, slug="odd", openWeights="yes"))
    standin.publish("review", "orphan", review_fields(1, "no-such-tool", "no-such-reviewer"))
    async with contentful_source(standin) as source:
        report = await _sync(source)
        assert sorted(report.quarantine_reasons) == [
            "odd: open_weights must be true or false (got 'yes')",
            "orphan: waits for reviewers no-such-reviewer, tools no-such-tool to be synced",
        ]
        assert await _tool(api, "odd") is None
        assert (await _tool(api, "tool-1"))["name"] == "Tool 1"
        standin.publish("tool", "odd", tool_fields(5, slug="odd"))  # an editor fixes it
        await _sync(source)
    assert (await _tool(api, "odd"))["name"] == "Tool 5"
    assert await QuarantinedEntry.filter(cms_id="odd").count() == 0


async def _cli(db: Settings, standin: ContentfulStandin, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "verdict_cli.main",
        "sync",
        env=os.environ
        | {
            "DATABASE_URL": db.database_url,
            "CMS_KIND": "contentful",
            "CONTENTFUL_BASE_URL": standin.url,
            "CONTENTFUL_SPACE_ID": standin.space_id,
            "CONTENTFUL_ACCESS_TOKEN": standin.token,
        }
        | env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), WAIT * 4)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_verdict_sync_with_cms_kind_contentful(
    db: Settings, standin: ContentfulStandin
) -> None:
    seed(standin, tools=3, reviewers=1, reviews=3)
    code, out, err = await _cli(db, standin)
    assert code == 0, err
    assert "7 applied" in out
    assert await Tool.all().count() == 3
    code, _, err = await _cli(db, standin, CONTENTFUL_SPACE_ID="")
    assert code == 2
    assert "CONTENTFUL_SPACE_ID" in err
    code, _, err = await _cli(db, standin, CONTENTFUL_ACCESS_TOKEN="wrong-token-123")
    assert code == 1
    assert err.strip().splitlines() == [
        "verdict sync: sync: the CMS answered 401 Unauthorized for GET "
        f"/spaces/{standin.space_id}/environments/master/sync: The access token you sent could "
        "not be found or is invalid. (AccessTokenInvalid)"
    ]
    assert "wrong-token-123" not in err


@pytest.fixture
async def stop() -> AsyncIterator[asyncio.Event]:
    event = asyncio.Event()
    yield event
    event.set()


def _webhook(url: str, body: bytes, *, secret: str = SECRET) -> tuple[str, dict[str, str]]:
    headers = {
        "Content-Type": "application/vnd.contentful.management.v1+json",
        "X-Contentful-Topic": "ContentManagement.Entry.publish",
    }
    signed = sign_request(
        secret, "POST", WEBHOOK_PATH, headers, body, timestamp_ms=int(time.time() * 1000)
    )
    return url, headers | signed


async def test_a_signed_webhook_triggers_a_pass_and_a_forged_one_is_refused(
    db: Settings, standin: ContentfulStandin, stop: asyncio.Event
) -> None:
    seed(standin, tools=1)
    mapping = load_mapping("contentful")
    options = WatchOptions(
        poll_seconds=3600.0,
        full_every_seconds=3600.0,
        debounce_seconds=0.05,
        webhook_port=0,
        webhook_secret=SECRET,
        lock_retry_seconds=0.05,
        receiver=lambda secret: ContentfulReceiver(secret, mapping),
        webhook_path=WEBHOOK_PATH,
    )
    lock = lock_for(db)
    async with contentful_source(standin) as source:
        worker = SyncWorker(source, lock, options)
        task = asyncio.create_task(worker.run(stop))
        await asyncio.wait_for(worker.wait_for_passes(1), WAIT)
        assert worker.webhook_url is not None
        standin.publish("tool", "tool-7", tool_fields(7, name="Seven"))
        body = b'{"sys": {"type": "Entry", "id": "tool-7", "contentType": {"sys": {"id": "tool"}}}}'
        async with aiohttp.ClientSession() as http:
            url, headers = _webhook(worker.webhook_url, body, secret="f" * 64)
            forged = await http.post(url, data=body, headers=headers)
            assert forged.status == 403
            assert not worker.sync_requested
            url, headers = _webhook(worker.webhook_url, body)
            accepted = await http.post(url, data=body, headers=headers)
            assert accepted.status == 202
            replayed = await http.post(url, data=body, headers=headers)
            assert replayed.status == 409
        await asyncio.wait_for(worker.wait_for_passes(2), WAIT)
        assert (await Tool.get(id="tool-7")).name == "Seven"
        stop.set()
        await asyncio.wait_for(task, WAIT)
    await lock.release()
