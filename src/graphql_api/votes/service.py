"""Casting and retracting votes, exactly, under concurrency.

Every change happens in one transaction that
1. claims the idempotency key (``INSERT ... ON CONFLICT DO NOTHING``: a concurrent request with
   the same voter and key waits for this one to commit and then reads its stored result),
2. inserts the vote (``ON CONFLICT DO NOTHING RETURNING``) or locks the existing one
   (``SELECT ... FOR UPDATE``), so one voter holds at most one vote per comparison,
3. moves the side tallies with ``count = count + 1`` updates (F expressions), in tool-slug order
   so that two moves in opposite directions cannot deadlock,
4. stores the result under the idempotency key.
SQLite runs one write transaction at a time, which gives the same guarantees there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from graphql_api.limits.client_ip import ip_prefix
from graphql_api.votes.outcomes import (
    Closed,
    ComparisonMissing,
    KeyReused,
    Limited,
    Outcome,
    SideCount,
    Tallies,
    ToolMissing,
    Voted,
    from_record,
    to_record,
)
from graphql_api.votes.ratelimit import RateLimiter
from verdict.models.content import Comparison, ComparisonSide, Status
from verdict.models.votes import Vote, VoteRequestRecord, VoteTally

SLUG_MAX_LENGTH = 200
_CAST_ATTEMPTS = 10
ChangeListener = Callable[[str], Awaitable[None]]
"""Hears the slug of a comparison whose votes changed, after the change is committed."""


@dataclass(frozen=True, slots=True)
class VoteRequest:
    """Who asks, from where, and under which idempotency key (if any)."""

    voter_id: str
    client_ip: str
    idempotency_key: str | None = None
    voter_kind: str = "legacy"
    voter_minted_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.idempotency_key is not None:
            object.__setattr__(self, "idempotency_key", _bounded(self.idempotency_key, 200))


def _bounded(text: str, limit: int) -> str:
    """``text`` itself when it fits its column, else a digest of it (any length is accepted)."""
    if len(text) <= limit:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


async def visible_sides(
    slug: str, conn: BaseDBAsyncClient | None = None
) -> tuple[Comparison | None, list[str]]:
    """The published comparison and the slugs of its published tools, in display order."""
    if len(slug) > SLUG_MAX_LENGTH:  # no such slug can exist (and the ORM would refuse it)
        return None, []
    comparison = await Comparison.filter(slug=slug, status=Status.PUBLISHED).using_db(conn).first()
    if comparison is None:
        return None, []
    slugs = await (
        ComparisonSide.filter(comparison_id=comparison.id, tool__status=Status.PUBLISHED)
        .using_db(conn)
        .order_by("position", "id")
        .values_list("tool__slug", flat=True)
    )
    return comparison, [str(s) for s in slugs]


async def read_tallies(
    slug: str, sides: list[str], conn: BaseDBAsyncClient | None = None
) -> Tallies:
    """The counts of ``sides`` (0 for a side nobody voted for)."""
    rows = await (
        VoteTally.filter(comparison_slug=slug, tool_slug__in=sides)
        .using_db(conn)
        .values_list("tool_slug", "count")
    )
    counts = {str(tool): int(count) for tool, count in rows}
    return Tallies(slug, tuple(SideCount(tool, counts.get(tool, 0)) for tool in sides))


async def current_tallies(slug: str) -> Tallies | None:
    """The tallies shown for a comparison; None when it is not published."""
    comparison, sides = await visible_sides(slug)
    return None if comparison is None else await read_tallies(slug, sides)


def _sql(conn: BaseDBAsyncClient, text: str) -> str:
    """Write ``?`` placeholders as the connection's driver expects them.

    Run these with ``execute_query_dict``: the asyncpg client's ``execute_query`` drops the rows
    of an ``INSERT ... RETURNING``.
    """
    if conn.capabilities.dialect != "postgres":
        return text
    parts = text.split("?")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))


async def _claim_key(
    conn: BaseDBAsyncClient, request: VoteRequest, fingerprint: str
) -> Outcome | None:
    """Claim the idempotency key; if another request has it, that request's stored outcome."""
    assert request.idempotency_key is not None
    rows = await conn.execute_query_dict(
        _sql(
            conn,
            "INSERT INTO vote_request (voter_id, key, fingerprint, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (voter_id, key) DO NOTHING RETURNING id",
        ),
        [request.voter_id, request.idempotency_key, fingerprint, datetime.now(UTC)],
    )
    if rows:
        return None
    record = (
        await VoteRequestRecord.filter(voter_id=request.voter_id, key=request.idempotency_key)
        .using_db(conn)
        .get()
    )
    if record.fingerprint != fingerprint or record.result is None:
        return KeyReused(request.idempotency_key)
    return from_record(record.result)


async def _bump(conn: BaseDBAsyncClient, slug: str, tool: str, delta: int) -> None:
    """Add ``delta`` to a side's tally in the database, creating the row on its first vote."""
    tally = VoteTally.filter(comparison_slug=slug, tool_slug=tool).using_db(conn)
    if await tally.update(count=F("count") + delta):
        return
    # ON CONFLICT DO NOTHING: a concurrent first vote creates the row at most once.
    await VoteTally.bulk_create(
        [VoteTally(comparison_slug=slug, tool_slug=tool, count=0)],
        ignore_conflicts=True,
        using_db=conn,
    )
    await tally.update(count=F("count") + delta)


async def _apply_cast(conn: BaseDBAsyncClient, request: VoteRequest, slug: str, tool: str) -> bool:
    """Record the voter's vote for ``tool``; True when anything changed."""
    now = datetime.now(UTC)
    voter_id = request.voter_id
    # The audit keeps the network, not the address (see docs/community-votes.md).
    audit = (ip_prefix(request.client_ip), request.voter_minted_at, request.voter_kind)
    # ON CONFLICT DO NOTHING does not lock the row it conflicts with, so a concurrent retraction
    # may delete it before we lock it: then insert again. Each pass loses only to a commit.
    for _ in range(_CAST_ATTEMPTS):
        inserted = await conn.execute_query_dict(
            _sql(
                conn,
                "INSERT INTO vote (voter_id, comparison_slug, tool_slug, created_at, updated_at, "
                "ip_prefix, voter_minted_at, voter_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (voter_id, comparison_slug) DO NOTHING RETURNING id",
            ),
            [voter_id, slug, tool, now, now, *audit],
        )
        if inserted:
            await _bump(conn, slug, tool, +1)
            return True
        vote = await _locked_vote(conn, voter_id, slug)
        if vote is None:
            continue
        previous = vote.tool_slug
        if previous == tool:
            return False
        await (
            Vote.filter(id=vote.id)
            .using_db(conn)
            .update(
                tool_slug=tool,
                updated_at=now,
                ip_prefix=audit[0],
                voter_minted_at=audit[1],
                voter_kind=audit[2],
            )
        )
        for side, delta in sorted([(previous, -1), (tool, +1)]):
            await _bump(conn, slug, side, delta)
        return True
    raise RuntimeError(f"vote of {voter_id} on {slug} kept changing under us")


async def _locked_vote(conn: BaseDBAsyncClient, voter_id: str, slug: str) -> Vote | None:
    """The voter's vote on the comparison, row-locked until the transaction ends (PostgreSQL)."""
    return (
        await Vote.filter(voter_id=voter_id, comparison_slug=slug)
        .using_db(conn)
        .select_for_update()
        .first()
    )


async def _apply_retract(conn: BaseDBAsyncClient, voter_id: str, slug: str) -> bool:
    vote = await _locked_vote(conn, voter_id, slug)
    if vote is None:
        return False
    await Vote.filter(id=vote.id).using_db(conn).delete()
    await _bump(conn, slug, vote.tool_slug, -1)
    return True


class VoteService:
    """The vote mutations' logic; ``on_change`` is told of every committed change."""

    def __init__(self, limiter: RateLimiter, on_change: ChangeListener) -> None:
        self.limiter = limiter
        self.on_change = on_change

    async def cast(self, request: VoteRequest, slug: str, tool: str) -> Outcome:
        """Vote for ``tool`` on comparison ``slug``, moving any earlier vote of this voter."""
        return await self._run(request, slug, _bounded(f"cast:{slug}:{tool}", 500), tool)

    async def retract(self, request: VoteRequest, slug: str) -> Outcome:
        """Withdraw this voter's vote on ``slug``; a no-op success when there is none."""
        return await self._run(request, slug, _bounded(f"retract:{slug}", 500), None)

    async def _stored(self, request: VoteRequest, fingerprint: str) -> Outcome | None:
        if request.idempotency_key is None:
            return None
        record = await VoteRequestRecord.get_or_none(
            voter_id=request.voter_id, key=request.idempotency_key
        )
        if record is None or record.result is None:
            return None
        if record.fingerprint != fingerprint:
            return KeyReused(request.idempotency_key)
        return from_record(record.result)

    async def _run(
        self, request: VoteRequest, slug: str, fingerprint: str, tool: str | None
    ) -> Outcome:
        # A retry of a finished request is answered before the rate limit: it costs nothing.
        stored = await self._stored(request, fingerprint)
        if stored is not None:
            return stored
        retry_after = await self.limiter.check(request.voter_id, request.client_ip)
        if retry_after is not None:
            return Limited(retry_after)
        changed = False
        async with in_transaction() as conn:
            if request.idempotency_key is not None:
                earlier = await _claim_key(conn, request, fingerprint)
                if earlier is not None:
                    return earlier
            outcome, changed = await self._change(conn, request, slug, tool)
            if request.idempotency_key is not None:
                await (
                    VoteRequestRecord.filter(voter_id=request.voter_id, key=request.idempotency_key)
                    .using_db(conn)
                    .update(result=to_record(outcome))
                )
        if changed:
            await self.on_change(slug)
        return outcome

    async def _change(
        self, conn: BaseDBAsyncClient, request: VoteRequest, slug: str, tool: str | None
    ) -> tuple[Outcome, bool]:
        comparison, sides = await visible_sides(slug, conn)
        if comparison is None:
            return ComparisonMissing(slug), False
        if not comparison.voting_open:
            return Closed(slug), False
        if tool is not None and tool not in sides:
            return ToolMissing(slug, tool), False
        if tool is None:
            changed = await _apply_retract(conn, request.voter_id, slug)
        else:
            changed = await _apply_cast(conn, request, slug, tool)
        tallies = await read_tallies(slug, sides, conn)
        return Voted(tallies, tool), changed
