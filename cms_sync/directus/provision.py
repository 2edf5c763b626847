"""Apply Verdict's content model (``schema/content-model.json``) to a Directus over REST.

Idempotent: every step reads what is there first and only creates or patches what
differs, so running :func:`provision` a second time changes nothing (``result.changes`` is
empty). Steps, in order:

1. collections and fields (``id``, ``status``, ``date_created``, ``date_updated`` + the
   model's fields), m2o relations, collection metadata;
2. a read-only worker: policy, read permissions on the content collections and on
   ``directus_activity`` (deletes are read from the activity log), role, access link and a
   user with a static token;
3. ``POST /utils/cache/clear?system=true`` when anything in 1-2 changed;
4. optional sample content from ``content/sample/<collection>.json``, in ``sync_order``,
   keeping ids and skipping ids that already exist;
5. optional webhook Flow: an event trigger (items.create/update/delete on every content
   collection) with one ``request`` operation POSTing ``{{$trigger}}`` to the webhook URL
   with an ``X-Verdict-Webhook-Secret`` header.

Directus conceals user tokens on read, so the worker token cannot be read back. Unless one
is passed in, it is derived from the admin token (HMAC), which makes it reproducible: an
existing worker user keeps its token when that token still authenticates as that user, and
is re-keyed to the derived token otherwise.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

import aiohttp

__all__ = [
    "DEFAULT_MODEL_PATH",
    "DEFAULT_SAMPLE_DIR",
    "FLOW_NAME",
    "WEBHOOK_SECRET_HEADER",
    "WORKER_EMAIL",
    "ProvisionError",
    "ProvisionResult",
    "derive_worker_token",
    "provision",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_PATH: Final = REPO_ROOT / "schema" / "content-model.json"
DEFAULT_SAMPLE_DIR: Final = REPO_ROOT / "content" / "sample"

WEBHOOK_SECRET_HEADER: Final = "X-Verdict-Webhook-Secret"
FLOW_NAME: Final = "Verdict webhook"
OPERATION_KEY: Final = "verdict_webhook"
POLICY_NAME: Final = "Verdict sync worker (read-only)"
ROLE_NAME: Final = "Verdict sync worker"
WORKER_EMAIL: Final = "verdict-sync-worker@example.com"
ACTIVITY_COLLECTION: Final = "directus_activity"
# An m2o target cannot be deleted while something points at it: a cascade or SET NULL
# done by the database would appear neither in the activity log nor in a webhook.
ON_DELETE: Final = "NO ACTION"
REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=30, connect=5)
BATCH_SIZE: Final = 100

JSON = Any
Item = dict[str, Any]


class ProvisionError(RuntimeError):
    """Directus answered something provisioning cannot work with."""


@dataclass(frozen=True)
class ProvisionResult:
    worker_token: str
    worker_user_id: str
    flow_id: str | None
    changes: tuple[str, ...] = ()
    items_created: Mapping[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def derive_worker_token(admin_token: str) -> str:
    """The worker token provision() uses when none is given: HMAC of the admin token."""
    digest = hmac.new(admin_token.encode(), b"verdict-sync-worker-token:v1", hashlib.sha256)
    return f"verdict-worker-{digest.hexdigest()[:48]}"


def _log(message: str) -> None:
    print(f"provision: {message}", file=sys.stderr, flush=True)


# -- REST client -------------------------------------------------------------------------


class _Api:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._token = token

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: JSON = None,
        token: str | None = None,
        ok: Sequence[int] = (200, 204),
    ) -> tuple[int, JSON]:
        headers = {"Authorization": f"Bearer {token or self._token}"}
        async with self._session.request(
            method,
            f"{self._base}{path}",
            params=params,
            json=body,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
        ) as response:
            text = await response.text()
            if response.status not in ok:
                raise ProvisionError(
                    f"{method} {path} -> {response.status}: {text[:1000]}"
                    + (f"\nrequest body: {json.dumps(body)[:1000]}" if body is not None else "")
                )
            if not text:
                return response.status, None
            return response.status, json.loads(text)

    async def data(self, method: str, path: str, **kwargs: Any) -> JSON:
        _status, payload = await self.call(method, path, **kwargs)
        return None if payload is None else payload.get("data")

    async def items(self, path: str, params: Mapping[str, str] | None = None) -> list[Item]:
        found = await self.data("GET", path, params={"limit": "-1", **(params or {})})
        return cast("list[Item]", found or [])


# -- content model -> Directus field definitions --------------------------------------------

_TYPES: Final = {
    "string": ("string", "input"),
    "text": ("text", "input-multiline"),
    "integer": ("integer", "input"),
    "boolean": ("boolean", "boolean"),
    "json": ("json", "input-code"),
    "timestamp": ("timestamp", "datetime"),
}


def _choices(values: Sequence[str]) -> dict[str, Any]:
    return {"choices": [{"text": v.replace("_", " ").capitalize(), "value": v} for v in values]}


def _system_fields(has_status: bool, status_choices: Sequence[str]) -> list[Item]:
    fields: list[Item] = [
        {
            "field": "id",
            "type": "integer",
            "meta": {"hidden": True, "readonly": True, "interface": "input"},
            "schema": {"is_primary_key": True, "has_auto_increment": True},
        }
    ]
    if has_status:
        fields.append(
            {
                "field": "status",
                "type": "string",
                "meta": {
                    "interface": "select-dropdown",
                    "display": "labels",
                    "width": "full",
                    "required": False,
                    "options": _choices(status_choices),
                },
                "schema": {"default_value": "draft", "is_nullable": False},
            }
        )
    for name, special in (
        ("date_created", ["date-created"]),
        # date-created as well, so it is set on create and `date_updated > t` sees creates.
        ("date_updated", ["date-created", "date-updated"]),
    ):
        fields.append(
            {
                "field": name,
                "type": "timestamp",
                "meta": {
                    "special": special,
                    "interface": "datetime",
                    "readonly": True,
                    "hidden": True,
                    "width": "half",
                    "display": "datetime",
                    "display_options": {"relative": True},
                },
                "schema": {},
            }
        )
    return fields


def _model_field(name: str, spec: Mapping[str, Any]) -> Item:
    required = bool(spec.get("required", False))
    kind = spec["type"]
    meta: Item = {"required": required}
    schema: Item = {"is_nullable": True, "is_unique": bool(spec.get("unique", False))}
    if kind == "m2o":
        meta.update(
            {
                "special": ["m2o"],
                "interface": "select-dropdown-m2o",
                "display": "related-values",
            }
        )
        return {"field": name, "type": "integer", "meta": meta, "schema": schema}
    if kind not in _TYPES:
        raise ProvisionError(f"unknown field type {kind!r} for {name}")
    dtype, interface = _TYPES[kind]
    meta["interface"] = interface
    if "choices" in spec:
        meta["interface"] = "select-dropdown"
        meta["options"] = _choices(spec["choices"])
    if kind == "boolean":
        # Without it SQLite hands booleans back as 0/1.
        meta["special"] = ["cast-boolean"]
    if kind == "json":
        meta["special"] = ["cast-json"]
        if spec.get("items") == "string":
            meta["interface"] = "tags"
    if kind == "text":
        meta["interface"] = "input-multiline"
    return {"field": name, "type": dtype, "meta": meta, "schema": schema}


def _desired_fields(coll: Mapping[str, Any], status_choices: Sequence[str]) -> list[Item]:
    fields = _system_fields(bool(coll.get("has_status")), status_choices)
    fields += [_model_field(name, spec) for name, spec in coll["fields"].items()]
    return fields


def _collection_meta(name: str, coll: Mapping[str, Any]) -> Item:
    meta: Item = {
        "note": coll.get("note"),
        "archive_field": None,
        "archive_value": None,
        "unarchive_value": None,
        "sort_field": "sort" if "sort" in coll["fields"] else None,
    }
    if coll.get("has_status"):
        meta.update(
            {"archive_field": "status", "archive_value": "archived", "unarchive_value": "draft"}
        )
    return meta


def _field_patch(desired: Item, existing: Item) -> Item | None:
    """What to PATCH on an existing field so it matches, or None when it already does."""
    if existing.get("type") != desired["type"]:
        raise ProvisionError(
            f"field {existing.get('collection')}.{desired['field']} has type "
            f"{existing.get('type')!r}, the model wants {desired['type']!r}: migrate it by hand"
        )
    have_meta: Item = existing.get("meta") or {}
    have_schema: Item = existing.get("schema") or {}
    meta_patch: Item = {}
    for key, value in desired.get("meta", {}).items():
        if key == "special":
            have = list(have_meta.get("special") or [])
            # Keep specials Directus added itself (cast-timestamp on SQLite: dropping it
            # silently turns the column into a dateTime without `Z` and milliseconds).
            if not set(value) <= set(have):
                meta_patch["special"] = have + [s for s in value if s not in have]
        elif key in ("required", "hidden", "readonly"):
            if bool(have_meta.get(key)) != bool(value):
                meta_patch[key] = value
        elif have_meta.get(key) != value:
            meta_patch[key] = value
    schema_patch: Item = {}
    for key, value in desired.get("schema", {}).items():
        if key in ("is_primary_key", "has_auto_increment"):
            continue
        if key == "default_value" and str(have_schema.get(key)) == str(value):
            continue
        if key in ("is_nullable", "is_unique") and bool(have_schema.get(key)) == bool(value):
            continue
        if have_schema.get(key) != value:
            schema_patch[key] = value
    patch: Item = {}
    if meta_patch:
        patch["meta"] = meta_patch
    if schema_patch:
        patch["schema"] = schema_patch
    return patch or None


# -- steps -------------------------------------------------------------------------------


async def _apply_schema(api: _Api, model: Mapping[str, Any], changes: list[str]) -> None:
    collections: Mapping[str, Any] = model["collections"]
    status_choices: list[str] = model["status_choices"]
    existing = {c["collection"]: c for c in await api.items("/collections")}

    for name in _ordered(model):
        coll = collections[name]
        desired_fields = _desired_fields(coll, status_choices)
        meta = _collection_meta(name, coll)
        if name not in existing:
            await api.data(
                "POST",
                "/collections",
                body={
                    "collection": name,
                    "meta": {**meta, "icon": "article"},
                    "schema": {},
                    "fields": desired_fields,
                },
            )
            changes.append(f"created collection {name}")
            continue
        if existing[name].get("schema") is None:
            raise ProvisionError(f"{name} exists as a folder without a table")
        have_meta = existing[name].get("meta") or {}
        meta_patch = {k: v for k, v in meta.items() if have_meta.get(k) != v}
        if meta_patch:
            await api.data("PATCH", f"/collections/{name}", body={"meta": meta_patch})
            changes.append(f"updated collection {name} meta {sorted(meta_patch)}")
        have_fields = {f["field"]: f for f in await api.items(f"/fields/{name}")}
        for desired in desired_fields:
            fname = desired["field"]
            if fname not in have_fields:
                await api.data("POST", f"/fields/{name}", body=desired)
                changes.append(f"created field {name}.{fname}")
                continue
            patch = _field_patch(desired, have_fields[fname])
            if patch is not None:
                await api.data("PATCH", f"/fields/{name}/{fname}", body=patch)
                changes.append(f"updated field {name}.{fname} {json.dumps(patch)}")

    for name in _ordered(model):
        m2o = {f: s for f, s in collections[name]["fields"].items() if s["type"] == "m2o"}
        if not m2o:
            continue
        have = {r["field"]: r for r in await api.items(f"/relations/{name}")}
        for fname, spec in m2o.items():
            relation = have.get(fname)
            if relation is None:
                await api.data(
                    "POST",
                    "/relations",
                    body={
                        "collection": name,
                        "field": fname,
                        "related_collection": spec["related"],
                        "schema": {"on_delete": ON_DELETE},
                    },
                )
                changes.append(f"created relation {name}.{fname} -> {spec['related']}")
                continue
            if relation.get("related_collection") != spec["related"]:
                raise ProvisionError(
                    f"{name}.{fname} points at {relation.get('related_collection')}, "
                    f"the model wants {spec['related']}: fix it by hand"
                )
            on_delete = (relation.get("schema") or {}).get("on_delete")
            if on_delete is not None and str(on_delete).upper() != ON_DELETE:
                await api.data(
                    "PATCH",
                    f"/relations/{name}/{fname}",
                    body={"schema": {"on_delete": ON_DELETE}},
                )
                changes.append(f"updated relation {name}.{fname} on_delete {ON_DELETE}")


def _ordered(model: Mapping[str, Any]) -> list[str]:
    order: list[str] = list(model.get("sync_order") or [])
    return order + [c for c in model["collections"] if c not in order]


async def _find_one(api: _Api, path: str, **filters: str) -> Item | None:
    params = {f"filter[{k}][_eq]": v for k, v in filters.items()}
    found = await api.items(path, params)
    return found[0] if found else None


async def _apply_worker(api: _Api, model: Mapping[str, Any], token: str, changes: list[str]) -> str:
    policy = await _find_one(api, "/policies", name=POLICY_NAME)
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

    wanted = [*_ordered(model), ACTIVITY_COLLECTION]
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

    role = await _find_one(api, "/roles", name=ROLE_NAME)
    if role is None:
        role = await api.data(
            "POST",
            "/roles",
            body={"name": ROLE_NAME, "icon": "sync", "description": "Verdict's CMS sync worker"},
        )
        changes.append("created worker role")
    assert role is not None
    role_id = str(role["id"])
    if await _find_one(api, "/access", role=role_id, policy=policy_id) is None:
        await api.data("POST", "/access", body={"role": role_id, "policy": policy_id})
        changes.append("attached worker policy to role")

    user = await _find_one(api, "/users", email=WORKER_EMAIL)
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


def _strip_item(item: Mapping[str, Any], allowed: set[str]) -> Item:
    out: Item = {}
    for key, value in item.items():
        if key not in allowed:
            continue
        if isinstance(value, Mapping) and "id" in value:  # expanded m2o
            value = value["id"]
        out[key] = value
    return out


def _read_optional(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


async def _load_samples(
    api: _Api, model: Mapping[str, Any], sample_dir: Path, created: dict[str, int]
) -> None:
    for name in _ordered(model):
        path = sample_dir / f"{name}.json"
        raw = await asyncio.to_thread(_read_optional, path)
        if raw is None:
            _log(f"no sample content for {name} ({path})")
            continue
        items: list[Item] = json.loads(raw)["data"]
        coll = model["collections"][name]
        allowed = {"id", *coll["fields"]} | ({"status"} if coll.get("has_status") else set())
        existing = {int(i["id"]) for i in await api.items(f"/items/{name}", {"fields": "id"})}
        new = [_strip_item(i, allowed) for i in items if int(i["id"]) not in existing]
        for start in range(0, len(new), BATCH_SIZE):
            await api.data("POST", f"/items/{name}", body=new[start : start + BATCH_SIZE])
        if new:
            created[name] = len(new)


async def _apply_flow(
    api: _Api,
    model: Mapping[str, Any],
    webhook_url: str,
    webhook_secret: str | None,
    changes: list[str],
) -> str:
    flow_fields: Item = {
        "icon": "webhook",
        "description": "Tells Verdict's sync worker that content changed.",
        "status": "active",
        "trigger": "event",
        "accountability": "activity",
        "options": {
            "type": "action",
            "scope": ["items.create", "items.update", "items.delete"],
            "collections": _ordered(model),
        },
    }
    flow = await _find_one(api, "/flows", name=FLOW_NAME)
    if flow is None:
        flow = await api.data("POST", "/flows", body={"name": FLOW_NAME, **flow_fields})
        changes.append("created webhook flow")
    else:
        patch = {k: v for k, v in flow_fields.items() if flow.get(k) != v}
        if patch:
            await api.data("PATCH", f"/flows/{flow['id']}", body=patch)
            changes.append(f"updated webhook flow {sorted(patch)}")
    assert flow is not None
    flow_id = str(flow["id"])

    headers = [{"header": WEBHOOK_SECRET_HEADER, "value": webhook_secret}] if webhook_secret else []
    options: Item = {
        "method": "POST",
        "url": webhook_url,
        "headers": headers,
        "body": "{{$trigger}}",
    }
    operation = await _find_one(api, "/operations", flow=flow_id, key=OPERATION_KEY)
    if operation is None:
        operation = await api.data(
            "POST",
            "/operations",
            body={
                "name": "POST to Verdict",
                "key": OPERATION_KEY,
                "type": "request",
                "position_x": 19,
                "position_y": 1,
                "flow": flow_id,
                "options": options,
            },
        )
        changes.append("created webhook operation")
    elif operation.get("type") != "request" or operation.get("options") != options:
        await api.data(
            "PATCH",
            f"/operations/{operation['id']}",
            body={"type": "request", "options": options},
        )
        changes.append("updated webhook operation (url/secret)")
    assert operation is not None
    if str(flow.get("operation")) != str(operation["id"]):
        await api.data("PATCH", f"/flows/{flow_id}", body={"operation": operation["id"]})
        changes.append("linked webhook operation to flow")
    return flow_id


async def provision(
    cms_url: str,
    admin_token: str,
    *,
    webhook_url: str | None,
    webhook_secret: str | None,
    with_sample_content: bool,
    worker_token: str | None = None,
    model_path: Path = DEFAULT_MODEL_PATH,
    sample_dir: Path = DEFAULT_SAMPLE_DIR,
) -> ProvisionResult:
    """Make the Directus at ``cms_url`` match Verdict's content model. Idempotent."""
    model: Mapping[str, Any] = json.loads(await asyncio.to_thread(model_path.read_text))
    token = worker_token or derive_worker_token(admin_token)
    changes: list[str] = []
    created: dict[str, int] = {}
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
        api = _Api(session, cms_url, admin_token)
        await _apply_schema(api, model, changes)
        user_id = await _apply_worker(api, model, token, changes)
        if changes:
            await api.call("POST", "/utils/cache/clear", params={"system": "true"})
        if with_sample_content:
            await _load_samples(api, model, sample_dir, created)
        flow_id = None
        if webhook_url is not None:
            flow_id = await _apply_flow(api, model, webhook_url, webhook_secret, changes)
    for change in changes:
        _log(change)
    for name, count in created.items():
        _log(f"created {count} sample {name}")
    return ProvisionResult(
        worker_token=token,
        worker_user_id=user_id,
        flow_id=flow_id,
        changes=tuple(changes),
        items_created=created,
    )


if __name__ == "__main__":  # pragma: no cover - manual use: python -m ... URL TOKEN
    result = asyncio.run(
        provision(
            sys.argv[1],
            sys.argv[2],
            webhook_url=sys.argv[3] if len(sys.argv) > 3 else None,
            webhook_secret=sys.argv[4] if len(sys.argv) > 4 else None,
            with_sample_content=True,
        )
    )
    print(json.dumps({"worker_token": result.worker_token, "changes": result.changes}))
