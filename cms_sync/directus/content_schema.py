"""Provisioning step 1: the content model's collections, fields and relations in Directus."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from cms_sync.directus.admin_api import AdminApi, Item, ProvisionError

# Every m2o of the content model points from a child at its parent (a side at its comparison and
# tool, a review at its tool and reviewer), so an editor deletes an aggregate in one step. The
# database cascades: the activity log and the webhook name only the parent, and the sync mirrors
# the cascade itself (cms_sync/cascade.py). docs/editors.md says why not a Flow.
ON_DELETE: Final = "CASCADE"

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


async def apply_schema(api: AdminApi, model: Mapping[str, Any], changes: list[str]) -> None:
    collections: Mapping[str, Any] = model["collections"]
    status_choices: list[str] = model["status_choices"]
    existing = {c["collection"]: c for c in await api.items("/collections")}

    for name in ordered_collections(model):
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

    for name in ordered_collections(model):
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


def ordered_collections(model: Mapping[str, Any]) -> list[str]:
    order: list[str] = list(model.get("sync_order") or [])
    return order + [c for c in model["collections"] if c not in order]
