"""The sync worker delivers what its passes queued: a CMS webhook, a pass, then the purge and
the revalidation notice, with no further prompting."""

from __future__ import annotations

import asyncio

import aiohttp

from cms_sync.lock import lock_for
from cms_sync.webhooks import SECRET_HEADER
from cms_sync.worker import SyncWorker, WatchOptions
from devtools.editable_source import EditableExport
from tests.support.cdn_standins import SERVICE_ID, TOKEN, Recorded, fastly_app, standin
from tests.support.hook_receiver import receiver
from verdict.delivery import Deliverer
from verdict.hooks.deliver import HookSender
from verdict.hooks.registry import DEFAULT_CONTENT, add_hook
from verdict.purge.adapters import FastlyPurger
from verdict.purge.outbox import discard_purges
from verdict.settings import PROJECT_ROOT, Settings

SECRET = "webhook-secret"
FIRST = "code-llama-4-vs-mistral-code"


async def test_a_webhook_leads_to_the_purge_and_the_notice(demo_db: Settings) -> None:
    await discard_purges()
    source = EditableExport(PROJECT_ROOT / "content" / "sample")
    fastly = Recorded()
    async with standin(fastly_app(fastly), fastly), receiver("hook-secret") as site:
        await add_hook("site", site.url, dict(DEFAULT_CONTENT), "hook-secret")
        deliverer = Deliverer(FastlyPurger(fastly.base, SERVICE_ID, TOKEN), HookSender())
        options = WatchOptions(
            poll_seconds=3600, webhook_port=0, webhook_secret=SECRET, debounce_seconds=0.01
        )
        worker = SyncWorker(
            source, lock_for(demo_db), options, say=lambda _: None, deliverer=deliverer
        )
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        try:
            await asyncio.wait_for(worker.wait_for_passes(1), 30)
            source.edit("comparisons", 1, headline="Through the worker")
            assert worker.webhook_url is not None
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    worker.webhook_url,
                    json={"event": "items.update", "collection": "comparisons"},
                    headers={SECRET_HEADER: SECRET},
                ) as response,
            ):
                assert response.status < 300
            for _ in range(300):
                if fastly.purged and site.applied:
                    break
                await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)
    assert ["comparisons", "comparisons:1", "tools:1", "tools:2"] in fastly.purged
    assert [FIRST in notice["slugs"] for notice in site.applied.values()] == [True]
