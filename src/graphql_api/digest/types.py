"""GraphQL types of the digest: the typed results of its mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

REQUESTED_MESSAGE = (
    "If this address can receive mail, a message is on its way: follow its link to confirm."
)


@strawberry.type(
    description=(
        "The request was taken. The same answer whether or not the address is already "
        "subscribed: nobody can learn that from the API."
    )
)
class DigestSubscriptionRequested:
    message: str = strawberry.field(description="What happens next, for the reader.")


@strawberry.type(description="The address is not a valid mail address.")
class InvalidEmail:
    message: str


@strawberry.type(description="Too many subscription requests from this address; retry later.")
class DigestRateLimited:
    retry_after_seconds: int = strawberry.field(description="Seconds to wait before retrying.")
    message: str


@strawberry.type(description="Mail cannot be sent right now; nothing was lost, retry later.")
class DigestUnavailable:
    message: str


@strawberry.type(description="The subscription is confirmed: the next digest goes to it.")
class DigestConfirmed:
    message: str


@strawberry.type(description="The address is unsubscribed and its data deleted.")
class DigestUnsubscribed:
    message: str


@strawberry.type(description="The link is malformed, expired, or no longer valid.")
class InvalidDigestLink:
    message: str


SubscribeToDigestResult = Annotated[
    DigestSubscriptionRequested | InvalidEmail | DigestRateLimited | DigestUnavailable,
    strawberry.union("SubscribeToDigestResult"),
]
ConfirmDigestResult = Annotated[
    DigestConfirmed | InvalidDigestLink, strawberry.union("ConfirmDigestResult")
]
UnsubscribeFromDigestResult = Annotated[
    DigestUnsubscribed | InvalidDigestLink, strawberry.union("UnsubscribeFromDigestResult")
]

CONFIRMED = "Subscribed: the weekly digest will come to this address."
UNSUBSCRIBED = "Unsubscribed: no more digests, and the address is deleted."
CONFIRM_PROMPT = "One click to start getting Verdict's weekly digest at this address."
INVALID_LINK = "This link is malformed, expired or no longer valid."
