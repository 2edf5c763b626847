"""TRENDING: vote velocity with time decay, where bought votes weigh little.

In the manner of Product Hunt's and Hacker News' rankings, a comparison's score is its recent
votes, each decayed by its age:

    score = sum over votes of the last WINDOW of  trust(v) * burst(v) * 2 ** (-age(v) / HALF_LIFE)

- ``2 ** (-age / HALF_LIFE)``: a vote counts 1 now, 1/2 after HALF_LIFE (12 h), 1/4 after 24 h;
  votes older than WINDOW (7 days) count nothing. So the score is a decayed velocity.
- ``burst(v) = 1 / sqrt(n)`` where n is the comparison's votes in v's minute: a minute's votes
  add up to at most sqrt(n), so a steady climber (a vote every few minutes) beats the same
  number of votes in a burst, and a burst of 400 counts as 20.
- ``trust(v)``: how much the site knows about the voter when the vote was cast:
  1 for a JWT account or a voter minted a day or more before; 0.5 for one minted an hour or
  more before, or of unknown age (legacy tokens); 0.2 for one minted 10 minutes to an hour
  before; 0.05 for one minted less than 10 minutes before, the way a minting script votes.
  A vote from a network the audit flags on this comparison (at least FLAGGED_PREFIX_VOTES votes
  from one /24 or /56) is multiplied by 0.1 again.
A stuffed burst (fresh voters, one network, one minute) thus weighs about
0.05 * 0.1 / sqrt(n) per vote: 300 of them add up to 0.09. A score under RANK_FLOOR (0.5) does
not rank: the comparison is listed with those that have no recent votes, newest first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from verdict.models.votes import Vote

HALF_LIFE = timedelta(hours=12)
WINDOW = timedelta(days=7)
FLAGGED_PREFIX_VOTES = 10
"""As the audit's default prefix threshold (verdict.vote_audit.Thresholds.prefix_votes)."""
FLAGGED_WEIGHT = 0.1
RANK_FLOOR = 0.5
"""A score below this (half of one fresh vote of a day-old voter) does not rank at all."""


@dataclass(frozen=True, slots=True)
class VoteEvent:
    comparison_slug: str
    at: datetime
    ip_prefix: str | None
    voter_minted_at: datetime | None
    voter_kind: str


def trust(event: VoteEvent) -> float:
    """How much a vote counts for what the site knows of its voter (see the module doc)."""
    if event.voter_kind == "jwt":
        return 1.0
    if event.voter_minted_at is None:
        return 0.5
    age = event.at - event.voter_minted_at
    if age >= timedelta(days=1):
        return 1.0
    if age >= timedelta(hours=1):
        return 0.5
    if age >= timedelta(minutes=10):
        return 0.2
    return 0.05


def scores(events: Iterable[VoteEvent], now: datetime) -> dict[str, float]:
    """The TRENDING score of each comparison that ranks (votes in the window, over the floor)."""
    recent = [e for e in events if timedelta(0) <= now - e.at <= WINDOW]
    per_minute = Counter((e.comparison_slug, e.at.replace(second=0, microsecond=0)) for e in recent)
    per_prefix = Counter((e.comparison_slug, e.ip_prefix) for e in recent if e.ip_prefix)
    totals: dict[str, float] = {}
    for e in recent:
        weight = trust(e) / math.sqrt(
            per_minute[(e.comparison_slug, e.at.replace(second=0, microsecond=0))]
        )
        if e.ip_prefix and per_prefix[(e.comparison_slug, e.ip_prefix)] >= FLAGGED_PREFIX_VOTES:
            weight *= FLAGGED_WEIGHT
        decay = 2 ** (-(now - e.at) / HALF_LIFE)
        totals[e.comparison_slug] = totals.get(e.comparison_slug, 0.0) + weight * decay
    return {slug: score for slug, score in totals.items() if score >= RANK_FLOOR}


async def read_scores(now: datetime) -> dict[str, float]:
    """The TRENDING scores from the vote rows changed within the window."""
    rows = await Vote.filter(updated_at__gte=now - WINDOW).values_list(
        "comparison_slug", "updated_at", "ip_prefix", "voter_minted_at", "voter_kind"
    )
    events = (
        VoteEvent(str(slug), at, prefix, minted, str(kind))
        for slug, at, prefix, minted, kind in rows
    )
    return scores(events, now)
