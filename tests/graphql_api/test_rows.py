"""Typed rows read exactly the columns they name, and a tool read again with the same columns
is the same row object (interned), with any changed column a new one."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from graphql_api.rows import TOOL_FIELDS, TOOLS_REMEMBERED_BYTES, ToolRow


def test_a_tool_row_reads_its_fields_in_order_through_any_prefix() -> None:
    # ToolRow.read passes the columns positionally, in TOOL_FIELDS order.
    assert [field.name for field in fields(ToolRow)] == list(TOOL_FIELDS)
    values: dict[str, object] = {f"t__{name}": f"{name}-value" for name in TOOL_FIELDS}
    values |= {"t__id": 7, "t__open_weights": 1, "t__model_sizes": ["7B", 13]}
    values |= {"t__cms_updated_at": datetime(2026, 12, 4, tzinfo=UTC)}
    row = ToolRow.read(values, "t__")
    for name in TOOL_FIELDS:
        if name not in ("open_weights", "model_sizes"):
            assert getattr(row, name) == values[f"t__{name}"], name
    assert row.open_weights is True
    assert row.model_sizes == ("7B", "13")
    assert ToolRow.read({**values, "t__model_sizes": None}, "t__").model_sizes == ()


def _tool(**changed: object) -> dict[str, object]:
    values: dict[str, object] = {name: f"{name}-value" for name in TOOL_FIELDS}
    values |= {"id": "tool-interned", "open_weights": True, "model_sizes": ["7B", "13B"]}
    return values | changed


def test_reading_the_same_columns_again_gives_the_same_row() -> None:
    first = ToolRow.read(_tool())
    assert ToolRow.read(_tool()) is first
    assert ToolRow.read({f"p__{k}": v for k, v in _tool().items()}, "p__") is first
    assert ToolRow.read(_tool(open_weights=1)) is first  # converts to the same row


@pytest.mark.parametrize(
    "changed",
    [
        {"name": "Renamed"},
        {"description": None},
        {"open_weights": False},
        {"model_sizes": ["7B"]},
        {"model_sizes": ["7B", "13B", "70B"]},
        {"logo_url": "https://example.test/new.png"},
    ],
)
def test_any_changed_column_gives_a_new_row_with_it(changed: dict[str, object]) -> None:
    first = ToolRow.read(_tool())
    again = ToolRow.read(_tool(**changed))
    assert again is not first
    assert again == ToolRow.read(_tool(**changed))
    (name, value), *_ = changed.items()
    expected = tuple(value) if isinstance(value, list) else value
    assert getattr(again, name) == expected
    assert ToolRow.read(_tool()) is not first  # the tool's new columns replaced the old ones
    assert ToolRow.read(_tool()) == first


def test_sizes_that_are_not_all_text_are_converted_and_never_remembered() -> None:
    # 1 == 1.0, yet they read as "1" and "1.0": such a row is never taken for another
    one = ToolRow.read(_tool(id="numeric", model_sizes=[1]))
    other = ToolRow.read(_tool(id="numeric", model_sizes=[1.0]))
    assert (one.model_sizes, other.model_sizes) == (("1",), ("1.0",))
    assert ToolRow.read(_tool(id="numeric", model_sizes=[1])) is not one


def test_a_tool_without_sizes_is_remembered_and_a_list_changed_later_is_not_seen() -> None:
    bare = ToolRow.read(_tool(id="bare", model_sizes=None))
    assert bare.model_sizes == ()
    assert ToolRow.read(_tool(id="bare", model_sizes=None)) is bare
    assert ToolRow.read(_tool(id="bare", model_sizes=[])) is not bare  # [] is not NULL
    sizes = ["7B"]
    first = ToolRow.read(_tool(id="listed", model_sizes=sizes))
    sizes.append("13B")  # the row dict's list, changed after the read: the memo kept a copy
    assert ToolRow.read(_tool(id="listed", model_sizes=["7B"])) is first
    assert ToolRow.read(_tool(id="listed", model_sizes=sizes)).model_sizes == ("7B", "13B")


def test_sizes_of_another_shape_are_never_remembered() -> None:
    for sizes in ({"7B": 1, "13B": 2}, "7B", ("7B",)):
        made = ToolRow.read(_tool(id="odd", model_sizes=sizes))
        assert ToolRow.read(_tool(id="odd", model_sizes=sizes)) is not made


def test_a_tool_larger_than_the_memo_s_budget_is_never_remembered() -> None:
    # the memo is bounded by bytes as well as entries: a huge description is not kept
    huge = "x" * TOOLS_REMEMBERED_BYTES
    made = ToolRow.read(_tool(id="huge", description=huge))
    assert ToolRow.read(_tool(id="huge", description=huge)) is not made
    small = ToolRow.read(_tool(id="huge"))
    assert ToolRow.read(_tool(id="huge")) is small
