"""Arguments of the `tools` listing: its filter and its orders."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphql_api.errors import ErrorCode, user_error

MAX_SEARCH_LENGTH = 200


@strawberry.input(description="Narrow the `tools` list. Conditions combine with AND.")
class ToolFilter:
    category: str | None = strawberry.field(
        default=None, description="Only tools in this category, exactly as in `Tool.category`."
    )
    vendor: str | None = strawberry.field(
        default=None, description="Only tools from this vendor, exactly as in `Tool.vendor`."
    )
    open_weights: bool | None = strawberry.field(
        default=None, description="true: only open-weight tools; false: only closed ones."
    )
    search: str | None = strawberry.field(
        default=None,
        description=(
            "Case-insensitive text that must appear in the tool's name or tagline "
            f"(at most {MAX_SEARCH_LENGTH} characters; blank means no search)."
        ),
    )

    def search_text(self) -> str | None:
        text = (self.search or "").strip()
        if len(text) > MAX_SEARCH_LENGTH:
            raise user_error(
                f"`search` is limited to {MAX_SEARCH_LENGTH} characters.", ErrorCode.BAD_USER_INPUT
            )
        return text or None


@strawberry.enum(description="How to order the `tools` list.")
class ToolOrder(Enum):
    NAME = strawberry.enum_value("name", description="By name, A to Z (the default).")
    RECENTLY_UPDATED = strawberry.enum_value(
        "recently_updated", description="Most recently updated by editors first."
    )
