"""Validation of raw CMS entries against the content model.

A valid entry becomes a ``ParsedEntry``: the entry's id, its updated-at time, the database columns
and the ids it refers to. An invalid one raises ``EntryError`` with a reason an editor can act on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cms_sync.content_model import CollectionSpec, FieldSpec, load_content_model
from cms_sync.source import RawEntry
from verdict import limits
from verdict.models.content import ID_LENGTH

# CMS field name -> database column, where they differ.
_COLUMN_NAMES = {"sort": "position"}
OVER_LIMIT = "over_limit"
"""Reason code of an entry that would take a list past its declared bound (``verdict.limits``)."""
# (collection, list field) -> the most items it may hold: the API's cost estimate counts on it.
_ITEM_LIMITS = {("tools", "model_sizes"): limits.MAX_MODEL_SIZES}


class EntryError(Exception):
    """An entry that cannot be applied; ``code`` is stable, ``reason`` is for editors."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    id: str
    updated_at: datetime
    columns: dict[str, Any]
    references: dict[str, str] = field(default_factory=dict)
    """related collection name -> id, for entries that must wait for what they refer to."""


def text_id(value: object) -> object:
    """An integer id (not a bool) as its decimal text (Directus's 42 -> "42"); else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def text_ids(collection: str, entry: RawEntry) -> RawEntry:
    """``entry`` with its id and its m2o references as text (an expanded relation's id too), as a
    source hands entries to the engine; values that are not integers are left for
    ``parse_entry`` to check."""
    spec = load_content_model().collections.get(collection)
    converted = dict(entry)
    if "id" in entry:
        converted["id"] = text_id(entry["id"])
    for field_spec in spec.fields if spec is not None else ():
        if field_spec.type != "m2o" or field_spec.name not in entry:
            continue
        value = entry[field_spec.name]
        if isinstance(value, dict):
            converted[field_spec.name] = {**value, "id": text_id(value.get("id"))}
        else:
            converted[field_spec.name] = text_id(value)
    return converted


def parse_timestamp(raw: str) -> datetime:
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_entry(collection: str, raw: RawEntry) -> ParsedEntry:
    """Validate ``raw`` as an entry of ``collection``; raise EntryError when it is malformed."""
    spec = load_content_model().collections[collection]
    entry_id = cms_id("id", raw.get("id"))
    updated_raw = raw.get("date_updated") or raw.get("date_created")
    if not isinstance(updated_raw, str):
        raise EntryError("missing_field", "date_updated is missing")
    try:
        updated_at = parse_timestamp(updated_raw)
    except ValueError:
        raise EntryError(
            "wrong_type", f"date_updated is not a timestamp ({updated_raw!r})"
        ) from None

    columns: dict[str, Any] = {"id": entry_id, "cms_updated_at": updated_at}
    references: dict[str, str] = {}
    if spec.has_status:
        columns["status"] = _enum(
            "status", raw.get("status"), load_content_model().status_choices, required=True
        )
    for field_spec in spec.fields:
        value = _field_value(spec, field_spec, raw.get(field_spec.name))
        if field_spec.type == "m2o":
            columns[f"{field_spec.name}_id"] = value
            if value is not None and field_spec.related is not None:
                references[field_spec.related] = value
        else:
            columns[_COLUMN_NAMES.get(field_spec.name, field_spec.name)] = value
    return ParsedEntry(id=entry_id, updated_at=updated_at, columns=columns, references=references)


def _field_value(spec: CollectionSpec, field_spec: FieldSpec, value: Any) -> Any:
    name = field_spec.name
    if value is None or (isinstance(value, str) and not value.strip() and field_spec.required):
        if field_spec.required:
            raise EntryError("missing_field", f"{name} is required")
        if field_spec.type == "json":
            return []
        return None
    if field_spec.choices is not None:
        return _enum(name, value, field_spec.choices, required=field_spec.required)
    match field_spec.type:
        case "string" | "text":
            if not isinstance(value, str):
                raise _wrong_type(name, "a string", value)
            return value
        case "boolean":
            if not isinstance(value, bool):
                raise _wrong_type(name, "true or false", value)
            return value
        case "m2o":
            if isinstance(value, dict):
                value = value.get("id")  # an expanded relation
            return cms_id(name, value)
        case "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                raise _wrong_type(name, "an integer", value)
            return value
        case "timestamp":
            if not isinstance(value, str):
                raise _wrong_type(name, "a timestamp", value)
            try:
                return parse_timestamp(value)
            except ValueError:
                raise _wrong_type(name, "a timestamp", value) from None
        case "json":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _wrong_type(name, "a list of strings", value)
            most = _ITEM_LIMITS.get((spec.name, name))
            if most is not None and len(value) > most:
                raise EntryError(
                    OVER_LIMIT, f"{name} lists {len(value)} items, more than the {most} allowed"
                )
            return value
    raise EntryError("wrong_type", f"{spec.name}.{name} has unsupported type {field_spec.type}")


def cms_id(name: str, value: Any) -> str:
    """A CMS id as Verdict keeps it: the CMS's own id as opaque text.

    Any non-empty string of at most ``ID_LENGTH`` characters without control characters (a
    Contentful sys.id, a Strapi documentId) is taken as it comes; Directus's integer keys become
    their decimal text (42 -> "42"). Anything else raises ``EntryError`` (``invalid_id``).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value <= 0:
            raise EntryError("invalid_id", f"{name} must be a positive integer (got {value!r})")
        return str(value)
    if not isinstance(value, str):
        raise EntryError(
            "invalid_id",
            f"{name} must be a positive integer or an id as text (got {_shown(value)})",
        )
    if not value:
        raise EntryError("invalid_id", f"{name} is empty")
    if len(value) > ID_LENGTH:
        raise EntryError(
            "invalid_id",
            f"{name} is {len(value)} characters long, more than the {ID_LENGTH} allowed "
            f"(starts {_shown(value)})",
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise EntryError("invalid_id", f"{name} contains a control character ({_shown(value)})")
    return value


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _enum(name: str, value: Any, choices: tuple[str, ...], *, required: bool) -> str:
    if not isinstance(value, str) or value not in choices:
        raise EntryError(
            "unknown_enum", f"{name} must be one of {', '.join(choices)} (got {value!r})"
        )
    return value


def _wrong_type(name: str, expected: str, value: Any) -> EntryError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return EntryError("wrong_type", f"{name} must be {expected} (got {shown})")
