"""A Directus role with exactly the permissions it is given, and a user with a static token.

Policy, permissions, role, access link and user, created or corrected by REST, idempotently.
Directus conceals user tokens on read, so the token is checked by authenticating with it and
re-keyed only when it no longer authenticates as that user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cms_sync.directus.admin_api import AdminApi, Item


@dataclass(frozen=True, slots=True)
class TokenUser:
    """Who the user is and what it may do: collection -> the actions granted on it."""

    policy: str
    role: str
    email: str
    last_name: str
    description: str
    grants: Mapping[str, frozenset[str]]
    app_access: bool = False
    """Whether the role may log in to the admin app (editors); tokens for programs never do."""


async def apply_token_user(
    api: AdminApi, spec: TokenUser, token: str, changes: list[str], *, icon: str = "sync"
) -> str:
    """Make ``spec``'s user exist with ``token`` and only its grants; returns the user's id."""
    role_id = await apply_role(api, spec, changes, icon=icon)
    user = await api.find_one("/users", email=spec.email)
    if user is None:
        user = await api.data(
            "POST",
            "/users",
            body={
                "email": spec.email,
                "first_name": "Verdict",
                "last_name": spec.last_name,
                "role": role_id,
                "status": "active",
                "token": token,
            },
        )
        changes.append(f"created user {spec.email}")
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
        changes.append(f"updated user {spec.email} {sorted(patch)}")
    return user_id


async def apply_role(api: AdminApi, spec: TokenUser, changes: list[str], *, icon: str) -> str:
    """The policy with exactly ``spec``'s grants, and a role holding it; returns the role's id."""
    who = spec.role
    policy = await api.find_one("/policies", name=spec.policy)
    if policy is None:
        policy = await api.data(
            "POST",
            "/policies",
            body={
                "name": spec.policy,
                "icon": icon,
                "description": spec.description,
                "admin_access": False,
                "app_access": spec.app_access,
                "enforce_tfa": False,
            },
        )
        changes.append(f"created policy {spec.policy!r}")
    elif policy.get("admin_access") or bool(policy.get("app_access")) != spec.app_access:
        await api.data(
            "PATCH",
            f"/policies/{policy['id']}",
            body={"admin_access": False, "app_access": spec.app_access},
        )
        changes.append(f"corrected policy {spec.policy!r} (no admin, app {spec.app_access})")
    assert policy is not None
    policy_id = str(policy["id"])

    permissions = await api.items("/permissions", {"filter[policy][_eq]": policy_id})
    have: dict[tuple[str, str], Item] = {}
    for perm in permissions:
        key = (str(perm.get("collection")), str(perm.get("action")))
        if key[1] not in spec.grants.get(key[0], frozenset()) or key in have:
            await api.call("DELETE", f"/permissions/{perm['id']}")
            changes.append(f"revoked {who} {key[1]} on {key[0]}")
        else:
            have[key] = perm
    for collection, actions in spec.grants.items():
        for action in sorted(actions):
            granted = have.get((collection, action))
            if granted is None:
                await api.data(
                    "POST",
                    "/permissions",
                    body={
                        "policy": policy_id,
                        "collection": collection,
                        "action": action,
                        "fields": ["*"],
                        "permissions": None,
                        "validation": None,
                    },
                )
                changes.append(f"granted {who} {action} on {collection}")
            elif granted.get("fields") != ["*"] or granted.get("permissions"):
                await api.data(
                    "PATCH",
                    f"/permissions/{granted['id']}",
                    body={"fields": ["*"], "permissions": None},
                )
                changes.append(f"widened {who} {action} on {collection}")

    role = await api.find_one("/roles", name=spec.role)
    if role is None:
        role = await api.data(
            "POST",
            "/roles",
            body={"name": spec.role, "icon": icon, "description": spec.description},
        )
        changes.append(f"created role {spec.role!r}")
    assert role is not None
    role_id = str(role["id"])
    if await api.find_one("/access", role=role_id, policy=policy_id) is None:
        await api.data("POST", "/access", body={"role": role_id, "policy": policy_id})
        changes.append(f"attached policy to role {spec.role!r}")
    return role_id
