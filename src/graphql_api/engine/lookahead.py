"""Looking ahead at what an operation selects below a resolver's field.

A resolver that returns comparisons decides which loaders to await from the fields selected
below it (``graphql_api.comparisons.figures.Needs``). That needs graphql-core's field nodes and
fragments, which Strawberry keeps behind its ``Info``; this module is the one place that reads
them (through ``_compat``), and it keeps each answer per selection so a repeated operation
derives it once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from graphql_api.engine._compat import raw_info

Fields = dict[str, list[SelectionSetNode | None]]
"""Selected field names, each with the selection sets it is selected with."""
Fragments = dict[str, FragmentDefinitionNode]
T = TypeVar("T")


def children(selection_sets: Iterable[SelectionSetNode | None], fragments: Fragments) -> Fields:
    """The fields selected directly under these selection sets (through fragments), each with
    the selection sets it is selected with."""
    found: Fields = {}
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


class Lookahead(Generic[T]):
    """What ``derive`` makes of the fields selected below a resolver's field, kept by the
    identity of the field's nodes.

    The parser cache hands out one document per query text, so the same operation brings the
    same nodes (and its fragments come from the same document). An entry holds its nodes, so an
    id is never reused while the entry is kept.
    """

    def __init__(self, derive: Callable[[Fields, Fragments], T], maxsize: int = 1024) -> None:
        self._derive = derive
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple[int, ...], tuple[list[FieldNode], T]] = OrderedDict()

    def of_field(self, info: strawberry.Info[Any, Any]) -> T:
        """For a resolver returning the objects themselves (or a list of them)."""
        raw = raw_info(info)
        return self._get(
            raw.field_nodes,
            lambda: self._derive(
                children((n.selection_set for n in raw.field_nodes), raw.fragments), raw.fragments
            ),
        )

    def of_connection(self, info: strawberry.Info[Any, Any]) -> T:
        """For a resolver returning a Relay connection of them (``edges.node`` and ``nodes``)."""
        raw = raw_info(info)

        def compute() -> T:
            fragments = raw.fragments
            top = children((n.selection_set for n in raw.field_nodes), fragments)
            edges = children(top.get("edges", ()), fragments)
            return self._derive(
                children([*edges.get("node", ()), *top.get("nodes", ())], fragments), fragments
            )

        return self._get(raw.field_nodes, compute)

    def _get(self, nodes: list[FieldNode], compute: Callable[[], T]) -> T:
        key = tuple(map(id, nodes))
        entry = self._entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry[0], nodes, strict=True)):
            return entry[1]
        value = compute()
        self._entries[key] = (list(nodes), value)
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        return value
