"""``verdict digest send``: mail each confirmed subscriber the comparisons published since their
last digest (or since they confirmed), as HTML and text, through the SMTP server.

Each subscriber's ``sent_through`` moves to the newest comparison in their mail only once the
server accepted it, so a run that fails half way, or runs twice, sends nobody the same
comparison twice and leaves nobody out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from verdict.digest import messages
from verdict.digest.messages import DigestEntry
from verdict.digest.subscriptions import Subscriptions
from verdict.mail import MailSender
from verdict.models.content import Comparison, Status
from verdict.models.digest import DigestSubscriber

BATCH = 100
"""Mails sent over one SMTP connection."""


@dataclass(slots=True)
class DigestReport:
    subscribers: int = 0
    """Confirmed subscribers with something new to read."""
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    """One reason per mail the server did not accept (addresses are not repeated here)."""
    comparisons: list[str] = field(default_factory=list)
    """Titles of every comparison that went (or, in a dry run, would go) to someone."""
    purged: int = 0


async def _published_since(since: datetime, now: datetime, site_url: str) -> list[DigestEntry]:
    rows = await Comparison.filter(
        status=Status.PUBLISHED, published_at__gt=since, published_at__lte=now
    ).order_by("published_at", "id")
    return [
        DigestEntry(
            title=c.title,
            headline=c.headline,
            summary=c.summary,
            url=f"{site_url}/compare/{c.slug}",
            published_at=c.published_at,
        )
        for c in rows
        if c.published_at is not None
    ]


async def send_digest(
    subscriptions: Subscriptions, sender: MailSender, now: datetime, *, dry_run: bool
) -> DigestReport:
    report = DigestReport()
    if not dry_run:
        report.purged = await subscriptions.purge_expired(now)
    settings = subscriptions.settings
    subscribers = await DigestSubscriber.filter(confirmed_at__isnull=False).order_by("id")
    if not subscribers:
        return report
    starts = [s.sent_through or s.confirmed_at for s in subscribers]
    earliest = min(s for s in starts if s is not None)
    entries = await _published_since(earliest, now, subscriptions.site_url)
    planned: list[tuple[DigestSubscriber, list[DigestEntry]]] = []
    titles: dict[str, None] = {}
    for subscriber, start in zip(subscribers, starts, strict=True):
        theirs = [e for e in entries if start is None or e.published_at > start]
        if theirs:
            planned.append((subscriber, theirs))
            titles.update(dict.fromkeys(e.title for e in theirs))
    report.subscribers = len(planned)
    report.comparisons = list(titles)
    if dry_run:
        return report
    for index in range(0, len(planned), BATCH):
        batch = planned[index : index + BATCH]
        mails = [
            messages.digest(settings.mail, s.email, theirs, subscriptions.unsubscribe_url(s))
            for s, theirs in batch
        ]
        results = await sender.send_each(mails)
        for (subscriber, theirs), error in zip(batch, results, strict=True):
            if error is not None:
                report.failed.append(error)
                continue
            report.sent += 1
            await DigestSubscriber.filter(id=subscriber.id).update(
                sent_through=theirs[-1].published_at
            )
    return report
