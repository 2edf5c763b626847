"""Shared fixtures: a migrated database per test on SQLite and on a real PostgreSQL.

Every database test runs once per backend. PostgreSQL comes from ``VERDICT_TEST_POSTGRES_URL``
(a server URL whose user may create databases). Without it the PostgreSQL half is skipped, except
under ``CI=true``, where a missing or unreachable PostgreSQL fails the run.

Databases are cloned from a migrated template (``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a
file copy on SQLite), so the migrations themselves are what every test runs on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from tortoise import Tortoise

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from devtools.contentful_standin import ContentfulStandin
from devtools.sql_counter import QueryCounter, counting_queries
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from tests.support.clients import AppClient, api_client
from tests.support.content import SAMPLE_CONTENT
from tests.support.databases import Backend, create_database, drop_database, init_orm
from tests.support.fake_directus import FakeDirectus
from tests.support.services import POSTGRES_URL, require_service
from verdict.db import migrate
from verdict.settings import Settings


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path_factory.mktemp("sqlite")))
    if not POSTGRES_URL:
        require_service("PostgreSQL", "VERDICT_TEST_POSTGRES_URL")
    return Backend("postgres", POSTGRES_URL)


@pytest.fixture(scope="session")
async def templates(backend: Backend) -> AsyncIterator[dict[str, str]]:
    """Two migrated template databases: empty, and with the demo content synced."""
    run = uuid.uuid4().hex[:8]
    empty, demo = f"verdict_tpl_empty_{run}", f"verdict_tpl_demo_{run}"
    empty_url = await create_database(backend, empty)
    await migrate(Settings(database_url=empty_url))
    demo_url = await create_database(backend, demo, template=empty)
    await init_orm(demo_url)
    try:
        await SyncEngine(ExportSource(SAMPLE_CONTENT)).run(full=True)
    finally:
        await Tortoise.close_connections()
    yield {"empty": empty, "demo": demo}
    await drop_database(backend, empty)
    await drop_database(backend, demo)


async def _open(backend: Backend, template: str) -> AsyncIterator[Settings]:
    name = f"verdict_t_{uuid.uuid4().hex[:12]}"
    url = await create_database(backend, name, template=template)
    settings = Settings(database_url=url)
    await init_orm(url)
    try:
        yield settings
    finally:
        await Tortoise.close_connections()
        await drop_database(backend, name)


@pytest.fixture
async def db(backend: Backend, templates: dict[str, str]) -> AsyncIterator[Settings]:
    """A migrated, empty database, open in Tortoise for the test."""
    async for settings in _open(backend, templates["empty"]):
        yield settings


@pytest.fixture
async def demo_db(backend: Backend, templates: dict[str, str]) -> AsyncIterator[Settings]:
    """A migrated database holding the bundled sample content, synced through the engine."""
    async for settings in _open(backend, templates["demo"]):
        yield settings


@pytest.fixture
async def client(demo_db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the API app on the demo database."""
    async with api_client(demo_db) as http:
        yield http


@pytest.fixture
def sql_queries() -> Iterator[QueryCounter]:
    """Counts the SQL statements sent during the test."""
    with counting_queries() as counter:
        yield counter


@pytest.fixture
def app_client(demo_db: Settings) -> AppClient:
    """``async with app_client(max_depth=5, mode=...) as http``: ApiSettings fields as keywords,
    plus ``settings=`` overrides of the outer Settings."""

    @contextlib.asynccontextmanager
    async def make(
        settings: dict[str, Any] | None = None, **api: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        configured = dataclasses.replace(demo_db, **(settings or {}))
        app = create_app(configured, api=ApiSettings(**api), manage_database=False)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://verdict.test"
            ) as http:
                yield http
        finally:
            await app.state.voting.stop()  # closes its Redis connections (no lifespan here)

    return make


@pytest.fixture
async def fake() -> AsyncIterator[FakeDirectus]:
    server = FakeDirectus()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def standin() -> AsyncIterator[ContentfulStandin]:
    """The Contentful stand-in (devtools/contentful_standin.py), empty, on a free port."""
    async with ContentfulStandin() as server:
        yield server
