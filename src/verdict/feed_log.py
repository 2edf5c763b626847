"""The change feed's log: positions, recording content changes, reading pages, pruning.

Every comparison, tool and reviewer has one ``FeedChange`` row, moved to a new position in the
transaction of each change that touches what the API shows of it (its own fields, its sides, its
reviews: the entity keys ``cms_sync.invalidation`` computes for the response cache). A reader
asks for the rows after a position; the rows it gets are final because of how positions are
given out:

- SQLite: writers take turns (one write lock per database), and a row's ``seq`` is taken under
  that lock, so rows commit in ``seq`` order and nothing can later appear below a row read.
- PostgreSQL: ``seq`` comes from a sequence, which does not commit in order. So each row also
  carries its transaction id (``tx``), and a reader only takes rows whose transaction is older
  than every transaction of this database still running (``read_limit``): those are all
  committed or rolled back, and any later change gets a larger ``tx``. The feed lags a running
  transaction by its duration, never skips it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from verdict.models.content import Comparison, Reviewer, Tool
from verdict.models.feed import FeedChange, FeedHorizon, TallyChange

KINDS: dict[str, type[Model]] = {"comparisons": Comparison, "tools": Tool, "reviewers": Reviewer}
DELETED = "deleted"
PRUNABLE = ("deleted", "archived")
"""Statuses whose tombstones are pruned: shown in no token space (drafts are, with preview)."""
MAX_SEQ = 2**62


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """A place in a log: rows are ordered by ``(tx, seq)``."""

    tx: int
    seq: int


START = Position(0, 0)


def _conn(conn: BaseDBAsyncClient | None) -> BaseDBAsyncClient:
    return conn if conn is not None else Tortoise.get_connection("default")


def is_postgres(conn: BaseDBAsyncClient | None = None) -> bool:
    return _conn(conn).capabilities.dialect == "postgres"


async def _positions(conn: BaseDBAsyncClient, count: int, table: str) -> list[Position]:
    """``count`` fresh positions in ``table``'s log for the current transaction, in order."""
    if is_postgres(conn):
        rows = await conn.execute_query_dict(
            "SELECT pg_current_xact_id()::text::bigint AS tx, nextval('feed_seq') AS seq "
            "FROM generate_series(1, $1)",
            [count],
        )
        return sorted(Position(int(r["tx"]), int(r["seq"])) for r in rows)
    rows = await conn.execute_query_dict(f"SELECT COALESCE(MAX(seq), 0) AS top FROM {table}")
    top = int(rows[0]["top"])
    return [Position(0, top + i) for i in range(1, count + 1)]


def _entity_ids(keys: Iterable[str]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        kind, _, raw = key.partition(":")  # the id is everything after the collection's name
        if kind in KINDS and raw:
            wanted[kind].add(raw)
    return wanted


async def record_changes(keys: Iterable[str], conn: BaseDBAsyncClient | None = None) -> int:
    """Move the entities among ``keys`` (``comparisons:3``; others are ignored) to new positions,
    with their current slug and status (``deleted`` once gone). Call inside the transaction of
    the change, after it: on SQLite the change's own write holds the lock the positions need.
    Returns how many rows were written."""
    db = _conn(conn)
    now = datetime.now(UTC)
    changes: list[tuple[str, str, str, str]] = []
    for kind, ids in sorted(_entity_ids(keys).items()):
        rows: list[Any] = (
            await KINDS[kind]
            .filter(id__in=sorted(ids))
            .using_db(db)
            .values_list("id", "slug", "status")
        )
        found = {str(i): (str(s), str(st)) for i, s, st in rows}
        gone = sorted(ids - found.keys())
        known: list[Any] = (
            await FeedChange.filter(kind=kind, entity_id__in=gone)
            .using_db(db)
            .values_list("entity_id", "slug")
            if gone
            else []
        )
        # An entity never recorded and already gone was never shown: it needs no tombstone.
        last_slug = {str(i): str(s) for i, s in known}
        for entity_id in sorted(ids):
            if entity_id in found:
                slug, status = found[entity_id]
                changes.append((kind, entity_id, slug, status))
            elif entity_id in last_slug:
                changes.append((kind, entity_id, last_slug[entity_id], DELETED))
    if not changes:
        return 0
    positions = await _positions(db, len(changes), "feed_change")
    await FeedChange.bulk_create(
        [
            FeedChange(
                kind=kind,
                entity_id=entity_id,
                slug=slug,
                status=status,
                tx=at.tx,
                seq=at.seq,
                changed_at=now,
            )
            for (kind, entity_id, slug, status), at in zip(changes, positions, strict=True)
        ],
        on_conflict=["kind", "entity_id"],
        update_fields=["slug", "status", "tx", "seq", "changed_at"],
        using_db=db,
    )
    # A comparison's tallies move with it: one that comes back (republished, renamed, a side
    # shown again) brings its tallies to the tally feed too, whose pages skip hidden ones.
    slugs = sorted({slug for kind, _, slug, _ in changes if kind == "comparisons"})
    if slugs:
        marks = await _positions(db, len(slugs), "tally_change")
        await TallyChange.bulk_create(
            [
                TallyChange(comparison_slug=slug, tx=at.tx, seq=at.seq)
                for slug, at in zip(slugs, marks, strict=True)
            ],
            on_conflict=["comparison_slug"],
            update_fields=["tx", "seq"],
            using_db=db,
        )
    return len(changes)


async def read_limit(conn: BaseDBAsyncClient | None = None) -> int | None:
    """Rows with ``tx`` below this are final (PostgreSQL); None on SQLite, where all are."""
    db = _conn(conn)
    if not is_postgres(db):
        return None
    rows = await db.execute_query_dict(_LIMIT)
    mine, xmax = rows[0]["mine"], rows[0]["xmax"]
    return int(mine) if mine is not None else int(xmax)


# The oldest transaction still running in this database, else the next transaction id to come.
# Transactions of other databases on the server are left out (the snapshot's own xmin would
# count them): they cannot write these tables, and must not hold the feed back. A transaction
# that ends between the snapshot and the pg_stat_activity read has ended before the rows are
# read (by the next statement), so leaving it out is safe too.
_LIMIT = """
WITH snap AS (SELECT pg_current_snapshot() AS s)
SELECT pg_snapshot_xmax(s)::text::bigint AS xmax,
       (SELECT MIN(x::text::bigint) FROM pg_snapshot_xip(s) AS x
         WHERE EXISTS (SELECT 1 FROM pg_stat_activity AS a
                        WHERE a.datname = current_database() AND a.backend_xid = xid(x))
       ) AS mine
FROM snap
"""


async def head(model: type[FeedChange] | type[TallyChange], limit: int | None) -> Position:
    """The position every row final now is at or below (the origin of an initial pass)."""
    if limit is not None:
        return Position(limit - 1, MAX_SEQ)
    top: list[Any] = await model.all().order_by("-seq").limit(1).values_list("seq", flat=True)
    return Position(0, int(top[0]) if top else 0)


def _after(position: Position, limit: int | None) -> Q:
    later = Q(tx__gt=position.tx) | Q(tx=position.tx, seq__gt=position.seq)
    return later & Q(tx__lt=limit) if limit is not None else later


async def feed_rows(after: Position, limit: int | None, count: int) -> list[FeedChange]:
    """Up to ``count`` content rows after ``after``, in log order, final under ``limit``."""
    return await FeedChange.filter(_after(after, limit)).order_by("tx", "seq").limit(count)


async def tally_rows(after: Position, limit: int | None, count: int) -> list[TallyChange]:
    """Up to ``count`` tally rows after ``after``, in log order, final under ``limit``."""
    return await TallyChange.filter(_after(after, limit)).order_by("tx", "seq").limit(count)


async def horizon() -> Position:
    """Tokens before this position have missed a pruned tombstone."""
    return horizon_of(await FeedHorizon.get_or_none(id=1))


async def prune(retention: timedelta, *, now: datetime | None = None) -> int:
    """Delete tombstones of deleted and archived entities older than ``retention``, and move the
    horizon past them (tokens from before it answer SyncTokenExpired). Returns how many."""
    cutoff = (now or datetime.now(UTC)) - retention
    async with in_transaction() as conn:
        doomed = FeedChange.filter(status__in=PRUNABLE, changed_at__lt=cutoff).using_db(conn)
        last = await doomed.order_by("-tx", "-seq").first()
        if last is None:
            return 0
        count = await doomed.count()
        await doomed.delete()
        current = await FeedHorizon.filter(id=1).using_db(conn).first()
        edge = max(Position(last.tx, last.seq), horizon_of(current))
        await FeedHorizon.update_or_create(
            {"tx": edge.tx, "seq": edge.seq, "pruned_at": datetime.now(UTC)},
            id=1,
            using_db=conn,
        )
    return count


def horizon_of(row: FeedHorizon | None) -> Position:
    return Position(row.tx, row.seq) if row is not None else START
