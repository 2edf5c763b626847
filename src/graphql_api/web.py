"""The demo web page: static HTML shells and ES modules from ``web/``.

The shells carry no content: the page's scripts fetch everything from ``/graphql`` at runtime,
with the typed, persisted operations in ``web/operations/`` (see ``graphql_api.codegen``).
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

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


def web_routes(frame_ancestors: tuple[str, ...] = ()) -> list[BaseRoute]:
    """Routes for the demo page: ``/``, ``/compare/{slug}`` and the static files under ``/web``."""
    headers = _page_headers(frame_ancestors)

    async def index(_: Request) -> Response:
        """The list of published comparisons."""
        return FileResponse(WEB_DIR / "index.html", headers=headers)

    async def comparison_page(request: Request) -> Response:
        """One comparison's page; the script reads the slug from the URL."""
        if not _SLUG.fullmatch(request.path_params["slug"]):
            return HTMLResponse(_NOT_FOUND, status_code=404, headers=headers)
        return FileResponse(WEB_DIR / "compare.html", headers=headers)

    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/compare/{slug}", comparison_page, methods=["GET", "HEAD"]),
        Mount("/web", StaticFiles(directory=WEB_DIR), name="web"),
    ]
