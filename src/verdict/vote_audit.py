"""Finding and repairing a stuffed ballot: the vote audit, voiding votes, and retention.

Every vote row keeps, as of its last change, the voter's network (``ip_prefix``: /24 for IPv4,
/56 for IPv6, never the full address), when the voter was minted and how (``voter_kind``).
The audit groups votes by those; ``void`` removes the votes an operator picks, recounts the
tallies in the same transaction and records each removed vote in ``vote_void``; ``prune``
applies the retention written in docs/community-votes.md.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from verdict.models.votes import Vote, VoteRequestRecord, VoteVoid
from verdict.tallies import TallyDifference, recount_comparison

FAST_VOTE_SECONDS = 10
"""A vote cast this soon after its voter was minted is how a minting script votes."""
AGE_BUCKETS = ((10, "<10s"), (60, "<1m"), (3600, "<1h"), (86_400, "<1d"))
REQUEST_RETENTION_DAYS = 2
"""Idempotency rows (vote_request): retries come within minutes; two days is plenty."""
METADATA_RETENTION_DAYS = 90
"""The network of a vote (and of a voided vote) is kept this long after the vote's last change."""


def voter_age_bucket(vote_at: datetime, minted_at: datetime | None) -> str:
    if minted_at is None:
        return "unknown"
    age = (vote_at - minted_at).total_seconds()
    for limit, name in AGE_BUCKETS:
        if age < limit:
            return name
    return "older"


@dataclass(frozen=True, slots=True)
class Finding:
    comparison_slug: str
    kind: str
    """``prefix-burst``, ``minute-burst`` or ``fast-voters``."""
    key: str
    votes: int
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.comparison_slug}  {self.kind:<13} {self.key:<26} {self.votes:>6}  {self.detail}"
        )


@dataclass(slots=True)
class AuditReport:
    votes: int = 0
    findings: list[Finding] = field(default_factory=list)
    ages: dict[str, Counter[str]] = field(default_factory=dict)
    """Per comparison: votes by how long after its voter's minting each was cast."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    prefix_votes: int = 10
    """A network with this many votes on one comparison is reported."""
    minute_votes: int = 20
    """A minute with this many votes (and 5x the comparison's median minute) is reported."""
    fast_voters: int = 5
    """A network with this many voters that voted within seconds of minting is reported."""


async def audit(
    comparison: str | None = None,
    since: datetime | None = None,
    thresholds: Thresholds = Thresholds(),
) -> AuditReport:
    """Suspicious clusters among the votes (of one comparison, changed since ``since``)."""
    query = Vote.all()
    if comparison is not None:
        query = query.filter(comparison_slug=comparison)
    if since is not None:
        query = query.filter(updated_at__gte=since)
    rows = await query.values_list("comparison_slug", "ip_prefix", "updated_at", "voter_minted_at")
    report = AuditReport(votes=len(rows))
    by_prefix: Counter[tuple[str, str]] = Counter()
    by_minute: dict[str, Counter[str]] = defaultdict(Counter)
    fast: Counter[tuple[str, str]] = Counter()
    for slug, prefix, at, minted in rows:
        slug, prefix = str(slug), str(prefix or "unknown")
        by_prefix[(slug, prefix)] += 1
        by_minute[slug][at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")] += 1
        bucket = voter_age_bucket(at, minted)
        report.ages.setdefault(slug, Counter())[bucket] += 1
        if bucket == "<10s":
            fast[(slug, prefix)] += 1
    for (slug, prefix), n in sorted(by_prefix.items(), key=lambda item: -item[1]):
        if n >= thresholds.prefix_votes:
            report.findings.append(
                Finding(slug, "prefix-burst", prefix, n, "votes from one network")
            )
    for slug, minutes in sorted(by_minute.items()):
        median = statistics.median(minutes.values())
        for minute, n in sorted(minutes.items()):
            if n >= thresholds.minute_votes and n >= 5 * median:
                detail = f"votes in one minute (median minute {median:g})"
                report.findings.append(Finding(slug, "minute-burst", minute, n, detail))
    for (slug, prefix), n in sorted(fast.items(), key=lambda item: -item[1]):
        if n >= thresholds.fast_voters:
            detail = f"voters minted and voting within {FAST_VOTE_SECONDS} s"
            report.findings.append(Finding(slug, "fast-voters", prefix, n, detail))
    return report


@dataclass(frozen=True, slots=True)
class Selection:
    """Which votes of a comparison to void: exactly one criterion."""

    ip_prefix: str | None = None
    minted_between: tuple[datetime, datetime] | None = None
    voters: frozenset[str] | None = None

    def __post_init__(self) -> None:
        chosen = [self.ip_prefix, self.minted_between, self.voters]
        if sum(c is not None for c in chosen) != 1:
            raise ValueError("choose exactly one of ip_prefix, minted_between, voters")

    def describe(self) -> str:
        if self.ip_prefix is not None:
            return f"ip-prefix {self.ip_prefix}"
        if self.minted_between is not None:
            start, end = self.minted_between
            return f"minted-between {start.isoformat()} {end.isoformat()}"
        assert self.voters is not None
        return f"voters ({len(self.voters)} listed)"


@dataclass(frozen=True, slots=True)
class VoidReport:
    voided: dict[str, int]
    """Votes removed, by tool."""
    tallies: list[TallyDifference]
    dry_run: bool


async def void(
    comparison: str, selection: Selection, reason: str, *, dry_run: bool = False
) -> VoidReport:
    """Remove the selected votes of ``comparison``, recount its tallies, record what went."""
    async with in_transaction() as conn:
        query = Vote.filter(comparison_slug=comparison).using_db(conn)
        if selection.ip_prefix is not None:
            query = query.filter(ip_prefix=selection.ip_prefix)
        elif selection.minted_between is not None:
            start, end = selection.minted_between
            query = query.filter(voter_minted_at__gte=start, voter_minted_at__lte=end)
        else:
            assert selection.voters is not None
            query = query.filter(voter_id__in=sorted(selection.voters))
        votes = await query.select_for_update().order_by("id")
        by_tool = Counter(v.tool_slug for v in votes)
        if dry_run or not votes:
            return VoidReport(dict(by_tool), [], dry_run)
        criterion = selection.describe()[:500]
        await VoteVoid.bulk_create(
            [
                VoteVoid(
                    comparison_slug=v.comparison_slug,
                    tool_slug=v.tool_slug,
                    voter_id=v.voter_id,
                    ip_prefix=v.ip_prefix,
                    voter_minted_at=v.voter_minted_at,
                    voter_kind=v.voter_kind,
                    voted_at=v.updated_at,
                    criterion=criterion,
                    reason=reason[:500],
                )
                for v in votes
            ],
            using_db=conn,
        )
        await Vote.filter(id__in=[v.id for v in votes]).using_db(conn).delete()
        differences = await recount_comparison(conn, comparison)
    return VoidReport(dict(by_tool), differences, dry_run)


@dataclass(frozen=True, slots=True)
class PruneReport:
    requests_deleted: int
    votes_anonymised: int
    voids_anonymised: int


async def prune(
    now: datetime | None = None,
    request_days: int = REQUEST_RETENTION_DAYS,
    metadata_days: int = METADATA_RETENTION_DAYS,
) -> PruneReport:
    """Delete old idempotency rows; drop the network of votes and voids past their retention."""
    now = now or datetime.now(UTC)
    request_cutoff = now - timedelta(days=request_days)
    metadata_cutoff = now - timedelta(days=metadata_days)
    deleted = await VoteRequestRecord.filter(created_at__lt=request_cutoff).delete()
    votes = await Vote.filter(updated_at__lt=metadata_cutoff, ip_prefix__isnull=False).update(
        ip_prefix=None
    )
    voids = await VoteVoid.filter(voided_at__lt=metadata_cutoff, ip_prefix__isnull=False).update(
        ip_prefix=None
    )
    return PruneReport(deleted, votes, voids)
