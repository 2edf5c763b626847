"""Property: an app replaying the feed from its first token ends with exactly what the API serves.

Random sequences of sync applies (create, edit, rename, unpublish, republish, delete) and votes
are interleaved with feed reads; some changes commit while a page is being read (on PostgreSQL a
change is held uncommitted across the read, then committed). After the sequence, an app that
kept reading, and a new app starting from scratch, must both hold exactly the published state
the ordinary queries serve: nothing missing, nothing resurrected, tallies equal.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.transactions import in_transaction

from graphql_api.votes.voter import VoterSigner
from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms, review
from tests.support.databases import Backend
from tests.support.feed_client import OfflineCopy, post, served
from verdict.settings import DEV_SECRET_KEY, Settings

TOOLS = (1, 2, 3, 4)
COMPARISONS = (1, 2, 3)
STATUSES = ("published", "published", "draft", "archived")
CAST = """
mutation Cast($input: CastVoteInput!) { castVote(input: $input) { __typename } }
"""
RETRACT = """
mutation Retract($input: RetractVoteInput!) { retractVote(input: $input) { __typename } }
"""
Op = tuple[Any, ...]

ops = st.one_of(
    st.tuples(st.just("tool"), st.sampled_from(TOOLS), st.sampled_from(STATUSES), st.booleans()),
    st.tuples(
        st.just("comparison"),
        st.sampled_from(COMPARISONS),
        st.sampled_from(STATUSES),
        st.lists(st.sampled_from(TOOLS), min_size=2, max_size=2, unique=True).map(tuple),
        st.sampled_from(("", "renamed")),
    ),
    st.tuples(st.just("delete"), st.sampled_from(("tools", "comparisons")), st.integers(1, 4)),
    st.tuples(st.just("review"), st.sampled_from(TOOLS), st.integers(1, 2), st.booleans()),
    st.tuples(st.just("vote"), st.sampled_from(COMPARISONS), st.integers(0, 1)),
    st.tuples(st.just("retract"), st.integers(0, 20)),
    st.tuples(st.just("read"), st.integers(1, 3)),
)
sequences = st.lists(st.tuples(ops, st.booleans()), min_size=8, max_size=40)


@dataclass(slots=True)
class Run:
    backend: Backend
    http: httpx.AsyncClient
    cms: MemoryCms
    copy: OfflineCopy
    voters: list[tuple[str, str]] = field(default_factory=list)
    signer: VoterSigner = field(default_factory=lambda: VoterSigner.from_secret(DEV_SECRET_KEY))
    operations: int = 0

    def change(self, op: Op) -> Callable[[], Awaitable[None]] | None:
        """The sync apply or vote ``op`` stands for (None for a read)."""
        kind = op[0]
        if kind == "tool":
            _, tool_id, status, rename = op
            return lambda: self.cms.put_tool(tool_id, status, "Renamed" if rename else "")
        if kind == "comparison":
            _, comparison_id, status, tools, title = op
            slug = f"comparison-{comparison_id}-{title}" if title else ""
            return lambda: self.cms.put_comparison(
                comparison_id, tools, status, slug=slug, title=title
            )
        if kind == "delete":
            _, collection, entry_id = op
            return lambda: self.cms.delete(collection, {entry_id})
        if kind == "review":
            _, tool_id, reviewer_id, ship = op
            return lambda: self._review(tool_id, reviewer_id, ship)
        if kind == "vote":
            _, comparison_id, side = op
            return lambda: self._vote(comparison_id, side)
        if kind == "retract":
            return lambda: self._retract(op[1])
        return None

    async def _review(self, tool_id: int, reviewer_id: int, ship: bool) -> None:
        if self.cms.get("tools", tool_id) is None:
            await self.cms.put_tool(tool_id)
        if self.cms.get("reviewers", reviewer_id) is None:
            await self.cms.put_reviewer(reviewer_id)
        entry = review(tool_id * 10 + reviewer_id, tool_id, reviewer_id, "ship" if ship else "skip")
        await self.cms.put("reviews", [entry])

    async def _vote(self, comparison_id: int, side: int) -> None:
        entry = self.cms.get("comparisons", comparison_id)
        sides = [
            s["tool"]
            for s in self.cms.items.get("comparison_sides", {}).values()
            if s["comparison"] == comparison_id
        ]
        if entry is None or not sides:
            return
        slug, tool = entry["slug"], f"tool-{sorted(sides)[side % len(sides)]}"
        voter = self.signer.issue()[1]
        variables = {"input": {"comparisonSlug": slug, "toolSlug": tool}}
        await post(self.http, CAST, variables, {"x-verdict-voter": voter})
        self.voters.append((voter, slug))

    async def _retract(self, index: int) -> None:
        if not self.voters:
            return
        voter, slug = self.voters[index % len(self.voters)]
        variables = {"input": {"comparisonSlug": slug}}
        await post(self.http, RETRACT, variables, {"x-verdict-voter": voter})

    async def read(self, pages: int = 1) -> None:
        for _ in range(pages):
            await self.copy.content_page(self.http)
            await self.copy.tally_page(self.http)

    async def during_read(self, change: Callable[[], Awaitable[None]], op: Op) -> None:
        """Apply ``change`` while a page is being read."""
        if self.backend.name == "postgres" and op[0] not in ("vote", "retract"):
            # Held open across the read, then committed: the page must not skip past it.
            applied, release = asyncio.Event(), asyncio.Event()

            async def held() -> None:
                async with in_transaction():
                    await change()
                    applied.set()
                    await release.wait()

            task = asyncio.create_task(held())
            await applied.wait()
            # A vote on another comparison commits first (unless it waits for a row the held
            # change locked): its position is past the held one's, and a reader that moved its
            # token there would never see the held change. (Sync changes take turns.)
            others = [c for c in COMPARISONS if op[:2] != ("comparison", c)]
            vote = asyncio.create_task(self._vote(others[0], 0))
            await asyncio.sleep(0.05)
            await self.read()
            release.set()
            await task
            await vote
        else:
            await asyncio.gather(change(), self.read())

    async def play(self, sequence: list[tuple[Op, bool]]) -> None:
        for op, racing in sequence:
            self.operations += 1
            change = self.change(op)
            if change is None:
                await self.read(op[1])
            elif racing:
                await self.during_read(change, op)
            else:
                await change()


async def _converged(http: httpx.AsyncClient, copy: OfflineCopy) -> None:
    """Read to the end; on PostgreSQL another database's running transaction may hold the feed
    back for a moment (see verdict.feed_log), so keep reading a little while before failing."""
    deadline = time.monotonic() + 5
    while True:
        await copy.catch_up(http)
        want = await served(http)
        if copy.state() == want or time.monotonic() > deadline:
            assert copy.state() == want
            return
        await asyncio.sleep(0.1)


STATS: dict[str, int] = {}
CMS: dict[str, MemoryCms] = {}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=sequences)
async def test_replaying_the_feed_ends_with_the_served_state(
    db: Settings, backend: Backend, sequence: list[tuple[Op, bool]]
) -> None:
    # Every example continues the database the previous one left (the fixture is made once per
    # test), so a new app's initial pass starts from content with history, tombstones and votes.
    cms = CMS.setdefault(db.database_url, MemoryCms())
    async with api_client(db) as http:
        run = Run(backend, http, cms, OfflineCopy(first=2))
        await run.read()
        await run.play(sequence)
        await _converged(http, run.copy)
        fresh = OfflineCopy(first=3)
        await _converged(http, fresh)
    STATS[f"{backend.name} sequences"] = STATS.get(f"{backend.name} sequences", 0) + 1
    STATS[f"{backend.name} operations"] = (
        STATS.get(f"{backend.name} operations", 0) + run.operations
    )
    print(f"feed property: {STATS}")
