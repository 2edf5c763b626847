"""What a comparison's figures are computed from: the loaders' rows, read once per resolver.

The comparison page reads ~25 figures per side (panel counts, votes, reviews) and two
comparison-level ones (panel verdict, reviewer split) that all derive from the same three
loaders. Rather than an async resolver per figure, each re-awaiting the loaders, every resolver
that returns comparisons asks ``graphql_api.comparisons.assemble`` for them: it derives from the
selection which loaders are needed (``Needs``), ``load`` awaits those once for all the
comparisons (batched), and the assembler computes the selected figures into the types' plain
fields. Loaders that were not needed are not called, so the response-cache dependencies and the
``live`` flag only cover what was read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from graphql_api.loaders import Loaders
from graphql_api.rows import PanelCounts, ReviewRow, SideRow


@dataclass(frozen=True, slots=True)
class Needs:
    """Which loaders the selected figures of a comparison need."""

    sides: bool
    reviews: bool
    """The review rows (a side's reviews, the reviewer split); they give the counts too."""
    counts: bool
    """Only the panel's counts (ship and skip per side, the panel verdict): counted by the
    database when the rows are not needed anyway."""
    tallies: bool
    fields: frozenset[str] = frozenset()
    """The comparison-level figure fields selected (``assemble.COMPARISON_FIGURES``)."""


@dataclass(slots=True)
class Loaded:
    """What the loaders answered for one comparison (None: not needed, not loaded)."""

    sides: list[SideRow]
    reviews: list[list[ReviewRow]] | None
    """Per side, in side order."""
    counts: list[PanelCounts] | None
    """Per side, in side order: from the reviews when they were read."""
    tallies: dict[str, int] | None


_K = TypeVar("_K")
_V = TypeVar("_V")


async def load_all(loader: DataLoader[_K, _V], keys: Sequence[_K]) -> list[_V]:
    """``loader.load_many(keys)`` without ``asyncio.gather`` (see ``_values``)."""
    return await _values([loader.load(key) for key in keys])


async def _values(futures: list[Awaitable[_V]]) -> list[_V]:
    """The futures' values, awaited in turn. A batch resolves its keys together, so only the
    first await of a batch waits, and a value already there (primed, or loaded earlier in the
    request) costs no round of the event loop."""
    return [await future for future in futures]


@dataclass(frozen=True, slots=True)
class Read:
    """What a resolver read with its comparisons (a listing's one statement), so ``load`` does
    not load it again."""

    sides: Sequence[list[SideRow]]
    """Each comparison's visible sides, in display order."""
    counts: Mapping[str, PanelCounts] | None = None
    """The panel's counts of every side's tool (None: not read)."""
    tallies: Sequence[dict[str, int]] | None = None
    """Each comparison's community votes per tool slug (None: not read)."""


async def load(
    loaders: Loaders,
    comparisons: Sequence[tuple[str, str]],
    needs: Needs,
    read: Read | None = None,
) -> list[Loaded]:
    """One batch per loader for all ``(id, slug)`` comparisons; the reviews (or their counts)
    and the tallies are asked for together, so their two queries run side by side. What
    ``read`` holds is taken from it."""
    if read is not None and _all_read(needs, read):  # a listing: nothing to load
        held = read.counts if needs.counts else None
        return _loaded(list(read.sides), None, held, read.tallies if needs.tallies else None)
    if read is None:
        sides = await load_all(loaders.sides_by_comparison, [i for i, _ in comparisons])
    else:
        sides = list(read.sides)
    read_counts = read.counts if read is not None else None
    read_tallies = read.tallies if read is not None else None
    tool_ids = list(dict.fromkeys(s.tool.id for group in sides for s in group))
    pending_reviews = [loaders.reviews_by_tool.load(t) for t in tool_ids] if needs.reviews else None
    pending_counts = (
        [loaders.panel_counts_by_tool.load(t) for t in tool_ids]
        if needs.counts and read_counts is None
        else None
    )
    pending_tallies = (
        [loaders.tallies_by_comparison.load(s) for _, s in comparisons]
        if needs.tallies and read_tallies is None
        else None
    )
    reviews: dict[str, list[ReviewRow]] | None = None
    counts: Mapping[str, PanelCounts] | None = None
    if pending_reviews is not None:
        reviews = dict(zip(tool_ids, await _values(pending_reviews), strict=True))
        counts = {tool: PanelCounts.of_reviews(rows) for tool, rows in reviews.items()}
    elif pending_counts is not None:
        counts = dict(zip(tool_ids, await _values(pending_counts), strict=True))
    elif needs.counts:
        counts = read_counts
    tallies: Sequence[dict[str, int]] | None = None
    if pending_tallies is not None:
        tallies = await _values(pending_tallies)
    elif needs.tallies:
        tallies = read_tallies
    return _loaded(sides, reviews, counts, tallies)


def _loaded(
    sides: list[list[SideRow]],
    reviews: Mapping[str, list[ReviewRow]] | None,
    counts: Mapping[str, PanelCounts] | None,
    tallies: Sequence[dict[str, int]] | None,
) -> list[Loaded]:
    """Each comparison's rows, from what was loaded per tool (and per comparison, in order)."""
    return [
        Loaded(
            sides=group,
            reviews=[reviews[s.tool.id] for s in group] if reviews is not None else None,
            counts=[counts[s.tool.id] for s in group] if counts is not None else None,
            tallies=tallies[index] if tallies is not None else None,
        )
        for index, group in enumerate(sides)
    ]


def read_alone(needs: Needs, read: Read) -> bool:
    """Whether the comparisons' figures come from ``read`` alone, so what is built from it
    depends on nothing else: ``load`` then asks no loader (or is not called at all)."""
    return not needs.sides or _all_read(needs, read)


def _all_read(needs: Needs, read: Read) -> bool:
    """Whether ``read`` holds everything ``needs`` asks for."""
    return (
        not needs.reviews
        and (not needs.counts or read.counts is not None)
        and (not needs.tallies or read.tallies is not None)
    )
