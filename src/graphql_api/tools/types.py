"""GraphQL types for tools."""

from __future__ import annotations

import strawberry

from verdict.models.content import Tool


@strawberry.type(name="Tool", description="A product that appears on comparison cards.")
class ToolType:
    slug: str = strawberry.field(description="URL-safe unique identifier, e.g. `code-llama-4`.")
    name: str = strawberry.field(description="Display name, e.g. `Code Llama 4`.")
    vendor: str = strawberry.field(description="Who makes it, e.g. `Meta`.")
    tagline: str = strawberry.field(description="One-line pitch shown under the name on the card.")
    pricing_entry: str = strawberry.field(
        description="Entry price as editors wrote it, e.g. `Free` or `$20/mo`."
    )
    db_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, tool: Tool) -> ToolType:
        return cls(
            db_id=tool.id,
            slug=tool.slug,
            name=tool.name,
            vendor=tool.vendor,
            tagline=tool.tagline,
            pricing_entry=tool.pricing_entry,
        )
