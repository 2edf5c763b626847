"""Provisioning step 6: the ``verdict_sync_issues`` collection and the token that writes it.

The worker's read token stays read-only. Writing the issues back needs a second token, scoped as
narrowly as Directus allows: create, read, update and delete on ``verdict_sync_issues`` and on
nothing else (no content, no system collection, no app access). Every field is read-only in the
admin app, so editors read the issues there and fix the entries they point at.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from cms_sync.directus.admin_api import AdminApi, Item
from cms_sync.directus.issue_board import ISSUES_COLLECTION
from cms_sync.directus.token_user import TokenUser, apply_token_user

ISSUES_WRITER: Final = TokenUser(
    policy="Verdict sync issues (write)",
    role="Verdict sync issues",
    email="verdict-sync-issues@example.com",
    last_name="sync issues",
    description="Lets Verdict's sync worker write verdict_sync_issues, and nothing else.",
    grants={ISSUES_COLLECTION: frozenset({"create", "read", "update", "delete"})},
)

_META: Final[Item] = {
    "icon": "report_problem",
    "note": "Entries Verdict could not publish, and why. Written by the sync worker after every "
    "pass: fix the entry (the link opens it) and its issue goes away after the next sync.",
    "display_template": "{{collection}} {{item}}: {{reason}}",
    "sort_field": None,
    "archive_field": None,
}


def _field(name: str, kind: str, interface: str, width: str, note: str) -> Item:
    return {
        "field": name,
        "type": kind,
        "meta": {"interface": interface, "readonly": True, "width": width, "note": note},
        "schema": {"is_nullable": True},
    }


_FIELDS: Final[list[Item]] = [
    {
        "field": "id",
        "type": "integer",
        "meta": {"hidden": True, "readonly": True, "interface": "input"},
        "schema": {"is_primary_key": True, "has_auto_increment": True},
    },
    _field("collection", "string", "input", "half", "The collection of the entry."),
    _field("item", "string", "input", "half", "The entry's id in that collection."),
    _field("reason", "text", "input-multiline", "full", "What is wrong, and what to fix."),
    _field("reason_code", "string", "input", "half", "A stable code for the kind of problem."),
    _field("first_seen", "timestamp", "datetime", "half", "When the sync first set it aside."),
    _field("link", "string", "input", "full", "The entry in this admin app."),
    {
        "field": "open_item",
        "type": "alias",
        "meta": {
            "special": ["alias", "no-data"],
            "interface": "presentation-links",
            "width": "full",
            "options": {
                "links": [
                    {
                        "label": "Open the entry",
                        "icon": "edit",
                        "type": "primary",
                        "url": "/admin/content/{{collection}}/{{item}}",
                    }
                ]
            },
        },
    },
]


def derive_issues_token(admin_token: str) -> str:
    """The issues token provision() uses when none is given: HMAC of the admin token."""
    digest = hmac.new(admin_token.encode(), b"verdict-sync-issues-token:v1", hashlib.sha256)
    return f"verdict-issues-{digest.hexdigest()[:48]}"


async def apply_issues(api: AdminApi, token: str, changes: list[str]) -> str:
    """The collection and its writer; returns the writer's user id."""
    # /collections takes no filter: pick it out of the list.
    collections = await api.items("/collections")
    existing = next((c for c in collections if c.get("collection") == ISSUES_COLLECTION), None)
    if existing is None:
        await api.data(
            "POST",
            "/collections",
            body={"collection": ISSUES_COLLECTION, "meta": _META, "schema": {}, "fields": _FIELDS},
        )
        changes.append(f"created collection {ISSUES_COLLECTION}")
    else:
        have_meta = existing.get("meta") or {}
        patch = {k: v for k, v in _META.items() if have_meta.get(k) != v}
        if patch:
            await api.data("PATCH", f"/collections/{ISSUES_COLLECTION}", body={"meta": patch})
            changes.append(f"updated collection {ISSUES_COLLECTION} meta {sorted(patch)}")
        have = {f["field"] for f in await api.items(f"/fields/{ISSUES_COLLECTION}")}
        for wanted in _FIELDS:
            if wanted["field"] not in have:
                await api.data("POST", f"/fields/{ISSUES_COLLECTION}", body=wanted)
                changes.append(f"created field {ISSUES_COLLECTION}.{wanted['field']}")
    return await apply_token_user(api, ISSUES_WRITER, token, changes, icon="report_problem")
