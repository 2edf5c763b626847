"""Migrations build the whole schema on an empty database, and applying them again is a no-op."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from graphql_api.engine._compat import clear_executor_cache
from tests.support.clients import api_client
from tests.support.databases import Backend, create_database, drop_database, init_orm
from tests.support.text_ids import api_views
from verdict.db import database, migrate, tortoise_config
from verdict.settings import Settings

_AT = datetime(2026, 11, 20, 10, tzinfo=UTC)

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


# --- 0009_text_ids: content ids become text, and nothing else changes --------------------------

# Parents first: the order rows can be inserted in with foreign keys on.
_CONTENT_TABLES = ("tool", "reviewer", "comparison", "review", "comparison_side", "tool_panel")
_KEPT_TABLES = (*_CONTENT_TABLES, "feed_change", "content_version", "vote", "vote_tally")
_TEXT_COLUMNS = {  # the columns 0009 turns into text; other tables' own ids stay integers
    **{t: {"id", "tool_id", "reviewer_id", "comparison_id"} for t in _CONTENT_TABLES},
    "tool_panel": {"tool_id"},
    "feed_change": {"entity_id"},
}
_VOTES = [
    ("voter-a", "code-llama-4-vs-mistral-code", "code-llama-4"),
    ("voter-b", "code-llama-4-vs-mistral-code", "mistral-code"),
    ("voter-c", "code-llama-4-vs-mistral-code", "code-llama-4"),
]


def _params(backend: Backend, count: int) -> str:
    return ", ".join("?" if backend.name == "sqlite" else f"${i}" for i in range(1, count + 1))


async def _raw(table: str) -> list[dict[str, Any]]:
    conn = Tortoise.get_connection("default")
    rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')
    return sorted((dict(r) for r in rows), key=lambda r: repr(sorted(r.items(), key=str)))


async def _insert(backend: Backend, table: str, rows: list[dict[str, Any]]) -> None:
    conn = Tortoise.get_connection("default")
    for row in rows:
        names = ", ".join(f'"{c}"' for c in row)
        await conn.execute_query(
            f'INSERT INTO "{table}" ({names}) VALUES ({_params(backend, len(row))})',
            list(row.values()),
        )


async def _add_votes(backend: Backend) -> None:
    """Votes and their tallies, as the API writes them (the tally trigger moves the feed)."""
    tallies = Counter((c, t) for _, c, t in _VOTES)
    await _insert(
        backend,
        "vote",
        [
            {"voter_id": v, "comparison_slug": c, "tool_slug": t, "created_at": _AT}
            | {"updated_at": _AT, "voter_kind": "legacy"}
            for v, c, t in _VOTES
        ],
    )
    await _insert(
        backend,
        "vote_tally",
        [{"comparison_slug": c, "tool_slug": t, "count": n} for (c, t), n in tallies.items()],
    )


def _as_integers(table: str, row: dict[str, Any]) -> dict[str, Any]:
    text = _TEXT_COLUMNS.get(table, set())
    return {k: int(v) if k in text else v for k, v in row.items()}


def _as_text(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    text = _TEXT_COLUMNS.get(table, set())
    converted = [{k: str(v) if k in text else v for k, v in row.items()} for row in rows]
    return sorted(converted, key=lambda r: repr(sorted(r.items(), key=str)))


async def _api_views(settings: Settings) -> dict[str, Any]:
    async with api_client(settings) as http:
        return await api_views(http)


async def test_text_ids_migration_keeps_every_row_reference_figure_and_global_id(
    backend: Backend, demo_db: Settings
) -> None:
    """A database at 0008 holding the sample content and votes, migrated: the same rows (42 now
    '42'), and the API shows exactly what a database synced at the head shows."""
    await _add_votes(backend)
    synced = {t: await _raw(t) for t in _KEPT_TABLES}
    expected_views = await _api_views(demo_db)
    await Tortoise.close_connections()

    name = f"verdict_ids_{uuid.uuid4().hex[:8]}"
    settings = Settings(database_url=await create_database(backend, name))
    try:
        await tortoise_migrate(
            config=tortoise_config(settings.database_url), target="verdict.0008_tool_panel"
        )
        await Tortoise.close_connections()
        await init_orm(settings.database_url)
        conn = Tortoise.get_connection("default")
        for table in _CONTENT_TABLES:
            await _insert(backend, table, [_as_integers(table, r) for r in synced[table]])
        for table in ("feed_change", "content_version"):
            await _insert(backend, table, [_as_integers(table, r) for r in synced[table]])
        await _add_votes(backend)
        await conn.execute_query(
            "INSERT INTO sync_quarantine (source, collection, cms_id, reason_code, reason, "
            f"first_seen_at, last_seen_at) VALUES ({_params(backend, 7)})",
            ["export", "reviews", "77", "missing_reference", "waits", _AT, _AT],
        )
        before = {t: await _raw(t) for t in _KEPT_TABLES}
        assert all(isinstance(r["id"], int) for r in before["tool"])  # integers at 0008
        await Tortoise.close_connections()

        await migrate(settings)
        await init_orm(settings.database_url)
        after = {t: await _raw(t) for t in _KEPT_TABLES}
        for table in _KEPT_TABLES:
            assert after[table] == _as_text(table, before[table]), table
            assert len(after[table]) == len(synced[table]), table
        assert all(isinstance(r["id"], str) for r in after["review"])
        quarantined = await Tortoise.get_connection("default").execute_query_dict(
            "SELECT cms_id FROM sync_quarantine"
        )
        assert [r["cms_id"] for r in quarantined] == ["77"]
        assert await _api_views(settings) == expected_views
        # Reversible while every id is a decimal integer: back at 0008, the same rows as before.
        await Tortoise.close_connections()
        await tortoise_migrate(
            config=tortoise_config(settings.database_url), target="verdict.0008_tool_panel"
        )
        await Tortoise.close_connections()
        await init_orm(settings.database_url)
        assert {t: await _raw(t) for t in _KEPT_TABLES} == before
        await Tortoise.close_connections()
        await migrate(settings)
        await init_orm(settings.database_url)
        # The tables still behave: references hold and deletions still cascade.
        votes_before = len(after["vote"])
        conn = Tortoise.get_connection("default")
        await conn.execute_query(
            "DELETE FROM comparison WHERE slug = 'code-llama-4-vs-mistral-code'"
        )
        sides = await conn.execute_query_dict(
            "SELECT COUNT(*) AS n FROM comparison_side WHERE comparison_id NOT IN "
            "(SELECT id FROM comparison)"
        )
        assert int(sides[0]["n"]) == 0
        assert len(await _raw("vote")) == votes_before  # votes hang off slugs
    finally:
        await Tortoise.close_connections()
        await drop_database(backend, name)


async def test_the_sync_plans_each_statement_for_its_ids_and_the_api_keeps_generic_plans(
    backend: Backend,
) -> None:
    """``database(custom_plans=True)`` (the sync's) asks PostgreSQL to plan every statement for
    its parameters: a generic plan of ``id IN (500 ids)`` on a table grown since its last
    analysis scans it and compares every row with every id (see ``verdict.db``)."""
    if backend.name != "postgres":
        return  # a PostgreSQL planner setting; SQLite has no plan cache to steer
    name = f"verdict_plans_{uuid.uuid4().hex[:8]}"
    url = await create_database(backend, name)
    try:
        for custom, expected in ((True, "force_custom_plan"), (False, "auto")):
            async with database(Settings(database_url=url), custom_plans=custom):
                rows = await Tortoise.get_connection("default").execute_query_dict(
                    "SHOW plan_cache_mode"
                )
            assert rows[0]["plan_cache_mode"] == expected
    finally:
        await drop_database(backend, name)
