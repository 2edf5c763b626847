"""The HMAC primitives every signed token of Verdict's is built on.

Each kind of token signs under its own key, derived from ``VERDICT_SECRET_KEY`` for one purpose,
so a token of one kind never passes as another. The token formats themselves stay with their
owners (``graphql_api.signing`` for API tokens, ``verdict.digest.tokens`` for digest links).
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def derive_key(secret_key: str, purpose: bytes) -> bytes:
    """The key for one ``purpose``: HMAC-SHA256 of the purpose under the secret key."""
    return hmac.new(secret_key.encode(), purpose, hashlib.sha256).digest()


def signature(key: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, URL-safe base64 without padding."""
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
