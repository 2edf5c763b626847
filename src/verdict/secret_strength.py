"""Whether a secret can be guessed: a known placeholder, too short, or too repetitive.

Prod refuses to start with such a VERDICT_SECRET_KEY (it signs voter and preview tokens) or
CMS_WEBHOOK_SECRET (it authenticates webhooks): anyone who reads ``.env.example`` or the docs
would otherwise hold the key.
"""

from __future__ import annotations

import math
from collections import Counter

MIN_LENGTH = 32
MIN_BITS_PER_CHARACTER = 3.0
"""Shannon entropy of the characters' spread: ``token_urlsafe`` gives ~4.5, ``aaaa...`` 0."""
PLACEHOLDER_MARKERS = ("change-me", "changeme", "do-not-use", "replace-me", "example")
GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


def weakness(secret: str, placeholders: frozenset[str] = frozenset()) -> str | None:
    """Why ``secret`` is unfit for production, or None when it looks random enough."""
    lowered = secret.lower()
    if secret in placeholders or any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return "is a placeholder value"
    if len(secret) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    counts = Counter(secret)
    bits = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    if bits < MIN_BITS_PER_CHARACTER:
        return "is too repetitive to be random"
    return None


def refusal(name: str, secret: str, placeholders: frozenset[str] = frozenset()) -> str | None:
    """The ConfigError message for a weak ``secret`` in variable ``name``, or None."""
    reason = weakness(secret, placeholders)
    if reason is None:
        return None
    return f"{name} {reason}; in prod mode generate one with: {GENERATE}"
