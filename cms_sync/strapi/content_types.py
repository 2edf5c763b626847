"""Verdict's content model as Strapi 5 content types (code under ``cms/strapi/src/api``).

Strapi keeps content types as files in the project (``src/api/<name>/content-types/<name>/
schema.json`` plus a core router, controller and service); its Content-Type Builder writes those
same files and only in development mode. So the files are rendered here from
``schema/content-model.json`` and committed; ``python -m cms_sync.strapi.content_types --write``
renders them again after a model change, ``--check`` (run by the tests) fails on drift, and
``verdict cms provision --kind strapi`` checks that the running Strapi serves every type.

Names come from the Strapi mapping (``schema/cms/strapi.json``): a collection's ``type`` is the
Strapi type's plural API id (REST path ``/api/<type>``), its singular API id is that without the
final ``s``, and each model field is the Strapi attribute the mapping names. A collection with a
status has Strapi's draft & publish.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cms_sync.content_model import CONTENT_MODEL_PATH
from cms_sync.mapping import Mapping as CmsMapping
from cms_sync.mapping import load_mapping

STRAPI_DIR: Final = Path(__file__).resolve().parents[2] / "cms" / "strapi"

_SCALARS: Final[Mapping[str, str]] = {
    "string": "string",
    "text": "text",
    "integer": "integer",
    "boolean": "boolean",
    "json": "json",
    "timestamp": "datetime",
}


@dataclass(frozen=True, slots=True)
class StrapiType:
    """One collection as a Strapi collection type."""

    collection: str
    singular: str
    plural: str

    @property
    def uid(self) -> str:
        return f"api::{self.singular}.{self.singular}"

    @property
    def rest_path(self) -> str:
        return f"/api/{self.plural}"


def strapi_type(collection: str, mapping: CmsMapping | None = None) -> StrapiType:
    """The Strapi type of ``collection`` under ``mapping`` (the committed one by default)."""
    plural = (mapping or load_mapping("strapi")).collections[collection].cms_type
    singular = plural[:-1] if plural.endswith("s") else plural
    return StrapiType(collection=collection, singular=singular, plural=plural)


def strapi_field(collection: str, model_field: str, mapping: CmsMapping | None = None) -> str:
    """The Strapi attribute holding ``model_field`` (its mapping path's first key)."""
    spec = (mapping or load_mapping("strapi")).collections[collection]
    for field in spec.fields:
        if field.name == model_field and field.path is not None:
            return field.path[0]
    raise KeyError(f"{collection}.{model_field} has no Strapi attribute in the mapping")


def _attribute(spec: Mapping[str, Any]) -> dict[str, Any]:
    kind = spec["type"]
    if kind == "m2o":
        # Strapi does not enforce required relations; the sync quarantines an entry without one.
        target = strapi_type(spec["related"]).uid
        return {"type": "relation", "relation": "manyToOne", "target": target}
    attribute: dict[str, Any]
    if "choices" in spec:
        attribute = {"type": "enumeration", "enum": list(spec["choices"])}
    else:
        attribute = {"type": _SCALARS[kind]}
    if spec.get("required"):
        attribute["required"] = True
    if spec.get("unique"):
        attribute["unique"] = True
    return attribute


def _schema(collection: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    names = strapi_type(collection)
    display = collection.replace("_", " ").capitalize()
    return {
        "kind": "collectionType",
        "collectionName": collection,
        "info": {
            "singularName": names.singular,
            "pluralName": names.plural,
            "displayName": display,
            "description": spec.get("note", ""),
        },
        "options": {"draftAndPublish": bool(spec["has_status"])},
        "pluginOptions": {},
        "attributes": {
            strapi_field(collection, name): _attribute(field)
            for name, field in spec["fields"].items()
        },
    }


def _factory(kind: str, uid: str) -> str:
    factory = {"routes": "createCoreRouter", "controllers": "createCoreController"}.get(
        kind, "createCoreService"
    )
    return (
        "'use strict';\n\n"
        "// Rendered by cms_sync/strapi/content_types.py from schema/content-model.json.\n"
        "const { factories } = require('@strapi/strapi');\n\n"
        f"module.exports = factories.{factory}('{uid}');\n"
    )


def render(model_path: Path = CONTENT_MODEL_PATH) -> dict[str, str]:
    """Every file of the Strapi content types, by path relative to ``cms/strapi``."""
    document: dict[str, Any] = json.loads(model_path.read_text())
    files: dict[str, str] = {}
    for collection, spec in document["collections"].items():
        names = strapi_type(collection)
        base = f"src/api/{names.singular}"
        schema = _schema(collection, spec)
        files[f"{base}/content-types/{names.singular}/schema.json"] = (
            json.dumps(schema, indent=2) + "\n"
        )
        for kind in ("routes", "controllers", "services"):
            files[f"{base}/{kind}/{names.singular}.js"] = _factory(kind, names.uid)
    return files


def drift(strapi_dir: Path = STRAPI_DIR) -> list[str]:
    """Paths whose committed content differs from the rendering, and stray API folders."""
    files = render()
    stale = [p for p, text in files.items() if _read(strapi_dir / p) != text]
    api = strapi_dir / "src" / "api"
    wanted = {p.split("/")[2] for p in files}
    if api.is_dir():
        stale.extend(f"src/api/{d.name}" for d in sorted(api.iterdir()) if d.name not in wanted)
    return stale


def write(strapi_dir: Path = STRAPI_DIR) -> list[str]:
    """Write the rendering; return the paths that changed."""
    changed = []
    for path, text in render().items():
        target = strapi_dir / path
        if _read(target) != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            changed.append(path)
    return changed


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="render the files into cms/strapi")
    action.add_argument("--check", action="store_true", help="fail when the files drifted")
    args = parser.parse_args(argv)
    if args.write:
        for path in write():
            print(f"wrote cms/strapi/{path}")
        return 0
    stale = drift()
    for path in stale:
        print(f"cms/strapi/{path} differs from schema/content-model.json", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
