"""The vote audit finds stuffed clusters; void removes them with exact tallies; prune retains."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.vote_history import T0, add_votes
from verdict.models.votes import Vote, VoteRequestRecord, VoteTally, VoteVoid
from verdict.settings import Settings
from verdict.tallies import recount
from verdict.vote_audit import Selection, audit, prune, void

SLUG = "a-vs-b"


async def _tallies() -> dict[str, int]:
    rows = await VoteTally.filter(comparison_slug=SLUG).values_list("tool_slug", "count")
    return {str(t): int(n) for t, n in rows}


async def test_audit_reports_the_stuffed_network_minute_and_fast_voters(db: Settings) -> None:
    await add_votes(SLUG, "a", 30, every=timedelta(minutes=3))  # honest: spread out
    await add_votes(
        SLUG,
        "b",
        25,
        start=T0 + timedelta(hours=2),
        every=timedelta(seconds=2),
        prefix="203.0.113.0/24",
        minted_before=timedelta(seconds=3),
    )
    report = await audit(SLUG)
    assert report.votes == 55
    kinds = {(f.kind, f.key): f.votes for f in report.findings}
    assert kinds[("prefix-burst", "203.0.113.0/24")] == 25
    assert kinds[("fast-voters", "203.0.113.0/24")] == 25
    assert any(k == "minute-burst" and n >= 20 for (k, _), n in kinds.items())
    assert not any("198." in key for (_, key) in kinds)  # no honest network is reported
    assert report.ages[SLUG]["<10s"] == 25
    assert report.ages[SLUG]["older"] == 30
    # --since narrows the window to the burst.
    assert (await audit(SLUG, since=T0 + timedelta(hours=1, minutes=59))).votes == 25


async def test_void_removes_exactly_the_selection_and_recounts(db: Settings) -> None:
    honest = await add_votes(SLUG, "a", 12)
    stuffed = await add_votes(
        SLUG, "b", 15, prefix="203.0.113.0/24", minted_before=timedelta(seconds=2)
    )
    assert await _tallies() == {"a": 12, "b": 15}
    dry = await void(SLUG, Selection(ip_prefix="203.0.113.0/24"), "test", dry_run=True)
    assert dry.voided == {"b": 15}
    assert await Vote.filter(comparison_slug=SLUG).count() == 27  # nothing changed
    done = await void(SLUG, Selection(ip_prefix="203.0.113.0/24"), "stuffed from one /24")
    assert done.voided == {"b": 15}
    assert await _tallies() == {"a": 12, "b": 0}
    assert (await recount(fix=False)).differences == []  # tallies exact against the rows
    records = await VoteVoid.filter(comparison_slug=SLUG).all()
    assert sorted(r.voter_id for r in records) == sorted(stuffed)
    assert {r.reason for r in records} == {"stuffed from one /24"}
    assert {r.criterion for r in records} == {"ip-prefix 203.0.113.0/24"}
    # By voter list and by mint window.
    await void(SLUG, Selection(voters=frozenset(honest[:2])), "listed")
    assert await _tallies() == {"a": 10, "b": 0}
    minted = await Vote.filter(voter_id=honest[5]).first()
    assert minted is not None
    assert minted.voter_minted_at is not None
    at = minted.voter_minted_at
    await void(SLUG, Selection(minted_between=(at, at)), "window")
    assert await _tallies() == {"a": 9, "b": 0}
    with pytest.raises(ValueError, match="exactly one"):
        Selection()


async def test_prune_applies_the_retention(db: Settings) -> None:
    await add_votes(SLUG, "a", 3)  # T0: long ago relative to "now" below
    now = T0 + timedelta(days=91)
    await VoteRequestRecord.create(voter_id="v", key="old", fingerprint="f")
    await VoteRequestRecord.filter(key="old").update(created_at=now - timedelta(days=3))
    await VoteRequestRecord.create(voter_id="v", key="new", fingerprint="f")
    await VoteRequestRecord.filter(key="new").update(created_at=now - timedelta(hours=1))
    report = await prune(now=now)
    assert report.requests_deleted == 1
    assert report.votes_anonymised == 3
    assert await VoteRequestRecord.filter(key="new").exists()
    assert set(await Vote.filter(comparison_slug=SLUG).values_list("ip_prefix", flat=True)) == {
        None
    }
    assert await Vote.filter(comparison_slug=SLUG).count() == 3  # the votes themselves stay
