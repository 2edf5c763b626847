"""A comparison's per-side figures, loaded once where the comparison is resolved.

The comparison page reads ~25 figures per side (panel counts, votes, reviews) and two
comparison-level ones (panel verdict, reviewer split) that all derive from the same three
loaders. Rather than an async resolver per figure, each re-awaiting the loaders, every resolver
that returns comparisons (``comparison``, ``comparisons``, ``Tool.comparisons``, ``node``) looks
at what the operation selects (``Needs``), awaits the loaders it needs once for all its
comparisons (batched), and fills the selected figures into the types' plain fields
(``graphql_api.comparisons.types.prepared``). Loaders that were not needed are not called, so
the response-cache dependencies and the ``live`` flag only cover what was read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.dataloader import DataLoader

from graphql_api.caching.budget import ByteLRU
from graphql_api.context import Info
from graphql_api.engine.documents import document_size
from graphql_api.loaders import Loaders
from graphql_api.rows import PanelCounts, ReviewRow, SideRow

SIDE_COUNT_FIELDS = frozenset({"panelShipCount", "panelSkipCount", "panelShipPercent"})
SIDE_VOTE_FIELDS = frozenset({"voteCount", "voteShare"})
NEEDS_SIDES = frozenset({"sides", "panelVerdict", "reviewerSplit", "voteCount"})


def children(
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: dict[str, FragmentDefinitionNode],
) -> dict[str, list[SelectionSetNode | None]]:
    """The fields selected directly under these selection sets (through fragments), each with
    the selection sets it is selected with."""
    found: dict[str, list[SelectionSetNode | None]] = {}
    stack = list(selection_sets)
    seen: set[str] = set()
    while stack:
        selection_set = stack.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.setdefault(selection.name.value, []).append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    stack.append(fragment.selection_set)
    return found


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
    """The comparison-level fields selected among those built from the loaders."""

    @classmethod
    def of(
        cls,
        comparison: dict[str, list[SelectionSetNode | None]],
        fragments: dict[str, FragmentDefinitionNode],
    ) -> Needs:
        """From the fields selected on a Comparison."""
        side_fields = set(children(comparison.get("sides", ()), fragments))
        verdict = children(comparison.get("panelVerdict", ()), fragments)
        side_fields |= set(children(verdict.get("favouredSide", ()), fragments))
        reviews = "reviews" in side_fields or "reviewerSplit" in comparison
        return cls(
            sides=bool(NEEDS_SIDES.intersection(comparison)),
            reviews=reviews,
            counts=not reviews
            and (bool(side_fields & SIDE_COUNT_FIELDS) or "panelVerdict" in comparison),
            tallies=bool(side_fields & SIDE_VOTE_FIELDS) or "voteCount" in comparison,
            fields=NEEDS_SIDES.intersection(comparison),
        )

    @classmethod
    def of_field(cls, info: Info) -> Needs:
        """For a resolver returning comparisons directly (``comparison``, ``Tool.comparisons``)."""
        raw = info._raw_info

        def compute() -> Needs:
            selected = children((n.selection_set for n in raw.field_nodes), raw.fragments)
            return cls.of(selected, raw.fragments)

        return _BY_FIELD.get(raw.field_nodes, compute)

    @classmethod
    def of_connection(cls, info: Info) -> Needs:
        """For a resolver returning a connection of comparisons (``edges.node`` and ``nodes``)."""
        raw = info._raw_info

        def compute() -> Needs:
            fragments = raw.fragments
            top = children((n.selection_set for n in raw.field_nodes), fragments)
            edges = children(top.get("edges", ()), fragments)
            selected = children([*edges.get("node", ()), *top.get("nodes", ())], fragments)
            return cls.of(selected, fragments)

        return _BY_CONNECTION.get(raw.field_nodes, compute)


class _NeedsByNodes:
    """``Needs`` of recently run selections, by the identity of their field nodes.

    The parser cache hands out one document per query text, so the same operation brings the
    same nodes (and its fragments come from the same document). An entry holds its nodes, so an
    id is never reused while the entry is cached.
    """

    def __init__(self, maxsize: int = 1024, max_bytes: int = 32 * 1024 * 1024) -> None:
        # An entry keeps its nodes' document text alive: bounded by bytes as well.
        self._entries: ByteLRU[tuple[int, ...], tuple[list[FieldNode], Needs]] = ByteLRU(
            max_bytes, maxsize
        )

    def get(self, nodes: list[FieldNode], compute: Callable[[], Needs]) -> Needs:
        key = tuple(map(id, nodes))
        entry = self._entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], nodes, strict=True)):
            return entry[1]
        needs = compute()
        self._entries.put(key, (list(nodes), needs), document_size(nodes[0]) if nodes else 0)
        return needs


_BY_FIELD = _NeedsByNodes()
_BY_CONNECTION = _NeedsByNodes()


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


async def load(
    loaders: Loaders, comparisons: Sequence[tuple[int, str]], needs: Needs
) -> list[Loaded]:
    """One batch per loader for all ``(id, slug)`` comparisons; the reviews (or their counts)
    and the tallies are asked for together, so their two queries run side by side."""
    sides = await load_all(loaders.sides_by_comparison, [i for i, _ in comparisons])
    tool_ids = list(dict.fromkeys(s.tool.id for group in sides for s in group))
    pending_reviews = [loaders.reviews_by_tool.load(t) for t in tool_ids] if needs.reviews else None
    pending_counts = (
        [loaders.panel_counts_by_tool.load(t) for t in tool_ids] if needs.counts else None
    )
    pending_tallies = (
        [loaders.tallies_by_comparison.load(s) for _, s in comparisons] if needs.tallies else None
    )
    reviews: dict[int, list[ReviewRow]] | None = None
    counts: dict[int, PanelCounts] | None = None
    if pending_reviews is not None:
        reviews = dict(zip(tool_ids, await _values(pending_reviews), strict=True))
        counts = {tool: PanelCounts.of_reviews(rows) for tool, rows in reviews.items()}
    elif pending_counts is not None:
        counts = dict(zip(tool_ids, await _values(pending_counts), strict=True))
    tallies = await _values(pending_tallies) if pending_tallies is not None else None
    return [
        Loaded(
            sides=group,
            reviews=[reviews[s.tool.id] for s in group] if reviews is not None else None,
            counts=[counts[s.tool.id] for s in group] if counts is not None else None,
            tallies=tallies[index] if tallies is not None else None,
        )
        for index, group in enumerate(sides)
    ]
