"""Test databases on SQLite (files in a folder) or a real PostgreSQL (created and dropped by name),
and opening Tortoise on one. The ``db`` and ``demo_db`` fixtures (tests/conftest.py) use these."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from tortoise import Tortoise

from graphql_api.engine._compat import clear_executor_cache
from tests.support.services import IN_CI
from verdict.db import tortoise_config


@dataclass(frozen=True, slots=True)
class Backend:
    name: str
    server_url: str  # for postgres: the maintenance database URL; for sqlite: a folder

    def url_for(self, database: str) -> str:
        if self.name == "sqlite":
            return f"sqlite://{Path(self.server_url) / (database + '.sqlite3')}"
        base, _, _ = self.server_url.rpartition("/")
        return f"{base}/{database}"


async def _pg_admin(backend: Backend) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(backend.server_url.replace("postgres://", "postgresql://", 1))
    except (OSError, asyncpg.PostgresError) as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {backend.server_url} is unreachable: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unreachable: {exc}")


async def create_database(backend: Backend, name: str, template: str | None = None) -> str:
    if backend.name == "sqlite":
        target = Path(backend.url_for(name).removeprefix("sqlite://"))
        if template is not None:
            shutil.copyfile(backend.url_for(template).removeprefix("sqlite://"), target)
        return backend.url_for(name)
    conn = await _pg_admin(backend)
    try:
        clause = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await conn.close()
    return backend.url_for(name)


async def drop_database(backend: Backend, name: str) -> None:
    if backend.name == "sqlite":
        Path(backend.url_for(name).removeprefix("sqlite://")).unlink(missing_ok=True)
        return
    conn = await _pg_admin(backend)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def init_orm(url: str) -> None:
    """Open Tortoise on ``url``. Tortoise caches SQL per connection name, not per dialect, and the
    suite switches between SQLite and PostgreSQL in one process, so that cache starts empty."""
    clear_executor_cache()
    await Tortoise.init(config=tortoise_config(url))
