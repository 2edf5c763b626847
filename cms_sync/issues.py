"""Sync issues where editors work: the quarantine, published back to the CMS after every pass.

The worker quarantines an entry it cannot apply (a required field left blank, a slug taken) with
a reason an editor can act on. Editors never read Verdict's database, so after each pass the
worker hands the whole list of open issues to an :class:`IssueBoard` (for Directus, a read-only
collection next to the content). The board converges to the list: it adds new issues, rewrites
changed reasons and removes what synced since. A failed publication is logged and left to the
next pass, which publishes the whole list again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from verdict.models.sync import QuarantinedEntry


@dataclass(frozen=True, slots=True)
class SyncIssue:
    """One CMS entry the sync could not apply, and why."""

    collection: str
    item: str
    """The entry's id in the CMS."""
    reason_code: str
    reason: str
    first_seen: datetime


class IssueBoard(Protocol):
    """Where editors see sync issues."""

    async def publish(self, issues: Sequence[SyncIssue]) -> None:
        """Make the board show exactly ``issues``; raise on a transport failure."""
        ...


async def open_issues(source: str) -> list[SyncIssue]:
    """Every entry of ``source`` quarantined now, oldest first."""
    rows = await QuarantinedEntry.filter(source=source).order_by("first_seen_at", "id")
    return [
        SyncIssue(
            collection=row.collection,
            item=row.cms_id,
            reason_code=row.reason_code,
            reason=row.reason,
            first_seen=row.first_seen_at,
        )
        for row in rows
    ]
