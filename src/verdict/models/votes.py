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
    # Audit metadata, as of the vote's last change (see docs/community-votes.md for retention):
    # the network, never the full address; when and how the voter was minted.
    ip_prefix = fields.CharField(max_length=64, null=True)
    voter_minted_at = fields.DatetimeField(null=True)
    voter_kind = fields.CharField(max_length=16, default="legacy")

    class Meta:
        table = "vote"
        unique_together = (("voter_id", "comparison_slug"),)
        indexes = (("comparison_slug", "tool_slug"), ("comparison_slug", "updated_at"))


class VoteVoid(Model):
    """A vote removed by ``verdict votes void``: what it was, and why it went."""

    id = fields.BigIntField(primary_key=True)
    comparison_slug = fields.CharField(max_length=200, db_index=True)
    tool_slug = fields.CharField(max_length=200)
    voter_id = fields.CharField(max_length=64)
    ip_prefix = fields.CharField(max_length=64, null=True)
    voter_minted_at = fields.DatetimeField(null=True)
    voter_kind = fields.CharField(max_length=16)
    voted_at = fields.DatetimeField()
    criterion = fields.CharField(max_length=500)
    reason = fields.CharField(max_length=500)
    voided_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "vote_void"


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
