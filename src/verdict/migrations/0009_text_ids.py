"""Content ids become the CMS's own ids as opaque text (issue 19): 42 becomes '42'.

Contentful's ids are strings and Strapi 5 has a string ``documentId``, so every content primary
key, every reference to one and the feed's ``entity_id`` become ``VARCHAR(255)``; the quarantine's
``cms_id`` widens to 255 and a content version key (``comparisons:<id>``) to 300. Every row,
reference, panel figure, tombstone and vote stays (votes and tallies are keyed by slug, and so are
the Relay global ids: neither changes).

The state change is Tortoise's ``AlterField`` (what ``makemigrations`` wrote); the data is
converted by hand, because Tortoise's own ``ALTER`` cannot do it safely here:

- PostgreSQL: the foreign keys to the content tables are dropped, each column altered with
  ``USING <column>::text``, and the foreign keys re-created under their own names and
  definitions (read from ``pg_constraint``, so nothing is guessed).
- SQLite cannot change a column's type: each table is rebuilt (created anew, copied, dropped,
  renamed, its indexes and triggers re-created from ``sqlite_master``). Foreign keys are on and
  cannot be turned off inside the migration's transaction, and dropping a table that other tables
  refer to cascades into them, so the rows are first copied aside, every table dropped children
  first (nothing refers to a parent when it goes), and the tables re-created parents first. A
  ``foreign_key_check`` before the end proves every reference still resolves.

Everything runs in the migration's one transaction: a failure leaves the database at 0008.
"""

from typing import Any
import re

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# SQLite: table -> its columns that become text, in rebuild order (parents first).
_REBUILT = {
    "tool": ("id",),
    "reviewer": ("id",),
    "comparison": ("id",),
    "review": ("id", "reviewer_id", "tool_id"),
    "comparison_side": ("id", "comparison_id", "tool_id"),
    "tool_panel": ("tool_id",),
    "feed_change": ("entity_id",),
}
# PostgreSQL: (table, column, type after, type before); the two widened columns change on SQLite
# by name only (SQLite does not enforce a VARCHAR's length), so they need no rebuild there.
_PG_COLUMNS = [
    *(
        (table, column, "VARCHAR(255)", "INT")
        for table, columns in _REBUILT.items()
        for column in columns
    ),
    ("sync_quarantine", "cms_id", "VARCHAR(255)", "VARCHAR(100)"),
    ("content_version", "key", "VARCHAR(300)", "VARCHAR(120)"),
]
_CONTENT = ("tool", "reviewer", "comparison", "review", "comparison_side")


class _AlterFieldState(ops.AlterField):
    """``AlterField`` for the migration state only; ``_forward`` converts the data."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


def _text_id(description: str = "The CMS's own id, as opaque text") -> Any:
    return fields.CharField(
        primary_key=True, unique=True, db_index=True, description=description, max_length=255
    )


async def _rows(client: Any, sql: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
    return list(await client.execute_query_dict(sql, values or []))


# --- PostgreSQL -------------------------------------------------------------------------------

_PG_FOREIGN_KEYS = """
SELECT child.relname AS child, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
FROM pg_constraint AS con
JOIN pg_class AS child ON child.oid = con.conrelid
JOIN pg_class AS parent ON parent.oid = con.confrelid
JOIN pg_namespace AS ns ON ns.oid = parent.relnamespace
WHERE con.contype = 'f' AND ns.nspname = current_schema() AND parent.relname = ANY($1::text[])
ORDER BY child.relname, con.conname
"""


async def _postgres(client: Any, *, forward: bool) -> None:
    keys = await _rows(client, _PG_FOREIGN_KEYS, [list(_REBUILT)])
    for key in keys:
        await client.execute_script(f'ALTER TABLE "{key["child"]}" DROP CONSTRAINT "{key["name"]}"')
    for table, column, after, before in _PG_COLUMNS:
        kind = after if forward else before
        cast = "integer" if kind == "INT" else "text"
        await client.execute_script(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {kind} USING "{column}"::{cast}'
        )
    for key in keys:
        await client.execute_script(
            f'ALTER TABLE "{key["child"]}" ADD CONSTRAINT "{key["name"]}" {key["definition"]}'
        )


# --- SQLite -----------------------------------------------------------------------------------


def _retyped(create_sql: str, columns: tuple[str, ...], *, forward: bool) -> str:
    """The table's CREATE statement with ``columns`` typed as text (or back as INT)."""
    old, new = ("INT", "VARCHAR(255)") if forward else (r"VARCHAR\(255\)", "INT")
    result = create_sql
    for column in columns:
        result, found = re.subn(rf'("{column}" ){old}(?=\s)', rf"\g<1>{new}", result, count=1)
        if not found:
            raise RuntimeError(f"0009_text_ids: column {column} has an unexpected type")
    return result


async def _sqlite(client: Any, *, forward: bool) -> None:
    tables = list(_REBUILT)
    schema = await _rows(
        client,
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' for _ in tables)})",
        tables,
    )
    creates = {r["name"]: str(r["sql"]) for r in schema if r["type"] == "table"}
    extras = [str(r["sql"]) for r in schema if r["type"] in ("index", "trigger")]
    counts: dict[str, int] = {}
    for table in tables:
        columns = [str(c["name"]) for c in await _rows(client, f'PRAGMA table_info("{table}")')]
        counts[table] = int((await _rows(client, f'SELECT COUNT(*) AS n FROM "{table}"'))[0]["n"])
        kept = ", ".join(f'"{c}"' for c in columns)
        await client.execute_query(f'CREATE TABLE "_ids_{table}" AS SELECT {kept} FROM "{table}"')
    for table in reversed(tables):  # children first: nothing refers to a table when it goes
        await client.execute_query(f'DROP TABLE "{table}"')
    for table in tables:  # parents first
        text_columns = _REBUILT[table]
        await client.execute_query(_retyped(creates[table], text_columns, forward=forward))
        columns = [str(c["name"]) for c in await _rows(client, f'PRAGMA table_info("{table}")')]
        cast = "TEXT" if forward else "INTEGER"
        values = ", ".join(
            f'CAST("{c}" AS {cast})' if c in text_columns else f'"{c}"' for c in columns
        )
        names = ", ".join(f'"{c}"' for c in columns)
        await client.execute_query(
            f'INSERT INTO "{table}" ({names}) SELECT {values} FROM "_ids_{table}"'
        )
        await client.execute_query(f'DROP TABLE "_ids_{table}"')
        moved = int((await _rows(client, f'SELECT COUNT(*) AS n FROM "{table}"'))[0]["n"])
        if moved != counts[table]:
            raise RuntimeError(f"0009_text_ids: {table} had {counts[table]} rows, now {moved}")
    for statement in extras:
        await client.execute_query(statement)
    broken = await _rows(client, "PRAGMA foreign_key_check")
    if broken:
        raise RuntimeError(f"0009_text_ids: references broken by the rebuild: {broken[:5]}")


# --- Both -------------------------------------------------------------------------------------


async def _forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await _postgres(client, forward=True)
    else:
        await _sqlite(client, forward=True)


async def _backward(apps: Any, schema_editor: Any) -> None:
    """Back to integer ids: only while every id is still a decimal integer (Directus's)."""
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for table in _CONTENT:
        test = "id !~ '^[0-9]{1,9}$'" if postgres else "id GLOB '*[^0-9]*' OR id = ''"
        rows = await _rows(client, f'SELECT COUNT(*) AS n FROM "{table}" WHERE {test}')
        if int(rows[0]["n"]):
            raise RuntimeError(
                f"0009_text_ids cannot be reversed: {table} holds ids that are not integers"
            )
    if postgres:
        await _postgres(client, forward=False)
    else:
        await _sqlite(client, forward=False)


class Migration(migrations.Migration):
    dependencies = [('verdict', '0008_tool_panel')]

    initial = False

    operations = [
        _AlterFieldState(model_name='Comparison', name='id', field=_text_id()),
        _AlterFieldState(model_name='ComparisonSide', name='id', field=_text_id()),
        _AlterFieldState(
            model_name='ContentVersion',
            name='key',
            field=fields.CharField(unique=True, max_length=300),
        ),
        _AlterFieldState(
            model_name='FeedChange',
            name='entity_id',
            field=fields.CharField(description="The CMS's id of the entity", max_length=255),
        ),
        _AlterFieldState(
            model_name='QuarantinedEntry', name='cms_id', field=fields.CharField(max_length=255)
        ),
        _AlterFieldState(model_name='Review', name='id', field=_text_id()),
        _AlterFieldState(model_name='Reviewer', name='id', field=_text_id()),
        _AlterFieldState(model_name='Tool', name='id', field=_text_id()),
        ops.RunPython(_forward, _backward),
    ]
