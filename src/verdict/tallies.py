"""Rebuild vote tallies from the vote rows, the source of truth, and report what differed."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from verdict.models.votes import Vote, VoteTally


@dataclass(frozen=True, slots=True)
class TallyDifference:
    comparison_slug: str
    tool_slug: str
    stored: int
    counted: int

    def __str__(self) -> str:
        return (
            f"{self.comparison_slug} / {self.tool_slug}: tally {self.stored}, votes {self.counted}"
        )


@dataclass(frozen=True, slots=True)
class RecountReport:
    checked: int
    differences: list[TallyDifference]


async def recount(*, fix: bool = True) -> RecountReport:
    """Compare every tally with a count of the vote rows; with ``fix``, set tallies to the count.

    Safe while votes come in: the tally rows are locked first (FOR UPDATE on PostgreSQL), so a
    vote either committed before the count (and is in it) or updates its tally after the fix.
    """
    async with in_transaction() as conn:
        tallies = await VoteTally.all().using_db(conn).select_for_update()
        stored = {(t.comparison_slug, t.tool_slug): t for t in tallies}
        rows = (
            await Vote.all()
            .using_db(conn)
            .annotate(n=Count("id"))
            .group_by("comparison_slug", "tool_slug")
            .values_list("comparison_slug", "tool_slug", "n")
        )
        counted = {(str(c), str(t)): int(n) for c, t, n in rows}
        differences = []
        for key in sorted(stored.keys() | counted.keys()):
            tally = stored.get(key)
            have, want = (tally.count if tally else 0), counted.get(key, 0)
            if have == want:
                continue
            differences.append(TallyDifference(key[0], key[1], have, want))
            if not fix:
                continue
            if tally is not None:
                await VoteTally.filter(id=tally.id).using_db(conn).update(count=want)
            else:
                await VoteTally.bulk_create(
                    [VoteTally(comparison_slug=key[0], tool_slug=key[1], count=0)],
                    ignore_conflicts=True,
                    using_db=conn,
                )
                await (
                    VoteTally.filter(comparison_slug=key[0], tool_slug=key[1])
                    .using_db(conn)
                    .update(count=want)
                )
    return RecountReport(checked=len(stored.keys() | counted.keys()), differences=differences)


async def recount_comparison(conn: BaseDBAsyncClient, slug: str) -> list[TallyDifference]:
    """Within the caller's transaction, set each tally of ``slug`` to its count of vote rows.

    For changes that remove votes (``verdict votes void``): the tallies move in the same
    transaction as the rows, so no reader ever sees one without the other.
    """
    tallies = await VoteTally.filter(comparison_slug=slug).using_db(conn).select_for_update()
    rows = (
        await Vote.filter(comparison_slug=slug)
        .using_db(conn)
        .annotate(n=Count("id"))
        .group_by("tool_slug")
        .values_list("tool_slug", "n")
    )
    counted = {str(t): int(n) for t, n in rows}
    differences = []
    for tally in tallies:
        want = counted.get(tally.tool_slug, 0)
        if tally.count != want:
            differences.append(TallyDifference(slug, tally.tool_slug, tally.count, want))
            await VoteTally.filter(id=tally.id).using_db(conn).update(count=want)
    return differences
