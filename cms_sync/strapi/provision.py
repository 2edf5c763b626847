"""Provision a Strapi 5 for Verdict over its admin API. Idempotent: a second run changes nothing.

1. **Content types**: Strapi's content types are code (``cms/strapi/src/api``, rendered from
   ``schema/content-model.json`` by :mod:`cms_sync.strapi.content_types` and committed), so
   provision checks that the running Strapi serves every type with every field
   (``GET /content-manager/content-types``) and says how to fix it when not.
2. **The worker's token**: a ``read-only`` API token named ``verdict-sync`` (find and find-one
   on every type; ``status=draft`` reads are allowed). An existing one is read back
   (``GET /admin/api-tokens/:id`` returns the decrypted key), so re-runs keep it.
3. **The webhook** ``verdict-sync``: ``entry.create/update/delete/publish/unpublish`` POSTed to
   the worker with the ``X-Verdict-Webhook-Secret`` header, created or updated to match.
4. Optionally a ``full-access`` token ``verdict-editor`` (``editor_token=True``), which the
   end-to-end tests use to edit content as an editor would, and with which the demo's sample
   content is loaded (``with_sample_content=True``, :mod:`cms_sync.strapi.samples`).

The admin API authenticates with the admin's email and password (``POST /admin/login``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp

from cms_sync.content_model import load_content_model
from cms_sync.http import cms_connector
from cms_sync.mapping import load_mapping
from cms_sync.strapi.content_types import strapi_field, strapi_type
from cms_sync.strapi.hints import EVENTS
from cms_sync.strapi.samples import SampleError, load_samples
from cms_sync.webhooks import SECRET_HEADER

WORKER_TOKEN_NAME: Final = "verdict-sync"
EDITOR_TOKEN_NAME: Final = "verdict-editor"
WEBHOOK_NAME: Final = "verdict-sync"
REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=60)


class ProvisionError(RuntimeError):
    """The Strapi could not be provisioned; the message says what to do."""


@dataclass(frozen=True)
class ProvisionResult:
    worker_token: str
    webhook_id: int | None
    editor_token: str | None = None
    changes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.changes)


class AdminApi:
    """Strapi's admin API with an admin session (JWT from ``/admin/login``)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._jwt: str | None = None

    async def login(self, email: str, password: str) -> None:
        document = await self.call("POST", "/admin/login", {"email": email, "password": password})
        token = document.get("data", {}).get("token") if isinstance(document, dict) else None
        if not isinstance(token, str):
            raise ProvisionError("POST /admin/login answered without a token")
        self._jwt = token

    async def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._jwt}"} if self._jwt else {}
        try:
            async with self._session.request(
                method, self._base + path, json=body, headers=headers
            ) as response:
                text = await response.text()
                if response.status >= 400:
                    raise ProvisionError(
                        f"{method} {path} answered {response.status}: {text[:300]}"
                    )
                return await response.json(content_type=None) if text else None
        except aiohttp.ClientError as exc:
            raise ProvisionError(f"{method} {path} failed: {exc}") from exc


async def provision(
    cms_url: str,
    admin_email: str,
    admin_password: str,
    *,
    webhook_url: str | None,
    webhook_secret: str | None,
    editor_token: bool = False,
    with_sample_content: bool = False,
) -> ProvisionResult:
    """Make the Strapi at ``cms_url`` ready for Verdict's sync worker."""
    if webhook_url is not None and not webhook_secret:
        raise ProvisionError("a webhook needs CMS_WEBHOOK_SECRET")
    changes: list[str] = []
    async with aiohttp.ClientSession(connector=cms_connector(), timeout=REQUEST_TIMEOUT) as session:
        api = AdminApi(session, cms_url)
        await api.login(admin_email, admin_password)
        await check_content_types(api)
        worker = await _token(api, WORKER_TOKEN_NAME, "read-only", changes)
        editor = None
        if editor_token or with_sample_content:
            editor = await _token(api, EDITOR_TOKEN_NAME, "full-access", changes)
        if with_sample_content and editor is not None:
            try:
                created = await load_samples(session, cms_url, editor, load_mapping("strapi"))
            except SampleError as exc:
                raise ProvisionError(f"sample content: {exc}") from exc
            changes.extend(f"created {n} sample {c}" for c, n in created.items())
        hook_id = None
        if webhook_url is not None and webhook_secret:
            hook_id = await _webhook(api, webhook_url, webhook_secret, changes)
    return ProvisionResult(
        worker_token=worker, webhook_id=hook_id, editor_token=editor, changes=tuple(changes)
    )


async def check_content_types(api: AdminApi) -> None:
    document = await api.call("GET", "/content-manager/content-types")
    served: dict[str, Mapping[str, Any]] = {}
    for item in document.get("data", []) if isinstance(document, dict) else []:
        if isinstance(item, dict) and isinstance(item.get("uid"), str):
            served[item["uid"]] = item.get("attributes") or {}
    problems = []
    for collection, spec in load_content_model().collections.items():
        uid = strapi_type(collection).uid
        attributes = served.get(uid)
        if attributes is None:
            problems.append(f"{uid} is missing")
            continue
        names = [strapi_field(collection, f.name) for f in spec.fields]
        absent = [name for name in names if name not in attributes]
        if absent:
            problems.append(f"{uid} lacks {', '.join(absent)}")
    if problems:
        raise ProvisionError(
            "the Strapi does not serve Verdict's content types ("
            + "; ".join(problems)
            + "): run `python -m cms_sync.strapi.content_types --write` and restart Strapi"
        )


async def _token(api: AdminApi, name: str, kind: str, changes: list[str]) -> str:
    listing = await api.call("GET", "/admin/api-tokens")
    for token in listing.get("data", []) if isinstance(listing, dict) else []:
        if isinstance(token, dict) and token.get("name") == name:
            if token.get("type") != kind:
                raise ProvisionError(
                    f"API token {name!r} exists with type {token.get('type')!r}, not {kind!r}"
                )
            full = await api.call("GET", f"/admin/api-tokens/{token['id']}")
            key = full.get("data", {}).get("accessKey") if isinstance(full, dict) else None
            if isinstance(key, str) and key:
                return key
            regenerated = await api.call("POST", f"/admin/api-tokens/{token['id']}/regenerate")
            changes.append(f"regenerated API token {name} (its key could not be read back)")
            return str(regenerated["data"]["accessKey"])
    created = await api.call(
        "POST",
        "/admin/api-tokens",
        {
            "name": name,
            "description": "Verdict's sync worker (read only)"
            if kind == "read-only"
            else "Verdict's editor (end-to-end tests)",
            "type": kind,
            "lifespan": None,
        },
    )
    changes.append(f"created {kind} API token {name}")
    return str(created["data"]["accessKey"])


async def _webhook(api: AdminApi, url: str, secret: str, changes: list[str]) -> int:
    wanted = {
        "name": WEBHOOK_NAME,
        "url": url,
        "headers": {SECRET_HEADER: secret},
        "events": list(EVENTS),
        "isEnabled": True,
    }
    listing = await api.call("GET", "/admin/webhooks")
    for hook in listing.get("data", []) if isinstance(listing, dict) else []:
        if isinstance(hook, dict) and hook.get("name") == WEBHOOK_NAME:
            current = {k: hook.get(k) for k in wanted}
            if isinstance(current["events"], list):
                current["events"] = sorted(current["events"])
            if current != {**wanted, "events": sorted(EVENTS)}:
                await api.call("PUT", f"/admin/webhooks/{hook['id']}", wanted)
                changes.append(f"updated webhook {WEBHOOK_NAME}")
            return int(hook["id"])
    # Creating takes no isEnabled (a new webhook is enabled); updating does.
    created = await api.call(
        "POST", "/admin/webhooks", {k: v for k, v in wanted.items() if k != "isEnabled"}
    )
    changes.append(f"created webhook {WEBHOOK_NAME} to {url}")
    return int(created["data"]["id"])
