"""GraphQL types for the sync worker's status, as editors see it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from verdict.models.sync import QuarantinedEntry


@strawberry.type(
    name="SyncIssue",
    description="A CMS entry the sync could not apply, and why. It disappears once fixed.",
)
class SyncIssueType:
    collection: str = strawberry.field(description="CMS collection, e.g. `tools` or `reviews`.")
    cms_id: str = strawberry.field(description="The entry's id in the CMS.")
    reason_code: str = strawberry.field(
        description="Stable code: `missing_field`, `wrong_type`, `unknown_enum`, `invalid_id`, "
        "`conflict`, `missing_reference` (waits for a related entry to sync), or `over_limit` (the "
        "entry would take a list past its bound: a comparison's sides, a tool's reviews or "
        "model sizes)."
    )
    reason: str = strawberry.field(description="What is wrong, in words an editor can act on.")
    first_seen_at: datetime = strawberry.field(description="When the sync first hit the problem.")
    last_seen_at: datetime = strawberry.field(description="When the sync last saw it.")

    @classmethod
    def from_model(cls, entry: QuarantinedEntry) -> SyncIssueType:
        return cls(
            collection=entry.collection,
            cms_id=entry.cms_id,
            reason_code=entry.reason_code,
            reason=entry.reason,
            first_seen_at=entry.first_seen_at,
            last_seen_at=entry.last_seen_at,
        )
