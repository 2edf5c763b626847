"""A Strapi document (its draft and published versions) as one canonical Verdict entry.

Strapi 5 keeps a draft of every document and, once published, a published version beside it.
Verdict shows what the public sees:

* a document with a published version is ``status: "published"`` with the **published**
  version's fields, stamped with its ``publishedAt`` (each publish is a new stamp, so a
  re-publish is applied and an edit saved only to the draft is not);
* a document without one is ``status: "draft"`` with the draft's fields, stamped with the
  draft's ``updatedAt`` (an unpublish therefore changes the stamp: it falls back to the draft's);
* ``archived`` has no Strapi counterpart and is never produced.

Relations are the related document's ``documentId``. A published version links only to
published targets (Strapi drops the link while the target is unpublished), so a missing link
falls back to the draft's link, which always points at the target's draft.

Collections without draft & publish (``comparison_sides``) are read once with ``status=draft``,
whose relations point at every target, published or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cms_sync.content_model import CollectionSpec, load_content_model
from cms_sync.source import RawEntry
from cms_sync.strapi.content_types import strapi_field


def related_id(value: Any) -> str | None:
    """``{"documentId": "..."}`` (a populated relation) as its documentId."""
    if isinstance(value, Mapping):
        document_id = value.get("documentId")
        if isinstance(document_id, str):
            return document_id
    return None


def canonical(
    collection: str, draft: Mapping[str, Any], published: Mapping[str, Any] | None
) -> RawEntry:
    """The canonical entry for one document; fields the CMS left out stay out (the engine
    reports them)."""
    spec: CollectionSpec = load_content_model().collections[collection]
    shown = published if (published is not None and spec.has_status) else draft
    entry: RawEntry = {"id": draft.get("documentId")}
    if spec.has_status:
        if published is not None:
            entry["status"] = "published"
            entry["date_updated"] = published.get("publishedAt") or published.get("updatedAt")
        else:
            entry["status"] = "draft"
            entry["date_updated"] = draft.get("updatedAt")
    else:
        entry["date_updated"] = draft.get("updatedAt")
    for field in spec.fields:
        name = strapi_field(field.name)
        if field.type == "m2o":
            link = related_id(shown.get(name))
            if link is None and shown is not draft:
                link = related_id(draft.get(name))
            entry[field.name] = link
        elif name in shown:
            entry[field.name] = shown[name]
    return entry
