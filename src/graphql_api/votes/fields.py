"""Vote fields on comparison types: the current voter's pick and the per-side counts."""

from __future__ import annotations

from graphql_api.context import Info
from graphql_api.votes.outcomes import SideCount, Tallies


async def shown_tool_slugs(info: Info, comparison_id: str) -> list[str]:
    """Slugs of the comparison's published sides, in display order."""
    sides = await info.context.loaders.sides_by_comparison.load(comparison_id)
    return [s.tool.slug for s in sides]


async def shown_tallies(info: Info, comparison_id: str, comparison_slug: str) -> Tallies:
    """Counts of the shown sides only: votes for hidden sides are kept but not counted here."""
    shown = await shown_tool_slugs(info, comparison_id)
    counts = await info.context.loaders.tallies_by_comparison.load(comparison_slug)
    return Tallies(comparison_slug, tuple(SideCount(t, counts.get(t, 0)) for t in shown))


async def my_vote(info: Info, comparison_id: str, comparison_slug: str) -> str | None:
    """The current voter's pick on the comparison, if it is a shown side."""
    voter_id = info.context.voter_id
    if voter_id is None:
        return None
    pick = await info.context.loaders.my_vote.load((voter_id, comparison_slug))
    if pick is None or pick not in await shown_tool_slugs(info, comparison_id):
        return None
    return pick
