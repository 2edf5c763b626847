"""Digest subscriptions: double opt-in, one row per address, links instead of logins.

``request`` never tells whether an address is subscribed: a new or unconfirmed address gets a
confirmation mail, a confirmed one a notice that nothing changed, and either way at most one
mail per address per ``confirmation_interval_seconds`` (silently). The caller (the API) gives
the same answer in every case.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from tortoise.exceptions import IntegrityError

from verdict.digest import messages
from verdict.digest.tokens import BadLinkError, Link, LinkKind, LinkSigner
from verdict.models.digest import DigestSubscriber
from verdict.settings import Settings

CONFIRM_PATH = "/digest/confirm"
UNSUBSCRIBE_PATH = "/digest/unsubscribe"
MAX_EMAIL_LENGTH = 254
# The WHATWG HTML "valid e-mail address", with at least one dot in the domain.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def normalize_email(raw: str) -> str | None:
    """The address as stored (trimmed, lower case), or None when it is not a valid address."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        return None
    return email


@dataclass(frozen=True, slots=True)
class Subscriptions:
    settings: Settings
    signer: LinkSigner
    site_url: str
    """The origin of the mailed links."""

    @classmethod
    def from_settings(cls, settings: Settings, site_url: str | None = None) -> Subscriptions:
        """``site_url``: the links' origin when ``VERDICT_PUBLIC_URL`` is unset (the API passes
        the request's own); ``Settings.site_url`` otherwise."""
        origin = settings.public_url or site_url or settings.site_url
        return cls(settings, LinkSigner.from_secret(settings.secret_key), origin.rstrip("/"))

    def _url(self, path: str, link: Link) -> str:
        return f"{self.site_url}{path}?token={self.signer.sign(link)}"

    def unsubscribe_url(self, row: DigestSubscriber) -> str:
        return self._url(UNSUBSCRIBE_PATH, Link(LinkKind.UNSUBSCRIBE, row.id, row.nonce, 0))

    def _confirm_url(self, row: DigestSubscriber, now: datetime) -> str:
        expires = now + timedelta(hours=self.settings.mail.confirmation_hours)
        link = Link(LinkKind.CONFIRM, row.id, row.nonce, int(expires.timestamp()))
        return self._url(CONFIRM_PATH, link)

    async def request(self, email: str, now: datetime) -> EmailMessage | None:
        """Record a request for ``email`` (normalized); the mail to send, or None (throttled)."""
        mail = self.settings.mail
        await self.purge_expired(now)
        row = await DigestSubscriber.get_or_none(email=email)
        if row is None:
            try:
                row = await DigestSubscriber.create(
                    email=email, nonce=secrets.token_hex(16), last_mail_at=now
                )
            except IntegrityError:  # the same address, requested at the same moment
                return None
        else:
            interval = timedelta(seconds=mail.confirmation_interval_seconds)
            if row.last_mail_at is not None and now - row.last_mail_at < interval:
                return None
            row.last_mail_at = now
            await row.save(update_fields=["last_mail_at"])
        if row.confirmed_at is not None:
            return messages.already_subscribed(mail, email, self.unsubscribe_url(row))
        return messages.confirmation(
            mail, email, self._confirm_url(row, now), mail.confirmation_hours
        )

    async def confirm(self, token: str, now: datetime) -> bool:
        """Confirm the subscription a confirmation link names; False for a bad or old link."""
        try:
            link = self.signer.verify(token, LinkKind.CONFIRM, now.timestamp())
        except BadLinkError:
            return False
        row = await DigestSubscriber.get_or_none(id=link.subscriber_id, nonce=link.nonce)
        if row is None:
            return False
        if row.confirmed_at is None:
            row.confirmed_at = now
            await row.save(update_fields=["confirmed_at"])
        return True

    async def unsubscribe(self, token: str, now: datetime) -> bool:
        """Delete the subscription an unsubscribe link names (done already is fine too);
        False only for a link Verdict did not sign."""
        try:
            link = self.signer.verify(token, LinkKind.UNSUBSCRIBE, now.timestamp())
        except BadLinkError:
            return False
        await DigestSubscriber.filter(id=link.subscriber_id, nonce=link.nonce).delete()
        return True

    async def purge_expired(self, now: datetime) -> int:
        """Delete unconfirmed addresses whose last confirmation link has expired."""
        cutoff = now - timedelta(hours=self.settings.mail.confirmation_hours)
        return await DigestSubscriber.filter(
            confirmed_at__isnull=True, last_mail_at__lt=cutoff
        ).delete()


async def export(email: str) -> dict[str, Any] | None:
    """Everything stored about ``email`` (GDPR access), or None when nothing is."""
    row = await DigestSubscriber.get_or_none(email=email.strip().lower())
    if row is None:
        return None

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "email": row.email,
        "subscribed_at": when(row.created_at),
        "confirmed_at": when(row.confirmed_at),
        "last_mail_at": when(row.last_mail_at),
        "digest_sent_through": when(row.sent_through),
        "link_nonce": row.nonce,
    }


async def erase(email: str) -> bool:
    """Delete everything stored about ``email`` (GDPR erasure); False when nothing was."""
    return await DigestSubscriber.filter(email=email.strip().lower()).delete() > 0
