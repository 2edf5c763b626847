"""Provisioning step 2: a read-only worker user with a static token."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Final

from cms_sync.directus.admin_api import AdminApi, Item
from cms_sync.directus.content_schema import ordered_collections

POLICY_NAME: Final = "Verdict sync worker (read-only)"
ROLE_NAME: Final = "Verdict sync worker"
WORKER_EMAIL: Final = "verdict-sync-worker@example.com"
ACTIVITY_COLLECTION: Final = "directus_activity"


def derive_worker_token(admin_token: str) -> str:
    """The worker token provision() uses when none is given: HMAC of the admin token."""
    digest = hmac.new(admin_token.encode(), b"verdict-sync-worker-token:v1", hashlib.sha256)
    return f"verdict-worker-{digest.hexdigest()[:48]}"


async def apply_worker(
    api: AdminApi, model: Mapping[str, Any], token: str, changes: list[str]
) -> str:
    policy = await api.find_one("/policies", name=POLICY_NAME)
    if policy is None:
        policy = await api.data(
            "POST",
            "/policies",
            body={
                "name": POLICY_NAME,
                "icon": "sync",
                "description": "Read-only access for Verdict's CMS sync worker.",
                "admin_access": False,
                "app_access": False,
                "enforce_tfa": False,
            },
        )
        changes.append("created worker policy")
    elif policy.get("admin_access") or policy.get("app_access"):
        await api.data(
            "PATCH",
            f"/policies/{policy['id']}",
            body={"admin_access": False, "app_access": False},
        )
        changes.append("made worker policy non-admin")
    assert policy is not None
    policy_id = str(policy["id"])

    wanted = [*ordered_collections(model), ACTIVITY_COLLECTION]
    permissions = await api.items("/permissions", {"filter[policy][_eq]": policy_id})
    for perm in permissions:
        if perm.get("action") != "read" or perm.get("collection") not in wanted:
            await api.call("DELETE", f"/permissions/{perm['id']}")
            changes.append(f"deleted worker permission {perm.get('collection')}:{perm['action']}")
    have = {p["collection"]: p for p in permissions if p.get("action") == "read"}
    for collection in wanted:
        granted = have.get(collection)
        if granted is None:
            await api.data(
                "POST",
                "/permissions",
                body={
                    "policy": policy_id,
                    "collection": collection,
                    "action": "read",
                    "fields": ["*"],
                    "permissions": None,
                    "validation": None,
                },
            )
            changes.append(f"granted worker read on {collection}")
        elif granted.get("fields") != ["*"] or granted.get("permissions"):
            await api.data(
                "PATCH",
                f"/permissions/{granted['id']}",
                body={"fields": ["*"], "permissions": None},
            )
            changes.append(f"widened worker read on {collection}")

    role = await api.find_one("/roles", name=ROLE_NAME)
    if role is None:
        role = await api.data(
            "POST",
            "/roles",
            body={"name": ROLE_NAME, "icon": "sync", "description": "Verdict's CMS sync worker"},
        )
        changes.append("created worker role")
    assert role is not None
    role_id = str(role["id"])
    if await api.find_one("/access", role=role_id, policy=policy_id) is None:
        await api.data("POST", "/access", body={"role": role_id, "policy": policy_id})
        changes.append("attached worker policy to role")

    user = await api.find_one("/users", email=WORKER_EMAIL)
    if user is None:
        user = await api.data(
            "POST",
            "/users",
            body={
                "email": WORKER_EMAIL,
                "first_name": "Verdict",
                "last_name": "sync worker",
                "role": role_id,
                "status": "active",
                "token": token,
            },
        )
        changes.append("created worker user")
        assert user is not None
        return str(user["id"])
    user_id = str(user["id"])
    patch: Item = {}
    if str(user.get("role")) != role_id:
        patch["role"] = role_id
    if user.get("status") != "active":
        patch["status"] = "active"
    status, me = await api.call(
        "GET", "/users/me", params={"fields": "id"}, token=token, ok=(200, 401, 403)
    )
    if status != 200 or str((me or {}).get("data", {}).get("id")) != user_id:
        patch["token"] = token
    if patch:
        await api.data("PATCH", f"/users/{user_id}", body=patch)
        changes.append(f"updated worker user {sorted(patch)}")
    return user_id
