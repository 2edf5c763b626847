"""The sync mirrors the CMS's cascade: deleting a parent deletes the children it implies."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from cms_sync.cascade import child_relations, delete_aggregates
from verdict.models.content import Comparison, ComparisonSide, Review, Reviewer, Tool
from verdict.models.sync import QuarantinedEntry
from verdict.models.votes import Vote
from verdict.settings import Settings

SOURCE = "export"


def test_child_relations_come_from_the_content_model() -> None:
    assert child_relations() == {
        "tools": (("reviews", "tool"), ("comparison_sides", "tool")),
        "reviewers": (("reviews", "reviewer"),),
        "comparisons": (("comparison_sides", "comparison"),),
    }


async def test_deleting_a_tool_deletes_its_reviews_and_sides_counted_apart(
    demo_db: Settings,
) -> None:
    tool = await Tool.filter(sides__id__isnull=False, reviews__id__isnull=False).first()
    assert tool is not None
    reviews = await Review.filter(tool_id=tool.id).count()
    sides = await ComparisonSide.filter(tool_id=tool.id).count()
    others = await Review.exclude(tool_id=tool.id).count()
    async with in_transaction():
        counts = await delete_aggregates(SOURCE, "tools", {tool.id})
    assert counts == {"tools": 1, "reviews": reviews, "comparison_sides": sides}
    assert not await Review.filter(tool_id=tool.id).exists()
    assert not await ComparisonSide.filter(tool_id=tool.id).exists()
    assert await Review.all().count() == others


async def test_deleting_a_comparison_keeps_its_tools_and_votes(demo_db: Settings) -> None:
    comparison = await Comparison.first()
    assert comparison is not None
    tool_ids: list[Any] = await ComparisonSide.filter(comparison_id=comparison.id).values_list(
        "tool_id", flat=True
    )
    await Vote.create(voter_id="v1", comparison_slug=comparison.slug, tool_slug="whatever")
    async with in_transaction():
        counts = await delete_aggregates(SOURCE, "comparisons", {comparison.id})
    assert counts == {"comparisons": 1, "comparison_sides": len(tool_ids)}
    assert await Tool.filter(id__in=tool_ids).count() == len(set(tool_ids))
    assert await Vote.filter(comparison_slug=comparison.slug).count() == 1


async def test_a_quarantined_child_of_a_deleted_parent_is_forgotten(demo_db: Settings) -> None:
    reviewer = await Reviewer.first()
    other = await Reviewer.exclude(id=reviewer.id if reviewer else 0).first()
    assert reviewer is not None
    assert other is not None
    for cms_id, ref in (("9001", reviewer.id), ("9002", {"id": reviewer.id}), ("9003", other.id)):
        await QuarantinedEntry.create(
            source=SOURCE,
            collection="reviews",
            cms_id=cms_id,
            reason_code="missing_field",
            reason="quote is required",
            payload={"id": int(cms_id), "reviewer": ref, "quote": None},
        )
    async with in_transaction():
        await delete_aggregates(SOURCE, "reviewers", {reviewer.id})
    left: list[Any] = await QuarantinedEntry.filter(source=SOURCE).values_list("cms_id", flat=True)
    assert left == ["9003"]
