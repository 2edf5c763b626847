"""`verdict cms up` and `verdict cms provision`: a local Directus or Strapi (``--kind``) for
development and tests."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from verdict.settings import DEFAULT_WEBHOOK_URL, PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from graphql_api.preview.tokens import PreviewSigner

# The Directus tooling is imported by the command that needs it, so `verdict serve` never loads it.
DEFAULT_DATA_DIR = PROJECT_ROOT / "cms" / "directus" / "runtime"  # cms_sync.directus.server's
STRAPI_DATA_DIR = PROJECT_ROOT / "cms" / "strapi" / "runtime"  # cms_sync.strapi.server's
LOCAL_KINDS = ("directus", "strapi")
"""The CMSs `verdict cms` can run and provision here (Contentful is a hosted service)."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def link_token(signer: PreviewSigner, hours: int, *, now: float | None = None) -> str:
    """The preview token for Directus's preview URLs: short-lived, and the same for every run of
    provision within half its lifetime (so a re-run changes nothing), with between half and all
    of ``hours`` left. Running provision every ``hours / 2`` keeps the links valid."""
    half = hours * 1800
    moment = time.time() if now is None else now
    expires = (int(moment) // half + 2) * half
    return signer.issue(hours, now=expires - hours * 3600)


def _frame_src(settings: Settings) -> str:
    """Directus's CSP frame-src (its `array:` form): itself and the preview site's origin."""
    parts = urlsplit(settings.preview_site_url)
    return f"array:'self',{parts.scheme}://{parts.netloc}"


def _kind(args: argparse.Namespace, settings: Settings) -> str:
    kind: str = args.kind or settings.cms_kind
    return kind


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def strapi_up(args: argparse.Namespace) -> int:
    """Install (first use) and run a Strapi until SIGINT/SIGTERM."""
    from cms_sync.strapi.server import StrapiError, StrapiServer, ensure_installed

    data_dir = Path(args.data_dir) if args.data_dir else STRAPI_DATA_DIR
    try:
        await asyncio.to_thread(ensure_installed)
        server = StrapiServer(data_dir, port=args.port or 1337, host=args.host)
        await server.start()
    except StrapiError as exc:
        _say(f"verdict cms up: {exc}")
        return 1
    print(f"Strapi at {server.url}  (admin: {server.admin_email})", flush=True)
    print(f"CMS_URL={server.url}", flush=True)
    print(f"CMS_ADMIN_EMAIL={server.admin_email}", flush=True)
    print(f"CMS_ADMIN_PASSWORD={server.admin_password}", flush=True)
    try:
        await _wait_for_signal()
    finally:
        await server.stop()
    return 0


async def strapi_provision(args: argparse.Namespace, settings: Settings) -> int:
    """The Strapi at CMS_URL: check its content types, make the worker's token and webhook."""
    from cms_sync.strapi.hints import WEBHOOK_PATH
    from cms_sync.strapi.provision import ProvisionError, provision

    if not settings.cms_admin_email or not settings.cms_admin_password:
        _say(
            "verdict cms provision: set CMS_ADMIN_EMAIL and CMS_ADMIN_PASSWORD "
            "(printed by `verdict cms up --kind strapi`)"
        )
        return 2
    if args.editor_email:
        _say("verdict cms provision: --editor-email is Directus's only")
        return 2
    webhook_url = settings.webhook_url
    if webhook_url == DEFAULT_WEBHOOK_URL:  # the default names Directus's path
        webhook_url = webhook_url.rsplit("/webhooks/", 1)[0] + WEBHOOK_PATH
    try:
        result = await provision(
            settings.cms_url,
            settings.cms_admin_email,
            settings.cms_admin_password,
            webhook_url=None if args.no_webhook else webhook_url,
            webhook_secret=settings.webhook_secret,
            with_sample_content=args.with_sample_content,
        )
    except ProvisionError as exc:
        _say(f"verdict cms provision: {exc}")
        return 1
    state = "changed: " + "; ".join(result.changes) if result.changed else "already up to date"
    _say(f"provisioned {settings.cms_url} ({state})")
    print(f"CMS_TOKEN={result.worker_token}", flush=True)
    return 0


async def cms_up(args: argparse.Namespace, settings: Settings) -> int:
    """Install (first use), bootstrap and run a Directus until SIGINT/SIGTERM."""
    kind = _kind(args, settings)
    if kind not in LOCAL_KINDS:
        _say(f"verdict cms up: CMS_KIND={kind} cannot run here (only {', '.join(LOCAL_KINDS)})")
        return 2
    if kind == "strapi":
        return await strapi_up(args)
    from cms_sync.directus.server import DirectusError, DirectusServer, ensure_installed

    try:
        await asyncio.to_thread(ensure_installed)
        server = DirectusServer(
            Path(args.data_dir or DEFAULT_DATA_DIR),
            port=args.port or 8055,
            host=args.host,
            admin_token=settings.cms_admin_token,
            # Directus's Live Preview pane frames the preview site: let its CSP allow that.
            extra_env={"CONTENT_SECURITY_POLICY_DIRECTIVES__FRAME_SRC": _frame_src(settings)},
        )
        await server.start()
    except DirectusError as exc:
        _say(f"verdict cms up: {exc}")
        return 1
    print(f"Directus at {server.url}  (admin: {server.admin_email})", flush=True)
    print(f"CMS_URL={server.url}", flush=True)
    print(f"CMS_ADMIN_TOKEN={server.admin_token}", flush=True)
    try:
        await _wait_for_signal()
    finally:
        await server.stop()
    return 0


async def cms_provision(args: argparse.Namespace, settings: Settings) -> int:
    """Apply the content model, the worker token and the webhook flow to the CMS at CMS_URL."""
    kind = _kind(args, settings)
    if kind not in LOCAL_KINDS:
        _say(f"verdict cms provision: CMS_KIND={kind} is provisioned by hand (see docs/cms.md)")
        return 2
    if kind == "strapi":
        return await strapi_provision(args, settings)
    from cms_sync.directus.admin_api import ProvisionError
    from cms_sync.directus.preview_links import preview_templates
    from cms_sync.directus.provision import provision
    from graphql_api.settings import for_settings

    if not settings.cms_admin_token:
        _say("verdict cms provision: set CMS_ADMIN_TOKEN (printed by `verdict cms up`)")
        return 2
    editor = None
    if args.editor_email:
        from cms_sync.directus.editor_access import EditorLogin

        if not settings.cms_editor_password:
            _say("verdict cms provision: --editor-email needs CMS_EDITOR_PASSWORD")
            return 2
        editor = EditorLogin(args.editor_email, settings.cms_editor_password)
    preview_urls = None
    if not args.no_preview:
        hours = for_settings(settings).preview_token_hours
        from graphql_api.preview.tokens import PreviewSigner

        signer = PreviewSigner.from_secret(settings.secret_key)
        preview_urls = preview_templates(settings.preview_site_url, link_token(signer, hours))
    try:
        result = await provision(
            settings.cms_url,
            settings.cms_admin_token,
            webhook_url=None if args.no_webhook else settings.webhook_url,
            webhook_secret=settings.webhook_secret,
            with_sample_content=args.with_sample_content,
            worker_token=settings.cms_token,
            issues_token=settings.cms_issues_token,
            preview_urls=preview_urls,
            editor=editor,
        )
    except ProvisionError as exc:
        _say(f"verdict cms provision: {exc}")
        return 1
    state = "changed: " + "; ".join(result.changes) if result.changed else "already up to date"
    _say(f"provisioned {settings.cms_url} ({state})")
    print(f"CMS_TOKEN={result.worker_token}", flush=True)
    print(f"CMS_ISSUES_TOKEN={result.issues_token}", flush=True)
    return 0


def add_cms_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cms = sub.add_parser(
        "cms",
        help="run and provision a local Directus or Strapi",
        description="Local CMS helpers (Directus, or Strapi with --kind strapi).",
    )
    cms_sub = cms.add_subparsers(dest="cms_command", required=True, metavar="COMMAND")
    up = cms_sub.add_parser(
        "up",
        help="start a local Directus (installed on first use), print its URL and admin token",
        description="Install Directus from cms/directus/package-lock.json on first use, "
        "bootstrap it on SQLite and run it until stopped.",
    )
    _kind_option(up)
    up.add_argument("--port", type=int, help="port (default 8055; Strapi's 1337)")
    up.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    up.add_argument(
        "--data-dir",
        help="where the CMS keeps its database (default cms/<kind>/runtime)",
    )
    up.set_defaults(handler=cms_up)
    prov = cms_sub.add_parser(
        "provision",
        help="apply the content model, worker token and webhook flow to the CMS at CMS_URL",
        description="Idempotently apply schema/content-model.json, a read-only worker token and "
        "a webhook flow (to CMS_WEBHOOK_URL with CMS_WEBHOOK_SECRET) to the Directus at CMS_URL, "
        "using CMS_ADMIN_TOKEN. Prints CMS_TOKEN for the worker.",
    )
    _kind_option(prov)
    prov.add_argument(
        "--with-sample-content", action="store_true", help="also load the demo's sample content"
    )
    prov.add_argument("--no-webhook", action="store_true", help="do not create the webhook flow")
    prov.add_argument(
        "--editor-email",
        metavar="EMAIL",
        help="also create the editors' role and this editor, password from CMS_EDITOR_PASSWORD",
    )
    prov.add_argument(
        "--no-preview",
        action="store_true",
        help="leave Directus's preview URLs alone (default: point them at "
        "VERDICT_PREVIEW_SITE_URL with a fresh VERDICT_PREVIEW_TOKEN_HOURS token)",
    )
    prov.set_defaults(handler=cms_provision)


def _kind_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kind",
        choices=LOCAL_KINDS,
        help="which CMS (default CMS_KIND, else directus); Strapi: docs/cms-strapi.md",
    )
