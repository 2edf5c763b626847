"""The change feed's bookkeeping: the latest change of every entity, tombstones, tally clocks.

Written in the transaction of the change they describe (content by ``cms_sync``, tallies by a
database trigger on ``vote_tally``), read by the API's ``contentChanges`` and ``tallyChanges``.
A position is ``(tx, seq)``: on PostgreSQL ``tx`` is the writing transaction's id, so a reader
can stop below every transaction still running (see ``verdict.feed_log``); on SQLite, where
writers take turns, ``tx`` is 0 and ``seq`` alone orders the rows.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from verdict.models.content import ID_LENGTH


class FeedChange(Model):
    """The latest change of one comparison, tool or reviewer.

    One row per entity, moved to a new position on every change (so the table holds as many rows
    as there are entities, not changes). Once the entity is deleted or unpublished, the row is
    its tombstone: ``status`` says which (``deleted``, ``draft``, ``archived``) and ``changed_at``
    when. Tombstones of deleted and archived entities are pruned after the retention window.
    """

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=16, description="comparisons, tools or reviewers")
    entity_id = fields.CharField(max_length=ID_LENGTH, description="The CMS's id of the entity")
    slug = fields.CharField(max_length=200, description="The slug when last seen")
    status = fields.CharField(max_length=16, description="published, draft, archived or deleted")
    tx = fields.BigIntField(default=0)
    seq = fields.BigIntField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "feed_change"
        unique_together = (("kind", "entity_id"),)
        indexes = (("tx", "seq"),)


class TallyChange(Model):
    """When the tallies of one comparison last changed (written by a trigger on vote_tally)."""

    id = fields.BigIntField(primary_key=True)
    comparison_slug = fields.CharField(max_length=200, unique=True)
    tx = fields.BigIntField(default=0)
    seq = fields.BigIntField()

    class Meta:
        table = "tally_change"
        indexes = (("tx", "seq"),)


class FeedHorizon(Model):
    """How far tombstones were pruned: a token from before ``(tx, seq)`` has missed some."""

    id = fields.IntField(primary_key=True, generated=False)
    tx = fields.BigIntField(default=0)
    seq = fields.BigIntField(default=0)
    pruned_at = fields.DatetimeField(null=True)

    class Meta:
        table = "feed_horizon"
