"""Digest subscribers: owned by Verdict, never by the CMS.

Only what the digest needs is stored (docs/digest.md, "What is stored"): the address, a random
nonce that the confirmation and unsubscribe links are bound to, and three times. An unconfirmed
row is deleted once its confirmation link has expired; unsubscribing or erasing deletes the row.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class DigestSubscriber(Model):
    """One address that asked for the digest, confirmed (``confirmed_at``) by its mailed link."""

    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    nonce = fields.CharField(
        max_length=32, description="Random, named by its links: a new row voids old links"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    confirmed_at = fields.DatetimeField(null=True)
    last_mail_at = fields.DatetimeField(
        null=True, description="When a confirmation or notice was last mailed (throttle)"
    )
    sent_through = fields.DatetimeField(
        null=True, description="Publication time of the newest comparison in the last digest"
    )

    class Meta:
        table = "digest_subscriber"
