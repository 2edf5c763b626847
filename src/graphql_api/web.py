"""The demo web page: static HTML shells and ES modules from ``web/``.

The page's scripts fetch the content from ``/graphql`` at runtime, with the typed, persisted
operations in ``web/operations/`` (see ``graphql_api.codegen``). Only the comparison page's
``<head>`` is filled on the server: its share tags and JSON-LD are for crawlers, which may run
no script (``graphql_api.comparisons.share_tags``).
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from graphql_api.comparisons.page_facts import page_facts
from graphql_api.comparisons.share_tags import head_tags
from graphql_api.loaders import Loaders
from graphql_api.reads import PUBLIC
from verdict.settings import PROJECT_ROOT

WEB_DIR = PROJECT_ROOT / "web"
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")
# Same-origin only: scripts, styles, the API and its WebSocket (CSP3 'self' covers ws:/wss:).
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _page_headers(frame_ancestors: tuple[str, ...]) -> dict[str, str]:
    """The pages' headers; ``frame_ancestors`` (the CMS's Live Preview) may frame them."""
    if not frame_ancestors:
        return _HEADERS
    csp = _HEADERS["Content-Security-Policy"].replace(
        "frame-ancestors 'none'", "frame-ancestors " + " ".join(frame_ancestors)
    )
    return {**_HEADERS, "Content-Security-Policy": csp}


_NOT_FOUND = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Not found · Verdict</title>'
    '<main><h1>Not found</h1><p><a href="/">All comparisons</a></p></main></html>'
)


class ComparisonPages:
    """One comparison's page; the script reads the slug from the URL. ``public_url``: the origin
    for the share tags' absolute URLs (None: the request's own)."""

    def __init__(self, public_url: str | None, headers: dict[str, str]) -> None:
        self._public_url = public_url
        self._headers = headers
        self._shell = (WEB_DIR / "compare.html").read_text()

    async def endpoint(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        if not _SLUG.fullmatch(slug):
            return HTMLResponse(_NOT_FOUND, status_code=404, headers=self._headers)
        facts = await page_facts(Loaders(PUBLIC), slug)
        if facts is None or not facts.sides:  # the script shows it, in the page's own layout
            return HTMLResponse(self._shell, headers=self._headers)
        base = self._public_url or str(request.base_url).rstrip("/")
        head, title_end = self._shell.split("</title>", 1)
        page = head.rsplit("<title>", 1)[0] + head_tags(facts, base) + title_end
        return HTMLResponse(page, headers=self._headers)


def web_routes(
    public_url: str | None = None, frame_ancestors: tuple[str, ...] = ()
) -> list[BaseRoute]:
    """Routes for the demo page: ``/``, ``/compare/{slug}`` and the static files under ``/web``;
    ``frame_ancestors`` (the CMS's Live Preview) may frame the pages."""
    headers = _page_headers(frame_ancestors)

    async def index(_: Request) -> Response:
        """The list of published comparisons."""
        return FileResponse(WEB_DIR / "index.html", headers=headers)

    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Route(
            "/compare/{slug}",
            ComparisonPages(public_url, headers).endpoint,
            methods=["GET", "HEAD"],
        ),
        Mount("/web", StaticFiles(directory=WEB_DIR), name="web"),
    ]
