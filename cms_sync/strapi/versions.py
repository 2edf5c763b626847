"""A Strapi document's two versions as the one raw entry the mapping reads.

Strapi 5 keeps a draft of every document and, once published, a published version beside it.
Verdict shows what the public sees, so the raw entry handed to the mapping
(``schema/cms/strapi.json``) is:

* the **published** version when there is one: its ``publishedAt`` is set, so the mapping reads
  ``status: "published"`` and stamps it with ``publishedAt`` (every publish is a new stamp: a
  re-publish is applied, an edit saved only to the draft is not);
* else the **draft**, whose ``publishedAt`` is null: ``status: "draft"``, stamped with its
  ``updatedAt`` (so an unpublish changes the stamp: it falls back to the draft's);
* ``archived`` has no Strapi counterpart and never comes.

Relations arrive populated as ``{"id", "documentId"}``. A published version links only to
published targets (Strapi drops the link while the target is unpublished, and restores it when it
is published), so a missing link falls back to the draft's, which always points at the target's
draft: Verdict keeps the reference, and its own status rules decide what the public sees.

Collections without draft & publish (``comparison_sides``) are read with ``status=draft`` only,
whose relations point at every target, published or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cms_sync.mapping import CollectionMap
from cms_sync.source import RawEntry


def visible_version(
    spec: CollectionMap, draft: Mapping[str, Any], published: Mapping[str, Any] | None
) -> RawEntry:
    """The version the public sees, with links the published version lost taken from the draft."""
    if spec.status is None or published is None:
        shown = dict(draft)
        if spec.status is not None and spec.status.path is not None:
            shown[spec.status.path[0]] = None  # a draft row's publishedAt is null already
        return shown
    shown = dict(published)
    for field in spec.fields:
        if field.link is None or field.path is None:
            continue
        key = field.path[0]
        if shown.get(key) is None and draft.get(key) is not None:
            shown[key] = draft[key]
    return shown
