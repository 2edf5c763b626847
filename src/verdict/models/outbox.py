"""Outboxes: what must be told to caches and sites outside the process after a change.

Rows are written in the same transaction as the content they describe (the sync's page), and
delivered afterwards by ``verdict.purge.outbox`` and ``verdict.hooks.deliver``: a crash between
the commit and the delivery loses nothing, and a rolled-back page sends nothing.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PurgeRequest(Model):
    """Surrogate keys to purge from the shared caches (Varnish, Fastly, Cloudflare)."""

    id = fields.BigIntField(primary_key=True)
    keys: fields.Field[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    attempts = fields.IntField(default=0)
    due_at = fields.DatetimeField(db_index=True, description="Not sent (or claimed) before this")
    last_error = fields.TextField(null=True)
    sent = fields.IntField(default=0, description="How many times it was purged (twice: done)")

    class Meta:
        table = "purge_request"


class RevalidationHook(Model):
    """An operator's outgoing revalidation webhook (``verdict hooks add``)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    url = fields.CharField(max_length=2000)
    secret = fields.CharField(max_length=200, description="HMAC-SHA256 key of the signature")
    content: fields.Field[dict[str, list[str]]] = fields.JSONField(
        description="Collections it is told about, each with its site path templates"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "revalidation_hook"


class HookDelivery(Model):
    """One notice to one hook: written with the sync's rows, then POSTed until it succeeds."""

    id = fields.BigIntField(primary_key=True)
    hook: fields.ForeignKeyRelation[RevalidationHook] = fields.ForeignKeyField(
        "verdict.RevalidationHook", related_name="deliveries", on_delete=fields.CASCADE
    )
    idempotency_key = fields.CharField(max_length=64, unique=True)
    payload: fields.Field[dict[str, object]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    state = fields.CharField(max_length=16, default="pending", db_index=True)
    """pending, delivered or failed (gave up after the last attempt, or a 4xx refusal)."""
    attempts = fields.IntField(default=0)
    due_at = fields.DatetimeField(db_index=True, description="Not sent (or claimed) before this")
    last_status = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    hook_id: int

    class Meta:
        table = "hook_delivery"
