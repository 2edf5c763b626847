"""Community votes: owned by Verdict, never by the CMS.

Votes and tallies refer to comparisons and tools by slug, not by foreign key, so that no sync,
resync or CMS deletion can cascade into them; a comparison that is deleted and published again
under the same slug gets its votes back.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Vote(Model):
    """One voter's current pick on one comparison."""

    id = fields.BigIntField(primary_key=True)
    voter_id = fields.CharField(max_length=64)
    comparison_slug = fields.CharField(max_length=200)
    tool_slug = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "vote"
        unique_together = (("voter_id", "comparison_slug"),)
        indexes = (("comparison_slug", "tool_slug"),)


class VoteTally(Model):
    """The running count of votes for one side, kept equal to the vote rows in one transaction."""

    id = fields.BigIntField(primary_key=True)
    comparison_slug = fields.CharField(max_length=200)
    tool_slug = fields.CharField(max_length=200)
    count = fields.IntField(default=0)

    class Meta:
        table = "vote_tally"
        unique_together = (("comparison_slug", "tool_slug"),)


class VoteRequestRecord(Model):
    """An idempotency key a voter sent with castVote or retractVote, and the first result.

    A retry with the same voter and key gets the stored result back and changes nothing.
    The fingerprint names the operation and its input, so a key reused for a different request
    is refused rather than answered with an unrelated result.
    """

    id = fields.BigIntField(primary_key=True)
    voter_id = fields.CharField(max_length=64)
    key = fields.CharField(max_length=200)
    fingerprint = fields.CharField(max_length=500)
    result: fields.Field[dict[str, object] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "vote_request"
        unique_together = (("voter_id", "key"),)
