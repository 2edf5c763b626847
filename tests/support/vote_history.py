"""Hand-built vote histories: vote rows with the audit metadata a real vote would carry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from verdict.models.votes import Vote, VoteTally

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


async def add_votes(
    slug: str,
    tool: str,
    n: int,
    *,
    start: datetime = T0,
    every: timedelta = timedelta(minutes=10),
    prefix: str = "",
    minted_before: timedelta = timedelta(days=30),
    kind: str = "minted",
) -> list[str]:
    """``n`` votes for ``tool``, one per ``every`` from ``start``, each from a fresh voter minted
    ``minted_before`` its vote, from ``prefix`` (a distinct network per vote when empty); the
    tallies move with them. Returns the voter ids."""
    voters = []
    rows = []
    for i in range(n):
        at = start + every * i
        voter = f"h-{uuid.uuid4().hex[:20]}"
        voters.append(voter)
        network = prefix or f"198.{(i >> 8) % 256}.{i % 256}.0/24"
        rows.append(
            Vote(
                voter_id=voter,
                comparison_slug=slug,
                tool_slug=tool,
                ip_prefix=network,
                voter_minted_at=at - minted_before,
                voter_kind=kind,
            )
        )
    await Vote.bulk_create(rows)
    # auto_now fields are set at insert: give each vote its place in the history.
    for row, i in zip(await Vote.filter(voter_id__in=voters).order_by("id"), range(n), strict=True):
        at = start + every * i
        await Vote.filter(id=row.id).update(created_at=at, updated_at=at)
    tally, _ = await VoteTally.get_or_create(comparison_slug=slug, tool_slug=tool)
    await VoteTally.filter(id=tally.id).update(count=tally.count + n)
    return voters
