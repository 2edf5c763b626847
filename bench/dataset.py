"""A realistic benchmark dataset, generated deterministically and bulk-loaded with COPY.

For ``n`` comparisons: ``n // 10`` tools, 12 reviewers (three per lens), every reviewer reviewing
every tool (12 reviews per tool), two sides per comparison (every fifth has three) whose tools
are dealt in shuffled rounds (no tool twice within a listing page), and vote tallies on about
half of the comparisons. The same rows feed PostgreSQL (``load_postgres``) and
the Directus comparison (``bench.directus``), so both serve the same pages.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from verdict import panels

REVIEWERS = 12
LENSES = ("developer_experience", "competition", "thesis", "business")
VENDORS = tuple(f"Vendor {c}" for c in "ABCDEFGHIJKLMNOPQRST")
CATEGORIES = ("Developer Tools", "Chat", "Search", "Agents", "Images", "Speech", "Data", "Ops")
PRICES = ("Free", "$10/mo", "$20/mo", "$39/mo", "Usage-based", "Contact sales")
LICENSES = ("Apache-2.0", "MIT", "Proprietary", None)
SIZES = ("1B", "3B", "7B", "13B", "34B", "70B")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
WORDS = [
    "fast",
    "reliable",
    "context",
    "window",
    "latency",
    "pricing",
    "support",
    "agents",
    "tooling",
    "accurate",
    "cheap",
    "open",
    "weights",
    "team",
    "onboarding",
    "docs",
    "review",
    "ship",
    "skip",
    "local",
    "cloud",
    "private",
    "secure",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


@dataclass
class Dataset:
    """Rows in column order of the tables they are copied into."""

    comparisons: int
    tools: list[tuple[Any, ...]] = field(default_factory=list)
    reviewers: list[tuple[Any, ...]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)
    comparison_rows: list[tuple[Any, ...]] = field(default_factory=list)
    sides: list[tuple[Any, ...]] = field(default_factory=list)
    tallies: list[tuple[Any, ...]] = field(default_factory=list)

    @property
    def slugs(self) -> list[str]:
        return [row[4] for row in self.comparison_rows]

    def side_tool_slugs(self) -> dict[str, list[str]]:
        """Comparison slug -> the slugs of its tools, in side order."""
        tool_slug = {row[0]: row[4] for row in self.tools}
        comparison_slug = {row[0]: row[4] for row in self.comparison_rows}
        out: dict[str, list[str]] = {}
        for _id, comparison_id, tool_id, _position, *_ in self.sides:
            out.setdefault(comparison_slug[comparison_id], []).append(tool_slug[tool_id])
        return out


TOOL_COLUMNS = [
    "id",
    "status",
    "cms_updated_at",
    "synced_at",
    "slug",
    "name",
    "vendor",
    "tagline",
    "description",
    "category",
    "pricing_entry",
    "license",
    "open_weights",
    "model_sizes",
    "website",
    "logo_url",
]
REVIEWER_COLUMNS = ["id", "status", "cms_updated_at", "synced_at", "slug", "name", "lens", "bio"]
REVIEW_COLUMNS = [
    "id",
    "status",
    "cms_updated_at",
    "synced_at",
    "reviewer_id",
    "tool_id",
    "verdict",
    "quote",
    "published_at",
]
COMPARISON_COLUMNS = [
    "id",
    "status",
    "cms_updated_at",
    "synced_at",
    "slug",
    "title",
    "headline",
    "summary",
    "pricing_read",
    "voting_open",
    "published_at",
]
SIDE_COLUMNS = ["id", "comparison_id", "tool_id", "position", "cms_updated_at", "synced_at"]
TALLY_COLUMNS = ["comparison_slug", "tool_slug", "count"]


WINDOW = 45
"""Side slots within which no tool repeats: a 20-item listing (44 sides) shows 20 comparisons of
distinct tools at every size."""


class _ToolDealer:
    """Deals tools to comparisons from shuffled rounds of every tool, so consecutive comparisons
    (a listing page) never share a tool, however few tools there are. Sampling each comparison's
    tools independently made the 1,000-comparison listing (100 tools) read a fifth fewer
    reviews than the 100,000 one (shared tools), which is not what the flatness target
    compares."""

    def __init__(self, n_tools: int, rng: random.Random) -> None:
        self._tools = list(range(1, n_tools + 1))
        self._rng = rng
        self._queue: list[int] = []
        self._recent: list[int] = []

    def __call__(self, count: int) -> list[int]:
        dealt = []
        for _ in range(count):
            if not self._queue:
                fresh = self._tools[:]
                self._rng.shuffle(fresh)
                recent = set(self._recent[-WINDOW:])
                # The new round starts with tools the last deals did not use.
                self._queue = [t for t in fresh if t not in recent] + [
                    t for t in fresh if t in recent
                ]
            tool = self._queue.pop(0)
            dealt.append(tool)
            self._recent.append(tool)
        del self._recent[:-WINDOW]
        return dealt


def build(comparisons: int, seed: int = 7) -> Dataset:
    """Generate the rows for ``comparisons`` comparisons (deterministic for a seed)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    data = Dataset(comparisons)
    n_tools = max(comparisons // 10, 3)
    names: dict[int, str] = {}
    for i in range(1, n_tools + 1):
        updated = EPOCH + timedelta(minutes=i)
        names[i] = f"Tool {i}"
        sizes = json.dumps(sorted(rng.sample(SIZES, rng.randint(0, 3)), key=SIZES.index))
        data.tools.append(
            (
                i, "published", updated, now, f"tool-{i}", names[i], rng.choice(VENDORS),
                _text(rng, 8), _text(rng, 40), rng.choice(CATEGORIES), rng.choice(PRICES),
                rng.choice(LICENSES), rng.random() < 0.4, sizes,
                f"https://tool-{i}.example.com", f"https://cdn.example.com/logos/tool-{i}.png",
            )
        )  # fmt: skip
    for r in range(1, REVIEWERS + 1):
        data.reviewers.append(
            (
                r, "published", EPOCH, now, f"reviewer-{r}", f"Reviewer {r:02d}",
                LENSES[(r - 1) % len(LENSES)], _text(rng, 20),
            )
        )  # fmt: skip
    for t in range(1, n_tools + 1):
        for r in range(1, REVIEWERS + 1):
            published = EPOCH + timedelta(hours=t, minutes=r)
            data.reviews.append(
                (
                    (t - 1) * REVIEWERS + r, "published", published, now, r, t,
                    "ship" if rng.random() < 0.6 else "skip", _text(rng, 25), published,
                )
            )  # fmt: skip
    side_id = 0
    deal = _ToolDealer(n_tools, rng)
    for c in range(1, comparisons + 1):
        count = 3 if c % 5 == 0 else 2
        tool_ids = deal(count)
        published = EPOCH + timedelta(minutes=c)
        slug = f"cmp-{c}"
        data.comparison_rows.append(
            (
                c, "published", published, now, slug,
                " vs ".join(names[t] for t in tool_ids), "Which one should you ship with?",
                _text(rng, 30), _text(rng, 15), True, published,
            )
        )  # fmt: skip
        for position, tool_id in enumerate(tool_ids, start=1):
            side_id += 1
            data.sides.append((side_id, c, tool_id, position, published, now))
            if c % 2 == 0:
                data.tallies.append((slug, f"tool-{tool_id}", rng.randint(0, 500)))
    return data


_ID_COLUMNS = frozenset({"id", "reviewer_id", "tool_id", "comparison_id"})


def _ids_as_text(columns: list[str], row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row with its content ids as the CMS's ids are kept: text (42 -> "42")."""
    return tuple(
        str(value) if name in _ID_COLUMNS else value
        for name, value in zip(columns, row, strict=True)
    )


def migrate(database_url: str) -> None:
    """Apply the migrations with the real command, ``verdict migrate``."""
    verdict = Path(sys.executable).with_name("verdict")
    subprocess.run(
        [str(verdict), "migrate"],
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )


async def load_postgres(database_url: str, data: Dataset) -> float:
    """COPY the rows into a migrated database; returns the seconds it took."""
    started = time.perf_counter()
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            for table, columns, rows in (
                ("tool", TOOL_COLUMNS, data.tools),
                ("reviewer", REVIEWER_COLUMNS, data.reviewers),
                ("review", REVIEW_COLUMNS, data.reviews),
                ("comparison", COMPARISON_COLUMNS, data.comparison_rows),
                ("comparison_side", SIDE_COLUMNS, data.sides),
                ("vote_tally", TALLY_COLUMNS, data.tallies),
            ):
                records = [_ids_as_text(columns, row) for row in rows]
                await conn.copy_records_to_table(table, records=records, columns=columns)
            await conn.execute(panels.RECOUNT_ALL_SQL)  # what the sync keeps, for COPYed rows
        # VACUUM as well as ANALYZE: otherwise autovacuum starts on the freshly copied tables
        # during the first measurements (the uncached page is measured first) and the visibility
        # map is unset for index-only scans; every figure should meet the same database.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()
    return time.perf_counter() - started
