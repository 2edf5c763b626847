"""The digest mutations."""

from __future__ import annotations

import strawberry

from graphql_api.context import Info
from graphql_api.digest import service
from graphql_api.digest.types import (
    ConfirmDigestResult,
    SubscribeToDigestResult,
    UnsubscribeFromDigestResult,
)


@strawberry.type
class DigestMutations:
    @strawberry.mutation(
        description=(
            "Ask for the weekly digest at an address (double opt-in: a mail with a confirmation "
            "link). The answer never says whether the address is already subscribed."
        )
    )
    async def subscribe_to_digest(self, info: Info, email: str) -> SubscribeToDigestResult:
        context = info.context
        store = context.voting.service.limiter.store
        origin = str(context.request.base_url).rstrip("/")
        return await service.subscribe(context.settings, store, context.client_ip, origin, email)

    @strawberry.mutation(description="Confirm a subscription with the token of its mailed link.")
    async def confirm_digest_subscription(self, info: Info, token: str) -> ConfirmDigestResult:
        return await service.confirm(info.context.settings, token)

    @strawberry.mutation(
        description="Unsubscribe with the token of a digest's unsubscribe link (no login)."
    )
    async def unsubscribe_from_digest(self, info: Info, token: str) -> UnsubscribeFromDigestResult:
        return await service.unsubscribe(info.context.settings, token)
