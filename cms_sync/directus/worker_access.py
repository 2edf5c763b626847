"""Provisioning step 2: a read-only worker user with a static token."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Final

from cms_sync.directus.admin_api import AdminApi
from cms_sync.directus.content_schema import ordered_collections
from cms_sync.directus.token_user import TokenUser, apply_token_user

POLICY_NAME: Final = "Verdict sync worker (read-only)"
ROLE_NAME: Final = "Verdict sync worker"
WORKER_EMAIL: Final = "verdict-sync-worker@example.com"
ACTIVITY_COLLECTION: Final = "directus_activity"


def derive_worker_token(admin_token: str) -> str:
    """The worker token provision() uses when none is given: HMAC of the admin token."""
    digest = hmac.new(admin_token.encode(), b"verdict-sync-worker-token:v1", hashlib.sha256)
    return f"verdict-worker-{digest.hexdigest()[:48]}"


def worker_user(model: Mapping[str, Any]) -> TokenUser:
    """The worker reads the content and the activity log (deletions), nothing else."""
    read = frozenset({"read"})
    return TokenUser(
        policy=POLICY_NAME,
        role=ROLE_NAME,
        email=WORKER_EMAIL,
        last_name="sync worker",
        description="Read-only access for Verdict's CMS sync worker.",
        grants={c: read for c in (*ordered_collections(model), ACTIVITY_COLLECTION)},
    )


async def apply_worker(
    api: AdminApi, model: Mapping[str, Any], token: str, changes: list[str]
) -> str:
    return await apply_token_user(api, worker_user(model), token, changes)
