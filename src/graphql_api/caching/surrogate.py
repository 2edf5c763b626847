"""Surrogate keys on cacheable GET answers, for the shared caches that purges reach.

An answer the API can name the invalidations of (content, and vote figures it hears of) gets
``Surrogate-Key`` (Fastly; Varnish's VCL copies it to ``xkey``) and ``Surrogate-Control``, the
shared caches' own lifetime, long because purges end it; with Cloudflare, ``Cache-Tag`` and
``CDN-Cache-Control`` instead. Browsers still follow ``Cache-Control``.
"""

from __future__ import annotations

from starlette.responses import Response

from graphql_api.caching import policy
from graphql_api.outcome import Outcome
from verdict.purge import keys
from verdict.purge.settings import Backend, PurgeSettings

MAX_HEADER_BYTES = 16_000
"""Fastly's and Cloudflare's limit on the key header; past it an answer is left unkeyed."""


class SurrogateHeaders:
    def __init__(self, settings: PurgeSettings) -> None:
        self._cloudflare = settings.backend is Backend.CLOUDFLARE
        self._lifetime = f"max-age={settings.shared_max_age}"

    def mark(self, response: Response, outcome: Outcome, scope: policy.Scope) -> None:
        """Key a 200 GET answer of ``scope`` (the view's, after preview and errors)."""
        if scope not in (policy.Scope.CONTENT, policy.Scope.PUBLIC) or not outcome.tracked:
            return
        named = keys.for_answer(
            outcome.content_keys, outcome.vote_slugs, votes=scope is policy.Scope.PUBLIC
        )
        if not named:
            return  # reads nothing that changes: Cache-Control alone is right
        separator = "," if self._cloudflare else " "
        value = keys.header_value(named, separator)
        if len(value) > MAX_HEADER_BYTES:
            return  # unkeyed, so the shared cache keeps it no longer than Cache-Control says
        if self._cloudflare:
            response.headers["cache-tag"] = value
            response.headers["cdn-cache-control"] = self._lifetime
        else:
            response.headers["surrogate-key"] = value
            response.headers["surrogate-control"] = self._lifetime
