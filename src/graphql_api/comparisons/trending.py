"""The TRENDING order of the `comparisons` listing (the score is verdict.trending's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.queryset import QuerySet

from graphql_api.rows import COMPARISON_FIELDS
from verdict.models.content import Comparison
from verdict.trending import read_scores


async def trending_rows(
    query: QuerySet[Comparison], offset: int, limit: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One page of ``query``'s comparisons, highest TRENDING score first, then newest first.

    The scores read the vote rows of the trending window once per listing; the response and
    edge caches keep repeated listings from doing it again.
    """
    scores = await read_scores(now or datetime.now(UTC))
    keys = await query.values_list("id", "slug", "published_at")

    def rank(key: tuple[Any, ...]) -> tuple[float, float]:
        _, slug, published = key
        stamp = published.timestamp() if isinstance(published, datetime) else float("-inf")
        return (-scores.get(str(slug), 0.0), -stamp)

    # Equal scores and times fall back on the id, descending (the newest order's ``-id``): ids
    # are opaque text, so this only makes the order stable. Python's sort is stable.
    by_id = sorted(keys, key=lambda key: str(key[0]), reverse=True)
    ids = [str(k[0]) for k in sorted(by_id, key=rank)[offset : offset + limit]]
    rows = await Comparison.filter(id__in=ids).values(*COMPARISON_FIELDS)
    by_id_row = {str(r["id"]): r for r in rows}
    return [by_id_row[i] for i in ids if i in by_id_row]
