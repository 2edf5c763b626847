"""Preview tokens: let editors see drafts through the API, signed with VERDICT_SECRET_KEY.

A token is ``p1.<expiry unix seconds>.<signature>``, the signature an HMAC-SHA256 under a key
derived from the secret key for this purpose only (a voter token can never pass as a preview
token). Sent as the ``X-Verdict-Preview`` header or the ``preview`` query parameter; minted with
``verdict preview-token``. A browser that came through ``/preview/enter`` (``routes.py``) sends
it in the HttpOnly ``verdict_preview`` cookie instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from graphql_api.signing import BadTokenError, PurposeSigner

HEADER_NAME = "x-verdict-preview"
QUERY_PARAM = "preview"
COOKIE_NAME = "verdict_preview"
_VERSION = "p1"
_KEY_PURPOSE = b"verdict preview token v1"
MAX_LIFETIME_HOURS = 7 * 24
"""The longest a preview token may live: a leaked token stops working within a week."""


class InvalidPreviewTokenError(Exception):
    """The token is malformed, was not signed with this server's key, or has expired."""


@dataclass(frozen=True, slots=True)
class PreviewSigner:
    signer: PurposeSigner

    @classmethod
    def from_secret(cls, secret_key: str) -> PreviewSigner:
        return cls(PurposeSigner.derive(secret_key, _KEY_PURPOSE, _VERSION))

    def issue(self, hours: float, *, now: float | None = None) -> str:
        """A token valid for ``hours`` from now (at most ``MAX_LIFETIME_HOURS``)."""
        if hours > MAX_LIFETIME_HOURS:
            raise ValueError(f"a preview token lives at most {MAX_LIFETIME_HOURS} hours")
        expires = int((time.time() if now is None else now) + hours * 3600)
        return self.signer.sign(str(expires))

    def verify(self, token: str, *, now: float | None = None) -> int:
        """The token's expiry time; raises InvalidPreviewTokenError unless it is valid now."""
        try:
            payload = self.signer.unsign(token.strip())
        except BadTokenError as exc:
            raise InvalidPreviewTokenError(f"preview token: {exc}") from None
        if not payload.isdigit() or len(payload) > 12:
            raise InvalidPreviewTokenError("preview token: malformed")
        expires = int(payload)
        current = time.time() if now is None else now
        if expires < current:
            raise InvalidPreviewTokenError("preview token has expired")
        # A token minted (say with a leaked key) to outlive the maximum is refused outright.
        if expires > current + MAX_LIFETIME_HOURS * 3600:
            raise InvalidPreviewTokenError(
                f"preview token outlives the maximum of {MAX_LIFETIME_HOURS} hours"
            )
        return expires
