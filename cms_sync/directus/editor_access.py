"""Provisioning step 8 (optional): the editors' role, and an editor who logs in with a password.

Editors write the content (create, read, update, delete on every content collection) and read
``verdict_sync_issues``, which only the worker writes. They get the admin app, never admin rights.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from cms_sync.directus.admin_api import AdminApi
from cms_sync.directus.content_schema import ordered_collections
from cms_sync.directus.issue_board import ISSUES_COLLECTION
from cms_sync.directus.token_user import TokenUser, UserCredential, apply_role, apply_user

_WRITE: Final = frozenset({"create", "read", "update", "delete"})


@dataclass(frozen=True, slots=True)
class EditorLogin:
    email: str
    password: str


def editors(model: Mapping[str, Any]) -> TokenUser:
    grants = {c: _WRITE for c in ordered_collections(model)}
    grants[ISSUES_COLLECTION] = frozenset({"read"})
    return TokenUser(
        policy="Verdict editors",
        role="Verdict editor",
        email="",
        last_name="editor",
        description="Writes Verdict's content in the admin app; reads the sync issues.",
        grants=grants,
        app_access=True,
    )


async def apply_editor(
    api: AdminApi, model: Mapping[str, Any], login: EditorLogin, changes: list[str]
) -> str:
    """The editors' role and ``login``'s user in it; returns the user's id."""
    role_id = await apply_role(api, editors(model), changes, icon="edit_note")

    async def password_works(user_id: str) -> bool:
        status, _ = await api.call(
            "POST",
            "/auth/login",
            body={"email": login.email, "password": login.password},
            ok=(200, 401),
        )
        return status == 200

    return await apply_user(
        api,
        UserCredential(
            email=login.email,
            last_name="editor",
            noun="editor",
            field="password",
            value=login.password,
            works=password_works,
        ),
        role_id,
        changes,
    )
