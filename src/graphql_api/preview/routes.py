"""Preview from the CMS: ``/preview/enter`` swaps a link's token for an HttpOnly preview cookie.

Directus's preview button opens ``/preview/enter?token=…&to=/compare/<slug>`` (the URL that
``verdict cms provision`` puts on the comparisons, tools and reviewers). The token is a preview
token (``tokens.py``) that lives a few hours; it is checked, then a cookie carrying a token of
at most :data:`SESSION_HOURS` is set and the browser goes on to the page, so everything the page
then asks of ``/graphql`` (same origin) shows drafts, however the editor navigates. The page
shows a "Preview: drafts shown" banner from ``/preview/status`` and reloads when its content
version changes (a sync applied a save); ``/preview/exit`` drops the cookie. ``to`` is a path
on this site only (``/``, ``/compare/<slug>``, ``/tool/<slug>``, ``/reviewer/<slug>``); a tool
or reviewer opens the first comparison it appears on.
"""

from __future__ import annotations

import re
import time
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from graphql_api.preview import tokens
from verdict import content_versions
from verdict.models.content import ComparisonSide, Review

SESSION_HOURS: Final = 1.0
"""The cookie's token lives at most this long (and never beyond the link's own token)."""
_TARGET: Final = re.compile(r"/(?:(compare|tool|reviewer)/([A-Za-z0-9][A-Za-z0-9_-]{0,199}))?")
_NO_STORE: Final = {
    "Cache-Control": "no-store, private",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_EXPIRED: Final = (
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Preview link expired · Verdict'
    "</title><main><h1>This preview link is not valid</h1><p>{why}. Open the preview again "
    "from the CMS; if it keeps failing, ask an operator to run <code>verdict cms provision"
    '</code>, which renews the link.</p><p><a href="/">The published site</a></p></main></html>'
)


def _cookie_max_age(expires: int, now: float) -> int:
    return max(0, min(int(SESSION_HOURS * 3600), int(expires - now)))


async def _resolve(kind: str | None, slug: str | None) -> str:
    """The page a target path shows: tools and reviewers open a comparison they are on."""
    if kind is None or slug is None:
        return "/"
    if kind == "compare":
        return f"/compare/{slug}"
    sides = ComparisonSide.all()
    if kind == "tool":
        sides = sides.filter(tool__slug=slug)
    else:
        tools: list[Any] = await Review.filter(reviewer__slug=slug).values_list(
            "tool_id", flat=True
        )
        sides = sides.filter(tool_id__in=tools)
    found: list[Any] = (
        await sides.order_by("comparison_id").limit(1).values_list("comparison__slug", flat=True)
    )
    return f"/compare/{found[0]}" if found else "/"


def preview_routes(signer: tokens.PreviewSigner) -> list[BaseRoute]:
    """``/preview/enter``, ``/preview/exit`` and ``/preview/status``."""

    async def enter(request: Request) -> Response:
        target = _TARGET.fullmatch(request.query_params.get("to", "/"))
        if target is None:
            return HTMLResponse(
                _EXPIRED.format(why="The page it points at is not on this site"),
                status_code=400,
                headers=_NO_STORE,
            )
        now = time.time()
        try:
            expires = signer.verify(request.query_params.get("token", ""), now=now)
        except tokens.InvalidPreviewTokenError as exc:
            why = "It has expired" if "expired" in str(exc) else "Its token is not valid here"
            return HTMLResponse(_EXPIRED.format(why=why), status_code=401, headers=_NO_STORE)
        max_age = _cookie_max_age(expires, now)
        response = RedirectResponse(await _resolve(*target.groups()), 303, headers=_NO_STORE)
        response.set_cookie(
            tokens.COOKIE_NAME,
            signer.issue(max_age / 3600, now=now),
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    async def exit_(request: Request) -> Response:
        target = _TARGET.fullmatch(request.query_params.get("to", "/"))
        where = await _resolve(*target.groups()) if target is not None else "/"
        response = RedirectResponse(where, 303, headers=_NO_STORE)
        response.delete_cookie(tokens.COOKIE_NAME, path="/", httponly=True, samesite="lax")
        return response

    async def status(request: Request) -> Response:
        expires = previewing(request, signer)
        body: dict[str, Any] = {"preview": expires is not None, "expires": expires}
        if expires is not None:
            # Changes with every sync that changed anything: the preview reloads on it, so a
            # save shows without the editor reloading (Directus reloads its pane on save, before
            # the sync has run).
            body["version"] = await content_versions.read_any_change()
        return JSONResponse(body, headers=_NO_STORE)

    return [
        Route("/preview/enter", enter, methods=["GET"]),
        Route("/preview/exit", exit_, methods=["GET"]),
        Route("/preview/status", status, methods=["GET"]),
    ]


def previewing(request: Request, signer: tokens.PreviewSigner) -> int | None:
    """The preview cookie's expiry when the request carries a valid one, else None."""
    cookie = request.cookies.get(tokens.COOKIE_NAME)
    if not cookie:
        return None
    try:
        return signer.verify(cookie)
    except tokens.InvalidPreviewTokenError:
        return None
