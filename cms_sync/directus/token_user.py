"""A Directus role with exactly the permissions it is given, and a user with a static token.

Policy, permissions, role, access link and user, created or corrected by REST, idempotently.
Directus conceals user tokens on read, so the token is checked by authenticating with it and
re-keyed only when it no longer authenticates as that user.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
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

    async def token_works(user_id: str) -> bool:
        status, me = await api.call(
            "GET", "/users/me", params={"fields": "id"}, token=token, ok=(200, 401, 403)
        )
        return status == 200 and str((me or {}).get("data", {}).get("id")) == user_id

    return await apply_user(
        api,
        UserCredential(
            email=spec.email,
            last_name=spec.last_name,
            noun="user",
            field="token",
            value=token,
            works=token_works,
        ),
        role_id,
        changes,
    )


@dataclass(frozen=True, slots=True)
class UserCredential:
    """How a user logs in: ``field`` (token or password) set to ``value``, checked by ``works``."""

    email: str
    last_name: str
    noun: str
    """How the change log names the user ("user", "editor")."""
    field: str
    value: str
    works: Callable[[str], Awaitable[bool]]
    """Given the user's id, whether ``value`` still logs in as that user."""


async def apply_user(api: AdminApi, cred: UserCredential, role_id: str, changes: list[str]) -> str:
    """Make ``cred``'s user exist, active, in ``role_id``, logging in with it; returns its id."""
    user = await api.find_one("/users", email=cred.email)
    if user is None:
        user = await api.data(
            "POST",
            "/users",
            body={
                "email": cred.email,
                cred.field: cred.value,
                "first_name": "Verdict",
                "last_name": cred.last_name,
                "role": role_id,
                "status": "active",
            },
        )
        changes.append(f"created {cred.noun} {cred.email}")
        assert user is not None
        return str(user["id"])
    user_id = str(user["id"])
    patch: Item = {}
    if str(user.get("role")) != role_id:
        patch["role"] = role_id
    if user.get("status") != "active":
        patch["status"] = "active"
    if not await cred.works(user_id):
        patch[cred.field] = cred.value
    if patch:
        await api.data("PATCH", f"/users/{user_id}", body=patch)
        changes.append(f"updated {cred.noun} {cred.email} {sorted(patch)}")
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
