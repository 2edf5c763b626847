"""Provisioning step 4: the demo's sample content, loaded into Directus with its ids."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from cms_sync.directus.admin_api import AdminApi, Item, log
from cms_sync.directus.content_schema import ordered_collections

BATCH_SIZE: Final = 100


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


async def load_samples(
    api: AdminApi, model: Mapping[str, Any], sample_dir: Path, created: dict[str, int]
) -> None:
    for name in ordered_collections(model):
        path = sample_dir / f"{name}.json"
        raw = await asyncio.to_thread(_read_optional, path)
        if raw is None:
            log(f"no sample content for {name} ({path})")
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
