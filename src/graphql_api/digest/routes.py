"""The digest's mailed links: ``/digest/confirm`` and ``/digest/unsubscribe`` (no login).

Opening a confirmation link shows a page with one button that confirms (a POST): mail security
scanners open every link in a mail, and a subscription must not be confirmed by one on behalf of
an address's owner. Opening an unsubscribe link unsubscribes at once (one link, as promised in
every mail); it also takes RFC 8058's one-click POST that mail clients send."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from graphql_api.digest import service, types
from verdict.digest.subscriptions import CONFIRM_PATH, UNSUBSCRIBE_PATH
from verdict.settings import Settings

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Content-Type-Options": "nosniff",
}


def _page(title: str, message: str, status: int, extra: str = "") -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{escape(title)} · Verdict'
        f"</title><main><h1>{escape(title)}</h1><p>{escape(message)}</p>{extra}"
        '<p><a href="/">All comparisons</a></p></main></html>'
    )
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def _token(request: Request) -> str:
    """The token rides in the query string for GET and POST alike (RFC 8058's POST keeps the
    link's URL and sends only ``List-Unsubscribe=One-Click`` as its body)."""
    return request.query_params.get("token", "")


def digest_routes(settings: Settings) -> list[BaseRoute]:
    async def confirm(request: Request) -> Response:
        token = _token(request)
        if request.method == "GET":
            if not service.signed_confirmation(settings, token):
                return _page("Link not valid", types.INVALID_LINK, 400)
            action = escape(f"{CONFIRM_PATH}?{urlencode({'token': token})}")
            button = (
                f'<form method="post" action="{action}">'
                '<button type="submit">Confirm my subscription</button></form>'
            )
            return _page("Confirm the weekly digest", types.CONFIRM_PROMPT, 200, button)
        result = await service.confirm(settings, token)
        if isinstance(result, types.DigestConfirmed):
            return _page("Subscribed", result.message, 200)
        return _page("Link not valid", result.message, 400)

    async def unsubscribe(request: Request) -> Response:
        result = await service.unsubscribe(settings, _token(request))
        if isinstance(result, types.DigestUnsubscribed):
            return _page("Unsubscribed", result.message, 200)
        return _page("Link not valid", result.message, 400)

    return [
        Route(CONFIRM_PATH, confirm, methods=["GET", "POST"]),
        Route(UNSUBSCRIBE_PATH, unsubscribe, methods=["GET", "POST"]),
    ]
