"""Apply Verdict's content model (``schema/content-model.json``) to a Directus over REST.

Idempotent: every step reads what is there first and only creates or patches what
differs, so running :func:`provision` a second time changes nothing (``result.changes`` is
empty). Steps, in order:

1. collections and fields (``id``, ``status``, ``date_created``, ``date_updated`` + the
   model's fields), m2o relations, collection metadata;
2. a read-only worker: policy, read permissions on the content collections and on
   ``directus_activity`` (deletes are read from the activity log), role, access link and a
   user with a static token;
3. ``POST /utils/cache/clear?system=true`` when anything in 1-2 changed;
4. optional sample content from ``content/sample/<collection>.json``, in ``sync_order``,
   keeping ids and skipping ids that already exist;
5. optional webhook Flow: an event trigger (items.create/update/delete on every content
   collection) with one ``request`` operation POSTing ``{{$trigger}}`` to the webhook URL
   with an ``X-Verdict-Webhook-Secret`` header;
6. the ``verdict_sync_issues`` collection and a second token that may write only it
   (``issues_access.py``), so the worker shows editors what it could not sync;
7. optional preview URLs on comparisons, tools and reviewers (``preview_links.py``);
8. optional: the editors' role and one editor who logs in with a password (``editor_access.py``).

Directus conceals user tokens on read, so the worker tokens cannot be read back. Unless one
is passed in, each is derived from the admin token (HMAC), which makes it reproducible: an
existing worker user keeps its token when that token still authenticates as that user, and
is re-keyed to the derived token otherwise.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import aiohttp

from cms_sync.directus.admin_api import REQUEST_TIMEOUT, AdminApi, log
from cms_sync.directus.content_schema import apply_schema
from cms_sync.directus.editor_access import EditorLogin, apply_editor
from cms_sync.directus.flow import apply_flow
from cms_sync.directus.issues_access import apply_issues, derive_issues_token
from cms_sync.directus.preview_links import apply_preview_urls
from cms_sync.directus.samples import load_samples
from cms_sync.directus.worker_access import apply_worker, derive_worker_token
from cms_sync.http import cms_connector

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_PATH: Final = REPO_ROOT / "schema" / "content-model.json"
DEFAULT_SAMPLE_DIR: Final = REPO_ROOT / "content" / "sample"


@dataclass(frozen=True)
class ProvisionResult:
    worker_token: str
    worker_user_id: str
    issues_token: str
    """The second token: writes verdict_sync_issues and nothing else (CMS_ISSUES_TOKEN)."""
    flow_id: str | None
    changes: tuple[str, ...] = ()
    items_created: Mapping[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


async def provision(
    cms_url: str,
    admin_token: str,
    *,
    webhook_url: str | None,
    webhook_secret: str | None,
    with_sample_content: bool,
    worker_token: str | None = None,
    issues_token: str | None = None,
    preview_urls: Mapping[str, str] | None = None,
    editor: EditorLogin | None = None,
    model_path: Path = DEFAULT_MODEL_PATH,
    sample_dir: Path = DEFAULT_SAMPLE_DIR,
) -> ProvisionResult:
    """Make the Directus at ``cms_url`` match Verdict's content model. Idempotent."""
    model: Mapping[str, Any] = json.loads(await asyncio.to_thread(model_path.read_text))
    token = worker_token or derive_worker_token(admin_token)
    issues = issues_token or derive_issues_token(admin_token)
    changes: list[str] = []
    created: dict[str, int] = {}
    async with aiohttp.ClientSession(connector=cms_connector(), timeout=REQUEST_TIMEOUT) as session:
        api = AdminApi(session, cms_url, admin_token)
        await apply_schema(api, model, changes)
        user_id = await apply_worker(api, model, token, changes)
        await apply_issues(api, issues, changes)
        if preview_urls is not None:
            await apply_preview_urls(api, preview_urls, changes)
        if editor is not None:
            await apply_editor(api, model, editor, changes)
        if changes:
            await api.call("POST", "/utils/cache/clear", params={"system": "true"})
        if with_sample_content:
            await load_samples(api, model, sample_dir, created)
        flow_id = None
        if webhook_url is not None:
            flow_id = await apply_flow(api, model, webhook_url, webhook_secret, changes)
    for change in changes:
        log(change)
    for name, count in created.items():
        log(f"created {count} sample {name}")
    return ProvisionResult(
        worker_token=token,
        worker_user_id=user_id,
        issues_token=issues,
        flow_id=flow_id,
        changes=tuple(changes),
        items_created=created,
    )


if __name__ == "__main__":  # pragma: no cover - manual use: python -m ... URL TOKEN
    result = asyncio.run(
        provision(
            sys.argv[1],
            sys.argv[2],
            webhook_url=sys.argv[3] if len(sys.argv) > 3 else None,
            webhook_secret=sys.argv[4] if len(sys.argv) > 4 else None,
            with_sample_content=True,
        )
    )
    print(json.dumps({"worker_token": result.worker_token, "changes": result.changes}))
