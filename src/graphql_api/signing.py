"""Signed tokens of the form ``<version>.<payload>.<signature>``.

The signature is an HMAC-SHA256 of ``<version>.<payload>`` under a key derived from
``VERDICT_SECRET_KEY`` for one purpose only, so a token of one kind (a voter token) can never pass
as another (a preview token). Voter and preview tokens are both built on this.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from verdict.signing import derive_key, signature


class BadTokenError(Exception):
    """The token is malformed or its signature does not match; the message says which."""


@dataclass(frozen=True, slots=True)
class PurposeSigner:
    key: bytes
    version: str

    @classmethod
    def derive(cls, secret_key: str, purpose: bytes, version: str) -> PurposeSigner:
        return cls(derive_key(secret_key, purpose), version)

    def _signature(self, payload: str) -> str:
        return signature(self.key, f"{self.version}.{payload}")

    def sign(self, payload: str) -> str:
        return f"{self.version}.{payload}.{self._signature(payload)}"

    def unsign(self, token: str) -> str:
        """The payload of a token this signer issued; raises BadTokenError otherwise."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != self.version:
            raise BadTokenError("malformed")
        if not hmac.compare_digest(parts[2].encode(), self._signature(parts[1]).encode()):
            raise BadTokenError("signature does not match")
        return parts[1]
