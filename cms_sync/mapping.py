"""A CMS's content, in its own names, mapped onto Verdict's content model without code.

Each CMS has one declarative mapping file, ``schema/cms/<kind>.json`` (or the file named by
``CMS_MAPPING``): for every collection of ``schema/content-model.json`` it names the CMS's type,
where an entry keeps its id and its updated-at time, how its status reads, and which CMS field
holds each content-model field. ``load_mapping`` checks the file against the content model when
the worker starts and fails with the file, the place and what is wrong; ``Mapping.canonical``
turns one raw CMS entry into the canonical entry the engine validates (``cms_sync.entries``).

A path is dot-separated keys into the entry (``fields.slug.{locale}``): ``{locale}`` stands for
the configured locale, and a missing key reads as null (the content model then says whether the
field may be empty). A field given as ``{"field": path, "link": path}`` is a reference: when the
CMS hands the related entry as an object, ``link`` is the path to its id inside it. Docs:
docs/cms.md#mappings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from cms_sync.content_model import ContentModel, load_content_model
from cms_sync.source import RawEntry

MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "schema" / "cms"
DEFAULT_LOCALE = "en-US"
_SEGMENT = re.compile(r"^(?:[A-Za-z0-9_$-]+|\{locale\})$")
_TOP_KEYS = frozenset({"$comment", "cms", "collections"})
_COLLECTION_KEYS = frozenset({"$comment", "type", "id", "updated", "status", "fields"})
_STATUS_KEYS = frozenset({"field", "values", "const", "set", "unset"})


class MappingError(Exception):
    """A mapping file that cannot be used; the message names the file and the place."""


Path_ = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldMap:
    name: str
    """The content-model field."""
    path: Path_ | None
    """Where the CMS keeps it; None when this CMS has no such field (optional fields only)."""
    link: Path_ | None = None
    """For references: the related entry's id inside an expanded relation object."""


@dataclass(frozen=True, slots=True)
class StatusMap:
    path: Path_ | None = None
    values: dict[str, str] | None = None
    """CMS value -> Verdict status; None keeps the value as it is."""
    const: str | None = None
    when_set: str | None = None
    when_unset: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionMap:
    collection: str
    """Verdict's name (the content model's)."""
    cms_type: str
    """The CMS's name for it: a Directus collection, a Strapi API id, a Contentful content type."""
    id_path: Path_
    updated_paths: tuple[Path_, ...]
    """Where the updated-at time is, first present wins (e.g. updated, else created)."""
    status: StatusMap | None
    fields: tuple[FieldMap, ...]


@dataclass(frozen=True, slots=True)
class Mapping:
    cms: str
    collections: dict[str, CollectionMap]
    locale: str = DEFAULT_LOCALE

    def for_type(self, cms_type: str) -> CollectionMap | None:
        """The collection a CMS type maps onto (webhooks and streams name the CMS's type)."""
        for spec in self.collections.values():
            if spec.cms_type == cms_type:
                return spec
        return None

    def canonical(self, collection: str, raw: RawEntry) -> RawEntry:
        """``raw`` (the CMS's shape) as a canonical entry of ``collection``.

        Nothing is validated here beyond reading the paths: ``cms_sync.entries`` checks types and
        required fields and quarantines with a reason, so a bad entry is never dropped silently.
        """
        spec = self.collections[collection]
        entry: RawEntry = {"id": _id(self._read(raw, spec.id_path))}
        for path in spec.updated_paths:
            stamp = self._read(raw, path)
            if stamp is not None:
                entry["date_updated"] = stamp
                break
        if spec.status is not None:
            entry["status"] = self._status(spec.status, raw)
        for field in spec.fields:
            value = None if field.path is None else self._read(raw, field.path)
            if field.link is not None and isinstance(value, dict):
                value = _id(self._read(value, field.link))
            entry[field.name] = value
        return entry

    def _status(self, status: StatusMap, raw: RawEntry) -> Any:
        if status.const is not None:
            return status.const
        value = self._read(raw, status.path) if status.path is not None else None
        if status.when_set is not None:
            return status.when_set if value is not None else status.when_unset
        if status.values is not None and isinstance(value, str):
            return status.values.get(value, value)
        return value

    def _read(self, raw: Any, path: Path_) -> Any:
        value = raw
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(self.locale if key == "{locale}" else key)
        return value


def _id(value: Any) -> Any:
    """The CMS's id as it comes; ``cms_sync.entries`` checks it."""
    return value


def mapping_path(kind: str, override: str | None = None) -> Path:
    return Path(override) if override else MAPPINGS_DIR / f"{kind}.json"


def load_mapping(
    kind: str, *, override: str | None = None, locale: str = DEFAULT_LOCALE
) -> Mapping:
    """The checked mapping for CMS ``kind``; raises MappingError saying what to fix."""
    return _load(mapping_path(kind, override), kind, locale)


@cache
def _load(path: Path, kind: str, locale: str) -> Mapping:
    where = str(path)
    try:
        document = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise MappingError(f"{where}: no such mapping file") from None
    except orjson.JSONDecodeError as exc:
        raise MappingError(f"{where}: not valid JSON ({exc})") from None
    return parse_mapping(document, kind=kind, where=where, locale=locale)


def parse_mapping(
    document: Any,
    *,
    kind: str,
    where: str = "mapping",
    locale: str = DEFAULT_LOCALE,
    model: ContentModel | None = None,
) -> Mapping:
    """Check ``document`` against the content model and build the Mapping."""
    model = model if model is not None else load_content_model()
    top = _object(document, where)
    _known_keys(top, _TOP_KEYS, where)
    if top.get("cms") != kind:
        raise MappingError(f"{where}: 'cms' must be {kind!r} (got {top.get('cms')!r})")
    collections = _object(top.get("collections"), f"{where}: collections")
    unknown = sorted(set(collections) - set(model.collections))
    if unknown:
        raise MappingError(
            f"{where}: collections.{unknown[0]} is not a collection of the content model "
            f"(it has {', '.join(model.collections)})"
        )
    missing = [name for name in model.collections if name not in collections]
    if missing:
        raise MappingError(f"{where}: collections.{missing[0]} is missing")
    built: dict[str, CollectionMap] = {}
    types: dict[str, str] = {}
    for name in model.collections:
        spec = _collection(name, collections[name], model, f"{where}: collections.{name}")
        if spec.cms_type in types:
            raise MappingError(
                f"{where}: collections.{name}.type {spec.cms_type!r} is already the type of "
                f"{types[spec.cms_type]}"
            )
        types[spec.cms_type] = name
        built[name] = spec
    return Mapping(cms=kind, collections=built, locale=locale)


def _collection(name: str, raw: Any, model: ContentModel, where: str) -> CollectionMap:
    body = _object(raw, where)
    _known_keys(body, _COLLECTION_KEYS, where)
    cms_type = body.get("type")
    if not isinstance(cms_type, str) or not cms_type:
        raise MappingError(f"{where}.type must name the CMS's type for {name}")
    updated_raw = body.get("updated")
    updated_list = [updated_raw] if isinstance(updated_raw, str) else updated_raw
    if not isinstance(updated_list, list) or not updated_list:
        raise MappingError(f"{where}.updated must be a path or a list of paths")
    updated = tuple(_path(p, f"{where}.updated") for p in updated_list)
    spec = model.collections[name]
    status = body.get("status")
    if spec.has_status and status is None:
        raise MappingError(f"{where}.status is missing ({name} has a status in the content model)")
    if not spec.has_status and status is not None:
        raise MappingError(f"{where}.status is not expected: {name} has no status")
    fields = _object(body.get("fields"), f"{where}.fields")
    known = {f.name: f for f in spec.fields}
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise MappingError(
            f"{where}.fields.{unknown[0]} is not a field of {name} in the content model "
            f"(it has {', '.join(known)})"
        )
    mapped: list[FieldMap] = []
    for field_name, field_spec in known.items():
        at = f"{where}.fields.{field_name}"
        if field_name not in fields:
            raise MappingError(f"{at} is missing (map it, or null if this CMS has no such field)")
        value = fields[field_name]
        if value is None:
            if field_spec.required:
                raise MappingError(f"{at} is required by the content model and cannot be null")
            mapped.append(FieldMap(field_name, None))
        elif isinstance(value, str):
            mapped.append(FieldMap(field_name, _path(value, at)))
        else:
            ref = _object(value, at)
            _known_keys(ref, frozenset({"field", "link"}), at)
            if field_spec.type != "m2o":
                raise MappingError(f"{at}: only references (m2o) take an object with 'link'")
            link = ref.get("link")
            mapped.append(
                FieldMap(
                    field_name,
                    _path(ref.get("field"), f"{at}.field"),
                    None if link is None else _path(link, f"{at}.link"),
                )
            )
    return CollectionMap(
        collection=name,
        cms_type=cms_type,
        id_path=_path(body.get("id"), f"{where}.id"),
        updated_paths=updated,
        status=None if status is None else _status(status, model, f"{where}.status"),
        fields=tuple(mapped),
    )


def _status(raw: Any, model: ContentModel, where: str) -> StatusMap:
    body = _object(raw, where)
    _known_keys(body, _STATUS_KEYS, where)
    choices = model.status_choices

    def choice(value: Any, at: str) -> str:
        if not isinstance(value, str) or value not in choices:
            raise MappingError(f"{at} must be one of {', '.join(choices)} (got {value!r})")
        return value

    if "const" in body:
        if len(body) != 1:
            raise MappingError(f"{where}: 'const' stands alone")
        return StatusMap(const=choice(body["const"], f"{where}.const"))
    path = _path(body.get("field"), f"{where}.field")
    if "set" in body or "unset" in body:
        if "values" in body:
            raise MappingError(f"{where}: use 'values' or 'set'/'unset', not both")
        return StatusMap(
            path=path,
            when_set=choice(body.get("set"), f"{where}.set"),
            when_unset=choice(body.get("unset"), f"{where}.unset"),
        )
    values_raw = body.get("values")
    if values_raw is None:
        return StatusMap(path=path)
    values = _object(values_raw, f"{where}.values")
    return StatusMap(
        path=path, values={k: choice(v, f"{where}.values.{k}") for k, v in values.items()}
    )


def _path(value: Any, where: str) -> Path_:
    if not isinstance(value, str) or not value:
        raise MappingError(f"{where} must be a dotted path such as 'fields.slug.{{locale}}'")
    parts = tuple(value.split("."))
    bad = next((p for p in parts if not _SEGMENT.match(p)), None)
    if bad is not None:
        raise MappingError(f"{where}: {bad!r} is not a key (letters, digits, _ $ -, or {{locale}})")
    return parts


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MappingError(f"{where} must be a JSON object")
    return value


def _known_keys(body: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(set(body) - allowed)
    if extra:
        raise MappingError(
            f"{where}: unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )
