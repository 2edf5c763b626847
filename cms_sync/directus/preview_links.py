"""Provisioning step 7: Directus's preview URL on comparisons, tools and reviewers.

Directus renders a collection's ``meta.preview_url`` template with the item's fields and opens it
from the item's preview button (and in its Live Preview pane). Ours opens the site's
``/preview/enter`` with a preview token and the page to show; the site swaps the token for an
HttpOnly cookie. The token lives a few hours only (``VERDICT_PREVIEW_TOKEN_HOURS``; the CLI mints
it, ``verdict_cli.cms.link_token``) and provision renews it: never a long-lived secret in
Directus's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from urllib.parse import quote

from cms_sync.directus.admin_api import AdminApi

# Where each collection's item shows on the site; tools and reviewers open a comparison of theirs.
PREVIEW_PATHS: Final = {
    "comparisons": "/compare/{{slug}}",
    "tools": "/tool/{{slug}}",
    "reviewers": "/reviewer/{{slug}}",
}


def preview_templates(site_url: str, token: str) -> dict[str, str]:
    """Collection -> its Directus preview URL template on the site at ``site_url``."""
    base = f"{site_url.rstrip('/')}/preview/enter?token={quote(token, safe='')}&to="
    return {collection: base + path for collection, path in PREVIEW_PATHS.items()}


async def apply_preview_urls(
    api: AdminApi, templates: Mapping[str, str], changes: list[str]
) -> None:
    have = {c["collection"]: c.get("meta") or {} for c in await api.items("/collections")}
    for collection, template in templates.items():
        if have.get(collection, {}).get("preview_url") != template:
            await api.data(
                "PATCH", f"/collections/{collection}", body={"meta": {"preview_url": template}}
            )
            changes.append(f"set the preview URL of {collection}")
