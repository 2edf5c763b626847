"""Typed rows read exactly the columns they name."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from graphql_api.rows import TOOL_FIELDS, ToolRow


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
