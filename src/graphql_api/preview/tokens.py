"""Preview tokens: let editors see drafts through the API, signed with VERDICT_SECRET_KEY.

A token is ``p1.<expiry unix seconds>.<signature>``, the signature an HMAC-SHA256 under a key
derived from the secret key for this purpose only (a voter token can never pass as a preview
token). Sent as the ``X-Verdict-Preview`` header or the ``preview`` query parameter; minted with
``verdict preview-token``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

HEADER_NAME = "x-verdict-preview"
QUERY_PARAM = "preview"
_VERSION = "p1"
_KEY_PURPOSE = b"verdict preview token v1"


class InvalidPreviewTokenError(Exception):
    """The token is malformed, was not signed with this server's key, or has expired."""


@dataclass(frozen=True, slots=True)
class PreviewSigner:
    key: bytes

    @classmethod
    def from_secret(cls, secret_key: str) -> PreviewSigner:
        return cls(hmac.new(secret_key.encode(), _KEY_PURPOSE, hashlib.sha256).digest())

    def _sign(self, expires: int) -> str:
        digest = hmac.new(self.key, f"{_VERSION}.{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self, hours: float, *, now: float | None = None) -> str:
        """A token valid for ``hours`` from now."""
        expires = int((time.time() if now is None else now) + hours * 3600)
        return f"{_VERSION}.{expires}.{self._sign(expires)}"

    def verify(self, token: str, *, now: float | None = None) -> int:
        """The token's expiry time; raises InvalidPreviewTokenError unless it is valid now."""
        parts = token.strip().split(".")
        if len(parts) != 3 or parts[0] != _VERSION or not parts[1].isdigit() or len(parts[1]) > 12:
            raise InvalidPreviewTokenError("malformed preview token")
        expires = int(parts[1])
        if not hmac.compare_digest(parts[2].encode(), self._sign(expires).encode()):
            raise InvalidPreviewTokenError("preview token signature does not match")
        if expires < (time.time() if now is None else now):
            raise InvalidPreviewTokenError("preview token has expired")
        return expires
