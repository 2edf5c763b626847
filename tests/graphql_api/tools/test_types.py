"""A tool's GraphQL type is built once per (interned) tool row and shared, holding nothing of a
request; a row with changed columns gets a type of its own."""

from __future__ import annotations

from graphql_api.rows import TOOL_FIELDS, ToolRow
from graphql_api.tools.types import ToolType


def _row(**changed: object) -> ToolRow:
    values: dict[str, object] = {name: f"{name}-value" for name in TOOL_FIELDS}
    values |= {"id": "typed-tool", "open_weights": False, "model_sizes": ["8B"]}
    return ToolRow.read(values | changed)


def test_the_same_row_gives_the_same_type() -> None:
    row = _row()
    made = ToolType.from_row(row)
    assert ToolType.from_row(_row()) is made
    assert (made.slug, made.db_id, made.model_sizes) == (row.slug, "typed-tool", ["8B"])


def test_a_changed_row_gives_a_type_with_its_values() -> None:
    made = ToolType.from_row(_row())
    renamed = ToolType.from_row(_row(name="Renamed"))
    assert renamed is not made
    assert (renamed.name, made.name) == ("Renamed", "name-value")


def test_an_equal_row_made_elsewhere_gets_an_equal_type() -> None:
    row = _row()
    copy = ToolRow(*(getattr(row, name) for name in TOOL_FIELDS))
    assert copy is not row
    assert ToolType.from_row(copy) == ToolType.from_row(row)
    assert ToolType.from_row(copy) is not ToolType.from_row(row)
