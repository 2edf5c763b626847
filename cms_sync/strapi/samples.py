"""The demo's sample content (``content/sample/``, in Directus's export shape) into a Strapi.

Loaded only into a Strapi without tools yet (so a second provision adds nothing), in the content
model's sync order, through the REST API with a full-access token: each entry under the Strapi
names of the mapping, relations as the ``documentId`` Strapi gave the related entry, published
when the sample says ``published`` and saved as a draft otherwise (Strapi has no ``archived``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import aiohttp

from cms_sync.content_model import load_content_model
from cms_sync.mapping import Mapping

SAMPLE_DIR: Final = Path(__file__).resolve().parents[2] / "content" / "sample"


class SampleError(RuntimeError):
    """The sample content could not be loaded; the message names the entry and Strapi's answer."""


async def load_samples(
    session: aiohttp.ClientSession,
    base_url: str,
    token: str,
    mapping: Mapping,
    sample_dir: Path = SAMPLE_DIR,
) -> dict[str, int]:
    """Create the samples; returns how many entries of each collection were created."""
    headers = {"Authorization": f"Bearer {token}"}
    base = base_url.rstrip("/")
    first = mapping.collections["tools"].cms_type
    async with session.get(
        f"{base}/api/{first}",
        params={"status": "draft", "pagination[pageSize]": "1", "fields[0]": "documentId"},
        headers=headers,
    ) as response:
        existing = await response.json(content_type=None)
    if response.status != 200:
        raise SampleError(f"GET /api/{first} answered {response.status}")
    if existing.get("data"):
        return {}
    model = load_content_model()
    ids: dict[str, dict[int, str]] = {}
    created: dict[str, int] = {}
    for collection in model.sync_order:
        spec = mapping.collections[collection]
        related = {f.name: f.related for f in model.collections[collection].fields}
        entries: list[dict[str, Any]] = json.loads((sample_dir / f"{collection}.json").read_text())[
            "data"
        ]
        ids[collection] = {}
        for entry in entries:
            data: dict[str, Any] = {}
            for field in spec.fields:
                if field.path is None:
                    continue
                value = entry.get(field.name)
                target = related.get(field.name)
                if field.link is not None and value is not None and target is not None:
                    value = ids[target][int(value)]
                data[field.path[0]] = value
            status = "published" if entry.get("status", "published") == "published" else "draft"
            url = f"{base}/api/{spec.cms_type}"
            async with session.post(
                url, params={"status": status}, json={"data": data}, headers=headers
            ) as response:
                answer = await response.json(content_type=None)
                if response.status >= 300:
                    raise SampleError(
                        f"{collection} {entry.get('id')}: Strapi answered {response.status}: "
                        f"{json.dumps(answer)[:300]}"
                    )
            ids[collection][int(entry["id"])] = str(answer["data"]["documentId"])
            created[collection] = created.get(collection, 0) + 1
    return created
