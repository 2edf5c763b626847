"""CMS-owned content: tools, reviewers, reviews and comparisons.

Every row's primary key is the CMS's own id as opaque text (compared, never parsed: Directus's
integer 42 is "42", a Contentful id or a Strapi documentId as it comes), and ``cms_updated_at`` is
the CMS's updated-at time, so the sync can upsert by id and tell whether a row changed.
Only ``cms_sync`` writes these tables.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

ID_LENGTH = 255
"""The longest CMS id Verdict keeps: ids are the CMS's own, as text (Directus's integers in
decimal, Contentful's and Strapi's strings as they come)."""


class Status(StrEnum):
    PUBLISHED = "published"
    DRAFT = "draft"
    ARCHIVED = "archived"


class Lens(StrEnum):
    DEVELOPER_EXPERIENCE = "developer_experience"
    COMPETITION = "competition"
    THESIS = "thesis"
    BUSINESS = "business"


class Verdict(StrEnum):
    SHIP = "ship"
    SKIP = "skip"


class CmsRow(Model):
    """Columns every CMS-owned row carries."""

    id = fields.CharField(
        primary_key=True, max_length=ID_LENGTH, description="The CMS's own id, as opaque text"
    )
    status = fields.CharEnumField(Status, max_length=16, db_index=True)
    cms_updated_at = fields.DatetimeField(description="The CMS's updated-at time")
    synced_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class Tool(CmsRow):
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=200)
    vendor = fields.CharField(max_length=200, db_index=True)
    tagline = fields.CharField(max_length=500)
    description = fields.TextField(null=True)
    category = fields.CharField(max_length=100, db_index=True)
    pricing_entry = fields.CharField(max_length=200)
    license = fields.CharField(max_length=200, null=True)
    open_weights = fields.BooleanField(default=False)
    model_sizes: fields.Field[list[str]] = fields.JSONField(default=list)
    website = fields.CharField(max_length=500, null=True)
    logo_url = fields.CharField(max_length=500, null=True)

    class Meta:
        table = "tool"


class Reviewer(CmsRow):
    slug = fields.CharField(max_length=200, unique=True)
    name = fields.CharField(max_length=200)
    lens = fields.CharEnumField(Lens, max_length=32)
    bio = fields.TextField(null=True)

    class Meta:
        table = "reviewer"


class Review(CmsRow):
    reviewer: fields.ForeignKeyRelation[Reviewer] = fields.ForeignKeyField(
        "verdict.Reviewer", related_name="reviews", on_delete=fields.CASCADE, db_index=True
    )
    tool: fields.ForeignKeyRelation[Tool] = fields.ForeignKeyField(
        "verdict.Tool", related_name="reviews", on_delete=fields.CASCADE, db_index=True
    )
    verdict = fields.CharEnumField(Verdict, max_length=8)
    quote = fields.TextField()
    published_at = fields.DatetimeField(null=True)

    reviewer_id: str
    tool_id: str

    class Meta:
        table = "review"


class Comparison(CmsRow):
    slug = fields.CharField(max_length=200, unique=True)
    title = fields.CharField(max_length=300)
    headline = fields.CharField(max_length=500)
    summary = fields.TextField(null=True)
    pricing_read = fields.TextField(null=True)
    voting_open = fields.BooleanField(default=True)
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "comparison"


class ComparisonSide(Model):
    """One side of a comparison. Sides are shown in ascending ``position``."""

    id = fields.CharField(
        primary_key=True, max_length=ID_LENGTH, description="The CMS's own id, as opaque text"
    )
    comparison: fields.ForeignKeyRelation[Comparison] = fields.ForeignKeyField(
        "verdict.Comparison", related_name="sides", on_delete=fields.CASCADE, db_index=True
    )
    tool: fields.ForeignKeyRelation[Tool] = fields.ForeignKeyField(
        "verdict.Tool", related_name="sides", on_delete=fields.CASCADE, db_index=True
    )
    position = fields.IntField()
    cms_updated_at = fields.DatetimeField()
    synced_at = fields.DatetimeField(auto_now=True)

    comparison_id: str
    tool_id: str

    class Meta:
        table = "comparison_side"
