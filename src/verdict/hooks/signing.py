"""The signature of a revalidation notice: HMAC-SHA256 over ``<timestamp>.<body>``.

The timestamp is signed with the body so a receiver can refuse old replays (see
docs/revalidation-hooks.md for a receiver's check).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Verdict-Signature"
TIMESTAMP_HEADER = "X-Verdict-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
PREFIX = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Verdict-Signature`` value of ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return PREFIX + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is ``body``'s at ``timestamp`` (constant-time compare)."""
    if not timestamp.isdigit():
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
