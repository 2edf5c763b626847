"""The content's list bounds (``verdict.limits``), enforced where content enters.

An entry that would take a list past its bound (a fifth side of a comparison, a thirteenth
review of a tool) is quarantined with ``over_limit`` and a reason editors can act on;
the entries already stored keep their places, so a page never displaces what the API serves.
The API's cost estimate counts on these bounds: the database never holds more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tortoise.models import Model

from cms_sync.entries import ParsedEntry
from verdict import limits
from verdict.models.content import ComparisonSide, Review, Status


@dataclass(frozen=True, slots=True)
class ListBound:
    model: type[Model]
    parent: str
    """The column naming the list an entry belongs to, e.g. ``comparison_id``."""
    limit: int
    statuses: frozenset[str] | None
    """Only entries of these statuses count (and are limited); None: every entry. The API shows
    published entries, and drafts too under a preview token; an archived one is in no list."""
    reason: str
    """For editors; formatted with ``parent`` (the list owner's id) and ``limit``."""

    def counts(self, entry: ParsedEntry) -> bool:
        return self.statuses is None or entry.columns.get("status") in self.statuses


BOUNDS: dict[str, ListBound] = {
    "comparison_sides": ListBound(
        ComparisonSide,
        "comparison_id",
        limits.MAX_COMPARISON_SIDES,
        statuses=None,
        reason="comparison {parent} already has {limit} sides, the most a comparison may show: "
        "remove one of its sides first",
    ),
    "reviews": ListBound(
        Review,
        "tool_id",
        limits.MAX_TOOL_REVIEWS,
        statuses=frozenset({Status.PUBLISHED.value, Status.DRAFT.value}),
        reason="tool {parent} already has {limit} reviews (published or draft), the most a tool "
        "may have: archive or delete one of them first",
    ),
}


async def over_limit(collection: str, entries: Collection[ParsedEntry]) -> dict[str, str]:
    """Entry id -> reason, for the entries of a page that would take a list past its bound.

    Call inside the page's transaction, after the entries that cannot apply were set aside.
    """
    bound = BOUNDS.get(collection)
    if bound is None or not entries:
        return {}
    by_parent: dict[Any, list[ParsedEntry]] = defaultdict(list)
    for entry in entries:
        if bound.counts(entry):
            by_parent[entry.columns[bound.parent]].append(entry)
    if not by_parent:
        return {}
    # The page's own entries are counted from the page (one may move to another list or to draft).
    others = bound.model.filter(**{f"{bound.parent}__in": list(by_parent)}).exclude(
        id__in=[e.id for e in entries]
    )
    if bound.statuses is not None:
        others = others.filter(status__in=[Status(s) for s in sorted(bound.statuses)])
    stored = Counter(p for p in await others.values_list(bound.parent, flat=True))
    placed = await bound.model.filter(id__in=[e.id for e in entries]).values_list(
        "id", bound.parent
    )
    already_in = {(str(entry_id), str(parent)) for entry_id, parent in placed}
    over: dict[str, str] = {}
    for parent, group in by_parent.items():
        free = max(0, bound.limit - stored[parent])
        # Entries already in this list keep their places; new ones fill what is left, by id
        # (shorter first, so that Directus's decimal ids keep their numeric order).
        group.sort(key=lambda e: ((e.id, parent) not in already_in, len(e.id), e.id))
        for entry in group[free:]:
            over[entry.id] = bound.reason.format(parent=parent, limit=bound.limit)
    return over
