"""Database set-up shared by the API and the sync worker: Tortoise config, migrations, lifecycle."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as tortoise_migrate

from verdict.settings import Settings, redact

APP_LABEL = "verdict"
MODEL_MODULES = [
    "verdict.models.content",
    "verdict.models.votes",
    "verdict.models.sync",
    "verdict.models.versions",
    "verdict.models.digest",
    "verdict.models.outbox",
    "verdict.models.feed",
    "verdict.models.panels",
]


class DatabaseUnavailableError(Exception):
    """The configured database cannot be reached; the message is one line for the operator."""


def tortoise_config(database_url: str, *, custom_plans: bool = False) -> dict[str, Any]:
    """The Tortoise config for ``database_url``; also the target of ``tortoise makemigrations``.

    ``custom_plans`` (the sync's connections, PostgreSQL only): plan every statement for its own
    parameters. The sync sends statements with hundreds of ids in ``IN (...)``; once PostgreSQL
    settles on a generic plan for one, the planner cannot see the ids, and on a table that grew
    since it was last analysed (an initial sync; autovacuum off or behind) it scans the table
    and compares every row with every parameter: 640 ms for 500 ids in 28,500 reviews, against
    3.5 ms planned for the ids (bench/sync_bench.py went quadratic). The API keeps generic plans:
    its statements are small and its replanning would cost every request."""
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite://"):
        path = Path(url.removeprefix("sqlite://").split("?", 1)[0])
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
    connection: str | dict[str, Any] = url
    if url.startswith("postgres://"):
        connection = expand_db_url(url)
        # asyncpg's pool resets every connection it takes back (RESET ALL, UNLISTEN *, CLOSE ALL,
        # advisory unlock): one more round trip per Tortoise query. The API keeps no session
        # state on pooled connections (the sync lock has a connection of its own), so skip it;
        # an open transaction is still rolled back by the pool before this hook runs.
        connection["credentials"]["reset"] = _keep_session
        if custom_plans:
            connection["credentials"]["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "verdict.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def _keep_session(connection: object) -> None:
    """A pool reset hook that sends nothing (see ``tortoise_config``)."""


async def migrate(settings: Settings) -> None:
    """Apply every pending migration; a no-op on an up-to-date database."""
    try:
        await tortoise_migrate(config=tortoise_config(settings.database_url))
    except OSError as exc:
        raise DatabaseUnavailableError(_unreachable(settings, exc)) from exc
    finally:
        await Tortoise.close_connections()


@contextlib.asynccontextmanager
async def database(settings: Settings, *, custom_plans: bool = False) -> AsyncIterator[None]:
    """Open the ORM for the life of the block (connections are made lazily, then checked).

    ``custom_plans``: for the sync's bulk statements (see ``tortoise_config``)."""
    # The global fallback makes the ORM visible to every task of the process, including the
    # ones an ASGI server starts outside the lifespan's context (WebSocket handlers).
    config = tortoise_config(settings.database_url, custom_plans=custom_plans)
    await Tortoise.init(config=config, _enable_global_fallback=True)
    try:
        try:
            await Tortoise.get_connection("default").execute_query("SELECT 1")
        except OSError as exc:
            raise DatabaseUnavailableError(_unreachable(settings, exc)) from exc
        yield
    finally:
        await Tortoise.close_connections()


def _unreachable(settings: Settings, exc: BaseException) -> str:
    return f"cannot reach the database at {redact(settings.database_url)}: {exc}"


# Used by `tortoise makemigrations` (see docs/development.md#changing-the-data-model).
TORTOISE_ORM = tortoise_config("sqlite://data/makemigrations.sqlite3")
