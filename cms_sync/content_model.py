"""The CMS content model (``schema/content-model.json``), loaded once and typed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

CONTENT_MODEL_PATH = Path(__file__).resolve().parents[1] / "schema" / "content-model.json"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    choices: tuple[str, ...] | None = None
    related: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionSpec:
    name: str
    has_status: bool
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class ContentModel:
    collections: dict[str, CollectionSpec]
    status_choices: tuple[str, ...]
    sync_order: tuple[str, ...]


@cache
def load_content_model(path: Path = CONTENT_MODEL_PATH) -> ContentModel:
    document: dict[str, Any] = orjson.loads(path.read_bytes())
    collections = {
        name: CollectionSpec(
            name=name,
            has_status=bool(spec["has_status"]),
            fields=tuple(
                FieldSpec(
                    name=field_name,
                    type=field["type"],
                    required=bool(field["required"]),
                    choices=tuple(field["choices"]) if "choices" in field else None,
                    related=field.get("related"),
                )
                for field_name, field in spec["fields"].items()
            ),
        )
        for name, spec in document["collections"].items()
    }
    return ContentModel(
        collections=collections,
        status_choices=tuple(document["status_choices"]),
        sync_order=tuple(document["sync_order"]),
    )
