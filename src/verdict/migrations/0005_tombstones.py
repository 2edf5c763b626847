from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from typing import Any

# The feed's positions (see verdict.feed_log): PostgreSQL takes them from a sequence and the
# writing transaction's id; SQLite, where writers take turns, from the table's highest seq.
_PG_TX = "pg_current_xact_id()::text::bigint"
_PG = [
    "CREATE SEQUENCE IF NOT EXISTS feed_seq",
    # Deferred to commit: the tally_change row is locked only after every vote_tally row the
    # transaction updates, so two votes moving between the same sides cannot deadlock on it.
    f"""
    CREATE OR REPLACE FUNCTION verdict_tally_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO tally_change (comparison_slug, tx, seq)
        VALUES (COALESCE(NEW.comparison_slug, OLD.comparison_slug), {_PG_TX}, nextval('feed_seq'))
        ON CONFLICT (comparison_slug) DO UPDATE SET tx = EXCLUDED.tx, seq = EXCLUDED.seq;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER vote_tally_changed AFTER INSERT OR UPDATE OR DELETE ON vote_tally
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION verdict_tally_changed()
    """,
]
_PG_REVERSE = [
    "DROP TRIGGER IF EXISTS vote_tally_changed ON vote_tally",
    "DROP FUNCTION IF EXISTS verdict_tally_changed()",
    "DROP SEQUENCE IF EXISTS feed_seq",
]
_SQLITE_UPSERT = """
    INSERT INTO tally_change (comparison_slug, tx, seq)
    VALUES ({row}.comparison_slug, 0, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tally_change))
    ON CONFLICT (comparison_slug) DO UPDATE SET seq = excluded.seq;
"""
_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS vote_tally_{event.lower()}d AFTER {event} ON vote_tally "
    f"BEGIN {_SQLITE_UPSERT.format(row=row)} END"
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
]
_SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS vote_tally_{e}d" for e in ("insert", "update", "delete")
]


def _backfill(tx: str, now: str) -> list[str]:
    """Every existing entity and tallied comparison gets a position, so an initial pass sees it."""
    return [
        f"""
        INSERT INTO feed_change (kind, entity_id, slug, status, tx, seq, changed_at)
        SELECT kind, id, slug, status, {tx}, ROW_NUMBER() OVER (ORDER BY o, id), {now} FROM (
            SELECT 'tools' AS kind, 0 AS o, id, slug, status FROM tool
            UNION ALL SELECT 'reviewers', 1, id, slug, status FROM reviewer
            UNION ALL SELECT 'comparisons', 2, id, slug, status FROM comparison
        ) AS entities
        """,
        f"""
        INSERT INTO tally_change (comparison_slug, tx, seq)
        SELECT comparison_slug, {tx}, ROW_NUMBER() OVER (ORDER BY comparison_slug)
        FROM (SELECT DISTINCT comparison_slug FROM vote_tally) AS tallied
        """,
        "INSERT INTO feed_horizon (id, tx, seq) VALUES (1, 0, 0)",
    ]


async def _forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        statements = [*_PG, *_backfill(_PG_TX, "CURRENT_TIMESTAMP")]
        statements.append(
            "SELECT setval('feed_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
            "(SELECT seq FROM feed_change UNION ALL SELECT seq FROM tally_change) AS s))"
        )
    else:
        now = "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')"
        statements = [*_SQLITE, *_backfill("0", now)]
    for statement in statements:
        await client.execute_script(statement)


async def _backward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for statement in _PG_REVERSE if postgres else _SQLITE_REVERSE:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('verdict', '0004_vote_integrity')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FeedChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(description='comparisons, tools or reviewers', max_length=16)),
                ('entity_id', fields.IntField(description="The CMS's id of the entity")),
                ('slug', fields.CharField(description='The slug when last seen', max_length=200)),
                ('status', fields.CharField(description='published, draft, archived or deleted', max_length=16)),
                ('tx', fields.BigIntField(default=0)),
                ('seq', fields.BigIntField()),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'feed_change', 'app': 'verdict', 'unique_together': (('kind', 'entity_id'),), 'indexes': [Index(fields=['tx', 'seq'])], 'pk_attr': 'id', 'table_description': 'The latest change of one comparison, tool or reviewer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TallyChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comparison_slug', fields.CharField(unique=True, max_length=200)),
                ('tx', fields.BigIntField(default=0)),
                ('seq', fields.BigIntField()),
            ],
            options={'table': 'tally_change', 'app': 'verdict', 'indexes': [Index(fields=['tx', 'seq'])], 'pk_attr': 'id', 'table_description': 'When the tallies of one comparison last changed (written by a trigger on vote_tally).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FeedHorizon',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('tx', fields.BigIntField(default=0)),
                ('seq', fields.BigIntField(default=0)),
                ('pruned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'feed_horizon', 'app': 'verdict', 'pk_attr': 'id', 'table_description': 'How far tombstones were pruned: a token from before ``(tx, seq)`` has missed some.'},
            bases=['Model'],
        ),
        ops.RunPython(_forward, _backward),
    ]
