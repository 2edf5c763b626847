"""The digest's mailed links: ``/digest/confirm`` and ``/digest/unsubscribe`` (one link each, no
login). Unsubscribe also takes RFC 8058's one-click POST that mail clients send."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from graphql_api.digest import service, types
from verdict.digest.subscriptions import CONFIRM_PATH, UNSUBSCRIBE_PATH
from verdict.settings import Settings

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Content-Type-Options": "nosniff",
}


def _page(title: str, message: str, status: int) -> HTMLResponse:
    body = (
        f'<!doctype html><html lang="en"><meta charset="utf-8"><title>{escape(title)} · Verdict'
        f"</title><main><h1>{escape(title)}</h1><p>{escape(message)}</p>"
        '<p><a href="/">All comparisons</a></p></main></html>'
    )
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def digest_routes(settings: Settings) -> list[BaseRoute]:
    async def confirm(request: Request) -> Response:
        result = await service.confirm(settings, request.query_params.get("token", ""))
        if isinstance(result, types.DigestConfirmed):
            return _page("Subscribed", result.message, 200)
        return _page("Link not valid", result.message, 400)

    async def unsubscribe(request: Request) -> Response:
        result = await service.unsubscribe(settings, request.query_params.get("token", ""))
        if isinstance(result, types.DigestUnsubscribed):
            return _page("Unsubscribed", result.message, 200)
        return _page("Link not valid", result.message, 400)

    return [
        Route(CONFIRM_PATH, confirm, methods=["GET"]),
        Route(UNSUBSCRIBE_PATH, unsubscribe, methods=["GET", "POST"]),
    ]
