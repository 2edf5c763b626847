"""The digest's signed links: ``<kind>.<subscriber id>.<nonce>.<expiry>.<signature>``.

HMAC-SHA256 under a key derived from ``VERDICT_SECRET_KEY`` for the digest only, so no other
token of Verdict's passes as one. A link names the subscriber row's id and random nonce, never
the address; a new row (after an erase or unsubscribe) has a new nonce, so old links die with
the old row. Confirmation links expire; unsubscribe links do not (expiry 0).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum

from verdict.signing import derive_key, signature

_PURPOSE = b"verdict digest links v1"


class LinkKind(StrEnum):
    CONFIRM = "c"
    UNSUBSCRIBE = "u"


class BadLinkError(Exception):
    """The link is malformed, forged, or expired."""


@dataclass(frozen=True, slots=True)
class Link:
    kind: LinkKind
    subscriber_id: int
    nonce: str
    expires: int
    """Unix time after which the link no longer works; 0 for never."""


@dataclass(frozen=True, slots=True)
class LinkSigner:
    key: bytes

    @classmethod
    def from_secret(cls, secret_key: str) -> LinkSigner:
        return cls(derive_key(secret_key, _PURPOSE))

    def _signature(self, body: str) -> str:
        return signature(self.key, body)

    def sign(self, link: Link) -> str:
        body = f"{link.kind.value}.{link.subscriber_id}.{link.nonce}.{link.expires}"
        return f"{body}.{self._signature(body)}"

    def verify(self, token: str, kind: LinkKind, now: float) -> Link:
        """The link a token of ``kind`` carries; raises BadLinkError otherwise."""
        parts = token.strip().split(".")
        if len(parts) != 5 or parts[0] != kind.value:
            raise BadLinkError("malformed")
        body, signature = ".".join(parts[:4]), parts[4]
        if not hmac.compare_digest(signature.encode(), self._signature(body).encode()):
            raise BadLinkError("signature does not match")
        try:
            link = Link(kind, int(parts[1]), parts[2], int(parts[3]))
        except ValueError:
            raise BadLinkError("malformed") from None
        if link.expires and link.expires < now:
            raise BadLinkError("expired")
        return link
