"""Static analysis of one operation: depth, aliases, estimated cost and the fields it reads.

Runs before graphql-core's validation, so it must survive any parsed document: fragments are
analysed once each (memoised) and a fragment cycle counts as empty, which keeps the walk linear
in the document's size even for fragment bombs whose expansion is exponential.

Cost: every field costs 1 plus its children's cost, times a multiplier for list fields: the page
size ``first`` (argument or variable; 20 when absent) on paginated fields, the declared bound
(``verdict.limits``) on the lists that take no ``first`` (a comparison's sides, a tool's
reviews...). A fragment spread costs what the fragment costs, each time it is spread, exactly as
the executor would expand it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from graphql_api.caching.budget import ByteLRU
from verdict import limits

DEFAULT_PAGE_SIZE = 20
PAGED_DEFAULTS = {"syncIssues": 100}
"""Paginated fields whose ``first`` defaults to something other than 20."""
PAGE_MAXIMUMS = {"syncIssues": 500}
"""Paginated fields whose ``first`` may go past the server's page size (their own maximum)."""
PAGED_FIELDS = frozenset({"tools", "comparisons", "reviewers", "contentChanges", "tallyChanges"})
"""Fields whose ``first`` defaults to the page size when absent (the feeds page their
``changes``/``tallies`` by the root field's ``first``)."""
LIST_ESTIMATES = {
    # Comparison.sides, ReviewerSplitRow.sides, ComparisonTally.sides: a comparison's sides.
    "sides": limits.MAX_COMPARISON_SIDES,
    # Tool.reviews and ComparisonSide.reviews (a tool's, at most MAX_TOOL_REVIEWS) and
    # Reviewer.reviews (capped by its resolver): one name, so the larger bound.
    "reviews": max(limits.MAX_TOOL_REVIEWS, limits.MAX_REVIEWER_REVIEWS),
    "reviewerSplit": limits.MAX_REVIEWER_SPLIT,
    "comparisons": limits.MAX_TOOL_COMPARISONS,  # Tool.comparisons, capped by its resolver
    "modelSizes": limits.MAX_MODEL_SIZES,  # strings: no children, so it adds nothing
}
"""Length of the list fields that take no ``first``: each a declared bound, enforced by the sync
(content bounds) or by the field's resolver (API caps); see ``verdict.limits``."""


@dataclass(slots=True)
class Figures:
    """What one selection set adds up to."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    fields: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Analysis:
    depth: int
    aliases: int
    cost: int
    fields: frozenset[str]
    """Every field name the operation selects (through fragments), e.g. ``myVote``."""


class _Walker:
    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        max_page_size: int,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        self._fragments = fragments
        self._variables = variables
        self._defaults = defaults or {}
        """Variables' default values (``query($n: Int = 100)``), used when a request omits one."""
        self._max_page_size = max_page_size
        self._memo: dict[str, Figures] = {}
        self.consulted: set[str] = set()
        """The variables whose values the figures depend on (``first: $n``)."""

    def selection_set(self, selection_set: SelectionSetNode | None) -> Figures:
        total = Figures()
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = self._field(selection)
            elif isinstance(selection, InlineFragmentNode):
                part = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                part = self._fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            total.depth = max(total.depth, part.depth)
            total.aliases += part.aliases
            total.cost += part.cost
            total.fields |= part.fields
        return total

    def _field(self, node: FieldNode) -> Figures:
        name = node.name.value
        children = self.selection_set(node.selection_set)
        multiplier = self._multiplier(node)
        return Figures(
            depth=children.depth + 1,
            aliases=children.aliases + (1 if node.alias is not None else 0),
            cost=1 + children.cost * multiplier,
            fields={name} | children.fields,
        )

    def _fragment(self, name: str) -> Figures:
        figures = self._memo.get(name)
        if figures is not None:
            return figures
        self._memo[name] = Figures()  # a cycle (rejected by validation later) counts as empty
        definition = self._fragments.get(name)
        figures = self.selection_set(definition.selection_set if definition else None)
        self._memo[name] = figures
        return figures

    def _multiplier(self, node: FieldNode) -> int:
        name = node.name.value
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value: Any = None
            if isinstance(argument.value, IntValueNode):
                value = argument.value.value
            elif isinstance(argument.value, VariableNode):
                variable = argument.value.name.value
                self.consulted.add(variable)
                if variable in self._variables:
                    value = self._variables[variable]
                else:  # omitted: the operation's default for it applies, as in execution
                    value = self._defaults.get(variable)
            try:
                size = int(value)
            except (TypeError, ValueError, OverflowError):
                size = PAGED_DEFAULTS.get(name, DEFAULT_PAGE_SIZE)
            # Larger pages are refused by the resolvers; estimate what may actually run.
            return max(1, min(size, PAGE_MAXIMUMS.get(name, self._max_page_size)))
        if name in PAGED_DEFAULTS or name in PAGED_FIELDS:
            # Without types, a name is every field that bears it: Query.comparisons pages by 20,
            # Tool.comparisons lists up to 50; the larger bound holds for both.
            return max(PAGED_DEFAULTS.get(name, DEFAULT_PAGE_SIZE), LIST_ESTIMATES.get(name, 0))
        return LIST_ESTIMATES.get(name, 1)


def _analyse(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    max_page_size: int,
) -> tuple[Analysis, frozenset[str]]:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    total = Figures()
    consulted: set[str] = set()
    for operation in operations[:1] if len(operations) == 1 else operations:
        defaults = {
            d.variable.name.value: d.default_value.value
            for d in operation.variable_definitions or ()
            if isinstance(d.default_value, IntValueNode)
        }
        walker = _Walker(fragments, variables or {}, max_page_size, defaults)
        part = walker.selection_set(operation.selection_set)
        consulted |= walker.consulted
        total.depth = max(total.depth, part.depth)
        total.aliases += part.aliases
        total.cost = max(total.cost, part.cost)
        total.fields |= part.fields
    analysis = Analysis(total.depth, total.aliases, total.cost, frozenset(total.fields))
    return analysis, frozenset(consulted)


def analyse(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    max_page_size: int,
) -> Analysis:
    """Figures of the operation that will run (the named one, or the only one)."""
    return _analyse(document, operation_name, variables, max_page_size)[0]


class AnalysisCache:
    """Analyses by document text, so a repeated operation is walked once per distinct text
    (and distinct values of the variables its cost reads), not once per request."""

    def __init__(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        # Keyed by the text: bounded by bytes, or a stream of large queries is kept whole.
        self._entries: ByteLRU[
            tuple[str, str | None, int], tuple[frozenset[str], dict[tuple[Any, ...], Analysis]]
        ] = ByteLRU(max_bytes)

    @property
    def held_bytes(self) -> int:
        """What the kept entries weigh, as counted against the budget."""
        return self._entries.bytes

    def analyse(
        self,
        query: str | None,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        *,
        max_page_size: int,
    ) -> Analysis:
        """``analyse`` of ``document``, which must be the parsed ``query`` (None: not cached)."""
        if query is None:
            return analyse(document, operation_name, variables, max_page_size=max_page_size)
        key = (query, operation_name, max_page_size)
        values = variables or {}
        entry = self._entries.get(key)
        if entry is not None:
            consulted, by_values = entry
            inputs = tuple(_hashable(values.get(name)) for name in sorted(consulted))
            found = by_values.get(inputs)
            if found is not None:
                return found
        analysis, consulted = _analyse(document, operation_name, values, max_page_size)
        inputs = tuple(_hashable(values.get(name)) for name in sorted(consulted))
        if entry is None:
            entry = (consulted, {})
            # The text, and up to 64 small analyses (a few hundred bytes each).
            self._entries.put(key, entry, len(query) + len(operation_name or "") + 64 * 300)
        if len(entry[1]) < 64:  # a few page sizes per document; others are walked again
            entry[1][inputs] = analysis
        return analysis


def _hashable(value: Any) -> Any:
    return value if isinstance(value, (int, str, float, bool, type(None))) else repr(value)


ANALYSES = AnalysisCache()
"""The process's analysis cache (shared by the operation limits and the caching policy)."""
