"""Sync bookkeeping: per-collection checkpoints and entries that could not be applied."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from verdict.models.content import ID_LENGTH

STREAM_COLLECTION = "@stream"
"""The checkpoint row of a stream source's resume token."""


class SyncCheckpoint(Model):
    """How far the sync has read one collection of one source.

    A stream source (one ordered change stream over every collection, as Contentful's Sync API)
    keeps one row under the collection ``STREAM_COLLECTION`` whose ``token`` resumes the stream.

    Written in the same transaction as the rows it describes, so it never drifts from the data.
    """

    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=100)
    collection = fields.CharField(max_length=100)
    cursor = fields.DatetimeField(null=True, description="Highest CMS updated-at applied")
    last_full_sync_at = fields.DatetimeField(null=True)
    token = fields.TextField(
        null=True, description="A stream source's resume token (Contentful's sync token)"
    )
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sync_checkpoint"
        unique_together = (("source", "collection"),)


class QuarantinedEntry(Model):
    """A CMS entry that failed to sync, and why. Cleared once the entry syncs cleanly.

    ``reason_code`` ``missing_reference`` means the entry waits for a related entry (a take whose
    tool has not arrived yet) and is retried on every pass; other codes wait for an editor's fix.
    """

    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=100)
    collection = fields.CharField(max_length=100)
    cms_id = fields.CharField(max_length=ID_LENGTH)
    reason_code = fields.CharField(max_length=50, db_index=True)
    reason = fields.TextField()
    payload: fields.Field[object] = fields.JSONField(null=True)
    first_seen_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "sync_quarantine"
        unique_together = (("source", "collection", "cms_id"),)
