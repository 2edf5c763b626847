"""Fixtures for tests against a real Directus: one server per test module.

The server runs from the pinned install in ``cms/directus`` (installed on first use by
``ensure_installed()``, which takes a few minutes cold) with its SQLite data in a tmp dir.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web

from cms_sync.directus.provision import DEFAULT_SAMPLE_DIR, ProvisionResult, provision
from cms_sync.directus.server import DirectusServer, free_port
from cms_sync.http import cms_connector
from cms_sync.webhooks import WEBHOOK_PATH
from graphql_api.app import create_app
from tests.support.directus_content import WAIT, Cms
from tests.support.directus_content import WEBHOOK_SECRET as WEBHOOK_SECRET_E2E
from tests.support.measurements import Measurements
from tests.support.services import require_service
from tests.support.webhooks import Delivery, WebhookReceiver
from verdict.settings import Settings

HTTP_TIMEOUT = aiohttp.ClientTimeout(total=20)


@pytest.fixture(scope="module")
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    port = free_port()
    receiver = WebhookReceiver(url=f"http://127.0.0.1:{port}/hooks/directus")

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        receiver.deliveries.append(
            Delivery(time.monotonic(), dict(request.headers), json.loads(raw or b"{}"))
        )
        receiver.arrived.set()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hooks/directus", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield receiver
    finally:
        await runner.cleanup()


@pytest.fixture(scope="module")
async def directus(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DirectusServer]:
    """A real Directus. Opt-in locally (the first install takes minutes); always on under CI."""
    if not os.environ.get("VERDICT_TEST_DIRECTUS"):
        require_service("Directus", "VERDICT_TEST_DIRECTUS=1")
    server = DirectusServer(tmp_path_factory.mktemp("directus"), port=free_port())
    async with server:
        yield server


_MEASUREMENTS = pytest.StashKey[Measurements]()


@pytest.fixture
def measurements(request: pytest.FixtureRequest) -> Measurements:
    return request.config.stash.setdefault(_MEASUREMENTS, Measurements())


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    found = config.stash.get(_MEASUREMENTS, None)
    if found is None or not found.figures:
        return
    terminalreporter.section("measured figures")
    for name, seconds in found.figures:
        terminalreporter.write_line(f"{name}: {seconds:.3f}s")


@pytest.fixture(scope="module")
def sample_dir() -> Path:
    return DEFAULT_SAMPLE_DIR


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=cms_connector(), timeout=HTTP_TIMEOUT) as session:
        yield session


@pytest.fixture(scope="module")
def webhook_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
async def provisioned(directus: DirectusServer, webhook_port: int) -> ProvisionResult:
    """The module's Directus provisioned, its webhook flow pointing at ``webhook_port``."""
    return await provision(
        directus.url,
        directus.admin_token,
        webhook_url=f"http://127.0.0.1:{webhook_port}{WEBHOOK_PATH}",
        webhook_secret=WEBHOOK_SECRET_E2E,
        with_sample_content=False,
    )


@pytest.fixture
async def cms(directus: DirectusServer, provisioned: ProvisionResult) -> AsyncIterator[Cms]:
    async with aiohttp.ClientSession(
        connector=cms_connector(), timeout=aiohttp.ClientTimeout(total=WAIT)
    ) as http:
        yield Cms(http, directus.url, directus.admin_token)


@pytest.fixture
async def api(db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(db, manage_database=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as client:
        yield client
