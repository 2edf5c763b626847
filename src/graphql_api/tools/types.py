"""GraphQL types for tools."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api.caching.budget import ByteLRU
from graphql_api.context import Info
from graphql_api.relay.node import Node, encode_id
from graphql_api.reviewers.types import ReviewType
from graphql_api.rows import (
    TOOLS_REMEMBERED,
    TOOLS_REMEMBERED_BYTES,
    PanelCounts,
    ToolRow,
    tool_row_bytes,
)
from verdict import limits
from verdict.figures import ship_percent

if TYPE_CHECKING:
    from graphql_api.comparisons.types import ComparisonType

MAX_TOOL_COMPARISONS = limits.MAX_TOOL_COMPARISONS
"""``Tool.comparisons`` lists at most this many (the cost estimate counts on it)."""
SHIP_PERCENT_DESCRIPTION = (
    "Share of the panel's published reviews of this tool with a ship verdict, as a whole "
    "percentage rounded half up (2 of 3 is 67, 1 of 8 is 13). Null when the panel has not "
    "reviewed this tool."
)


@strawberry.type(name="Tool", description="A product that appears on comparison cards.")
class ToolType(Node):
    slug: str = strawberry.field(description="URL-safe unique identifier, e.g. `code-llama-4`.")
    name: str = strawberry.field(description="Display name, e.g. `Code Llama 4`.")
    vendor: str = strawberry.field(description="Who makes it, e.g. `Meta`.")
    tagline: str = strawberry.field(description="One-line pitch shown under the name on the card.")
    description: str | None = strawberry.field(
        description="Longer description for the tool page (plain text); null when none."
    )
    category: str = strawberry.field(
        description="Category as editors name it, e.g. `Developer Tools`. Filter with it."
    )
    pricing_entry: str = strawberry.field(
        description="Entry price as editors wrote it, e.g. `Free` or `$20/mo`."
    )
    license: str | None = strawberry.field(
        description="License name, e.g. `Apache-2.0` or `Proprietary`; null when unknown."
    )
    open_weights: bool = strawberry.field(
        description="True when the model weights can be downloaded."
    )
    model_sizes: list[str] = strawberry.field(
        description="Published model sizes, smallest first as editors list them, e.g. `7B`. "
        f"Empty when not applicable. At most {limits.MAX_MODEL_SIZES}."
    )
    website: str | None = strawberry.field(description="Vendor's page for the tool; null if none.")
    logo_url: str | None = strawberry.field(description="Absolute URL of the logo; null if none.")
    db_id: strawberry.Private[str]

    @strawberry.field(
        description="The panel's published reviews of this tool, in panel order (at most "
        f"{limits.MAX_TOOL_REVIEWS}: the CMS holds no more per tool)."
    )
    async def reviews(self, info: Info) -> list[ReviewType]:
        reviews = await info.context.loaders.reviews_by_tool.load(self.db_id)
        return [ReviewType.from_row(r) for r in reviews]

    @strawberry.field(description="How many panel reviews of this tool say ship.")
    async def panel_ship_count(self, info: Info) -> int:
        return (await _panel_counts(info, self.db_id))[0]

    @strawberry.field(description="How many panel reviews of this tool say skip.")
    async def panel_skip_count(self, info: Info) -> int:
        return (await _panel_counts(info, self.db_id))[1]

    @strawberry.field(description=SHIP_PERCENT_DESCRIPTION)
    async def panel_ship_percent(self, info: Info) -> int | None:
        ship, skip = await _panel_counts(info, self.db_id)
        return ship_percent(ship, ship + skip)

    @strawberry.field(
        description="Published comparisons this tool appears on, newest first (at most "
        f"{MAX_TOOL_COMPARISONS})."
    )
    async def comparisons(
        self, info: Info
    ) -> list[Annotated[ComparisonType, strawberry.lazy("graphql_api.comparisons.types")]]:
        from graphql_api.comparisons import assemble

        rows = await info.context.loaders.comparisons_by_tool.load(self.db_id)
        # A declared bound, so the operation's estimated cost holds (limits.analysis).
        rows = rows[:MAX_TOOL_COMPARISONS]
        return await assemble.comparisons(info, rows, assemble.LOOKAHEAD.of_field(info))

    @classmethod
    def from_row(cls, tool: ToolRow) -> ToolType:
        """The type of ``tool``: the same object for the same (interned) row while it is
        remembered, as a front page shows the same tools request after request. A type holds
        nothing of a request, and nothing changes one once built."""
        found = _TYPES.get(id(tool))
        if found is not None and found[0] is tool:
            return found[1]
        made = cls(
            id=encode_id("Tool", tool.slug),
            db_id=tool.id,
            slug=tool.slug,
            name=tool.name,
            vendor=tool.vendor,
            tagline=tool.tagline,
            description=tool.description,
            category=tool.category,
            pricing_entry=tool.pricing_entry,
            license=tool.license,
            open_weights=tool.open_weights,
            model_sizes=list(tool.model_sizes),
            website=tool.website,
            logo_url=tool.logo_url,
        )
        # the row is kept with it, so its id is not reused while it is remembered
        _TYPES.put(id(tool), (tool, made), tool_row_bytes(tool))
        return made


_TYPES: ByteLRU[int, tuple[ToolRow, ToolType]] = ByteLRU(TOOLS_REMEMBERED_BYTES, TOOLS_REMEMBERED)
"""Each remembered tool row's type, by the row's identity (rows are interned by value)."""


async def _panel_counts(info: Info, tool_id: str) -> PanelCounts:
    """(ship, skip) counts of the panel's published reviews of one tool."""
    return PanelCounts.of_reviews(await info.context.loaders.reviews_by_tool.load(tool_id))
