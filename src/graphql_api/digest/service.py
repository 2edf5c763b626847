"""The digest's actions as the API takes them: rate limit, validate, record, mail.

Shared by the GraphQL mutations and the link routes (``graphql_api.digest.routes``).
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from redis.exceptions import RedisError

from graphql_api.digest import types
from graphql_api.votes.ratelimit import CounterStore
from verdict.digest.subscriptions import Subscriptions, normalize_email
from verdict.digest.tokens import BadLinkError, LinkKind
from verdict.mail import MailError, MailSender
from verdict.settings import Settings

logger = logging.getLogger(__name__)

SubscribeOutcome = (
    types.DigestSubscriptionRequested
    | types.InvalidEmail
    | types.DigestRateLimited
    | types.DigestUnavailable
)


async def _retry_after(store: CounterStore, settings: Settings, client_ip: str) -> int | None:
    mail = settings.mail
    if mail.subscribe_limit_per_ip <= 0:
        return None
    try:
        count, remaining_ms = await store.hit(
            f"digest-ip:{client_ip}", mail.subscribe_limit_window_seconds * 1000
        )
    except RedisError:
        logger.warning("digest rate limit skipped: Redis unavailable", exc_info=True)
        return None
    return max(1, math.ceil(remaining_ms / 1000)) if count > mail.subscribe_limit_per_ip else None


async def subscribe(
    settings: Settings, store: CounterStore, client_ip: str, site_url: str, raw_email: str
) -> SubscribeOutcome:
    """``site_url``: the request's origin, for the links when VERDICT_PUBLIC_URL is unset."""
    # The limit is counted before the address is even read: its answer cannot depend on it.
    retry_after = await _retry_after(store, settings, client_ip)
    if retry_after is not None:
        return types.DigestRateLimited(
            retry_after_seconds=retry_after,
            message=f"Too many subscription requests; retry in {retry_after} s.",
        )
    email = normalize_email(raw_email)
    if email is None:
        return types.InvalidEmail(message="Enter a mail address such as name@example.com.")
    subscriptions = Subscriptions.from_settings(settings, site_url)
    message = await subscriptions.request(email, datetime.now(UTC))
    if message is not None:
        try:
            await MailSender(settings.mail).send(message)
        except MailError:
            logger.exception("digest: confirmation mail not sent")
            return types.DigestUnavailable(message="Mail cannot be sent right now; retry later.")
    return types.DigestSubscriptionRequested(message=types.REQUESTED_MESSAGE)


def signed_confirmation(settings: Settings, token: str) -> bool:
    """True when ``token`` is a confirmation link Verdict signed and that has not expired (its
    subscription is looked up only when it is confirmed)."""
    signer = Subscriptions.from_settings(settings).signer
    try:
        signer.verify(token, LinkKind.CONFIRM, datetime.now(UTC).timestamp())
    except BadLinkError:
        return False
    return True


async def confirm(
    settings: Settings, token: str
) -> types.DigestConfirmed | types.InvalidDigestLink:
    if await Subscriptions.from_settings(settings).confirm(token, datetime.now(UTC)):
        return types.DigestConfirmed(message=types.CONFIRMED)
    return types.InvalidDigestLink(message=types.INVALID_LINK)


async def unsubscribe(
    settings: Settings, token: str
) -> types.DigestUnsubscribed | types.InvalidDigestLink:
    if await Subscriptions.from_settings(settings).unsubscribe(token, datetime.now(UTC)):
        return types.DigestUnsubscribed(message=types.UNSUBSCRIBED)
    return types.InvalidDigestLink(message=types.INVALID_LINK)
