"""Checks JSON-LD against the schema.org vocabulary, as msgspec-schemaorg generates it (one
class per schema.org type, one field per property the type or its ancestors may carry).

``problems(data)`` lists every node whose ``@type`` is not a schema.org type, every property a
node's type may not carry, and every nested node whose type is not in the property's range.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec_schemaorg.models as vocabulary

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({"@context", "@type", "@id", "@graph"})


def schema_type(name: str) -> type | None:
    found = getattr(vocabulary, name, None)
    return found if isinstance(found, type) else None


def _properties(cls: type) -> dict[str, str]:
    """Encoded property name -> its annotation text, over the class and its ancestors."""
    annotations: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        annotations.update({k: str(v) for k, v in vars(klass).get("__annotations__", {}).items()})
    names = zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True)  # type: ignore[attr-defined]
    return {encoded: annotations.get(field, "") for field, encoded in names}


def _range(annotation: str) -> list[type]:
    return [t for t in map(schema_type, _NAME.findall(annotation)) if t is not None]


def problems(data: Any, path: str = "$") -> list[str]:
    found: list[str] = []
    if isinstance(data, list):
        for index, item in enumerate(data):
            found += problems(item, f"{path}[{index}]")
        return found
    if not isinstance(data, dict):
        return found
    if "@graph" in data:
        return problems(data["@graph"], f"{path}.@graph")
    type_name = data.get("@type")
    cls = schema_type(type_name) if isinstance(type_name, str) else None
    if cls is None:
        if set(data) - {"@id"}:  # a bare {"@id": ...} reference needs no type
            found.append(f"{path}: @type {type_name!r} is not a schema.org type")
        return found
    properties = _properties(cls)
    for key, value in data.items():
        if key in _KEYWORDS:
            continue
        if key not in properties:
            found.append(f"{path}: {type_name} has no property {key!r}")
            continue
        allowed = _range(properties[key])
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}.{key}[{index}]" if isinstance(value, list) else f"{path}.{key}"
            if isinstance(item, dict) and isinstance(item.get("@type"), str):
                nested = schema_type(item["@type"])
                if nested is not None and allowed and not issubclass(nested, tuple(allowed)):
                    found.append(f"{where}: {item['@type']} is not in the range of {key}")
            found += problems(item, where)
    return found


def nodes(data: Any, type_name: str) -> list[dict[str, Any]]:
    """Every node of ``type_name`` anywhere in ``data``."""
    found: list[dict[str, Any]] = []
    if isinstance(data, list):
        for item in data:
            found += nodes(item, type_name)
    elif isinstance(data, dict):
        if data.get("@type") == type_name:
            found.append(data)
        for value in data.values():
            found += nodes(value, type_name)
    return found
