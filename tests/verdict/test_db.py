"""Migrations build the whole schema on an empty database, and applying them again is a no-op."""

from __future__ import annotations

from tortoise import Tortoise

from graphql_api.engine._compat import clear_executor_cache
from tests.support.databases import Backend, create_database, drop_database, init_orm
from verdict.db import migrate
from verdict.settings import Settings

EXPECTED_TABLES = {
    "tool",
    "reviewer",
    "review",
    "comparison",
    "comparison_side",
    "vote",
    "vote_tally",
    "vote_request",
    "sync_checkpoint",
    "sync_quarantine",
}


async def _tables_and_migrations(settings: Settings, backend: Backend) -> tuple[set[str], int]:
    await init_orm(settings.database_url)
    try:
        conn = Tortoise.get_connection("default")
        if backend.name == "sqlite":
            rows = await conn.execute_query_dict(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
        else:
            rows = await conn.execute_query_dict(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            )
        applied = await conn.execute_query_dict("SELECT COUNT(*) AS n FROM tortoise_migrations")
        return {r["name"] for r in rows}, int(applied[0]["n"])
    finally:
        await Tortoise.close_connections()


async def test_migrations_apply_to_empty_database_and_are_idempotent(backend: Backend) -> None:
    name = "verdict_migrate_check"
    await drop_database(backend, name)
    settings = Settings(database_url=await create_database(backend, name))
    try:
        await migrate(settings)
        tables, applied = await _tables_and_migrations(settings, backend)
        assert tables >= EXPECTED_TABLES
        assert applied >= 1

        await migrate(settings)
        tables_again, applied_again = await _tables_and_migrations(settings, backend)
        assert tables_again == tables
        assert applied_again == applied
    finally:
        await drop_database(backend, name)


async def test_models_and_committed_migrations_agree() -> None:
    """A model change without its generated migration fails here (and so in CI)."""
    from tortoise.cli.cli import tortoise_cli_context
    from tortoise.migrations.autodetector import MigrationAutodetector

    from verdict.db import TORTOISE_ORM

    clear_executor_cache()
    async with tortoise_cli_context(TORTOISE_ORM) as ctx:
        assert ctx.apps is not None
        writers = await MigrationAutodetector(ctx.apps, TORTOISE_ORM["apps"]).changes()
    assert [w.name for w in writers] == [], "run `tortoise makemigrations` and commit the result"
