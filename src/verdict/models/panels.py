"""Each tool's published panel figures, kept by the sync (``verdict.panels``).

The comparison listing shows every side's panel ship percentage and the panel's verdict, which
come from a tool's ship and skip counts. Counting them per request (a ``GROUP BY`` over the
page's ~530 reviews) was the listing's costliest statement; the sync recounts the tools a change
touches in the same transaction as the change, so these rows are as current as the reviews.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from verdict.models.content import Tool


class ToolPanel(Model):
    """A tool's published panel reviews by published reviewers: how many say ship, and skip."""

    # Its own key: with the tool as primary key, Tortoise's migration autodetector finds a
    # change in the model's options on every run.
    id = fields.IntField(primary_key=True)
    tool: fields.OneToOneRelation[Tool] = fields.OneToOneField(
        "verdict.Tool", related_name="panel", on_delete=fields.CASCADE
    )
    ship = fields.IntField()
    skip = fields.IntField()

    tool_id: str

    class Meta:
        table = "tool_panel"
