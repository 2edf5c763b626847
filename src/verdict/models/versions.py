"""Content versions: how the sync tells the API's response cache what changed.

One row per key (``tools:12``, ``comparisons:3``, a collection such as ``tools``, and ``*`` for
any change at all), its ``version`` replaced by a fresh value in the same transaction as the
content it describes. The API never imports the sync; both import this table.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ContentVersion(Model):
    """The current version of one cache dependency key."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=300, unique=True)  # a collection's name, ':', an id
    version = fields.CharField(max_length=32)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "content_version"
