"""Voters from the site's own accounts: the ``sub`` of a verified JWT bearer token.

Verification is PyJWT's: the algorithms are the configured ones only (so ``alg=none`` and an
HS256 token signed with a public key are refused), and ``exp``, ``iss``, ``aud`` and ``sub`` are
required and checked with the configured leeway. Keys are a shared secret (HS*) or a JWKS: a
file, re-read when it changes or when a token names an unknown key id, or a URL, fetched by
PyJWT's client (cached; an unknown key id fetches again, at most once per cooldown), so keys
rotate without a restart. The voter id is a digest of issuer and subject: stable across devices,
and no account name is stored beside the votes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from graphql_api.votes.voter import InvalidVoterTokenError, Voter, VoterKind
from graphql_api.votes.voter_settings import JwtSettings

MAX_TOKEN_LENGTH = 8192


def voter_id_for(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).digest()
    return "j." + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(slots=True)
class _JwksFile:
    path: Path
    _mtime: float = -1.0
    _keys: dict[str, PyJWK] = field(default_factory=dict)

    def key(self, kid: str | None) -> PyJWK:
        mtime = self.path.stat().st_mtime
        if mtime != self._mtime or (kid is not None and kid not in self._keys):
            keys = PyJWKSet.from_json(self.path.read_text()).keys
            self._keys = {str(k.key_id): k for k in keys}
            self._mtime = mtime
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid is None or kid not in self._keys:
            raise InvalidVoterTokenError("bearer token: unknown key id")
        return self._keys[kid]


class JwtVoters:
    """Turns bearer tokens into voters (graphql_api.votes.voter.BearerVoters)."""

    def __init__(self, settings: JwtSettings, *, jwks_cooldown_seconds: float = 30.0) -> None:
        self.settings = settings
        self._file: _JwksFile | None = None
        self._client: PyJWKClient | None = None
        if settings.jwks is not None:
            if settings.jwks.startswith(("http://", "https://")):
                self._client = PyJWKClient(
                    settings.jwks, lifespan=300, timeout=5, cooldown_duration=jwks_cooldown_seconds
                )
            else:
                self._file = _JwksFile(Path(settings.jwks))

    async def _key(self, token: str) -> Any:
        if self.settings.secret is not None:
            return self.settings.secret
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidVoterTokenError(f"bearer token: {exc}") from None
        kid = header.get("kid")
        try:
            if self._file is not None:
                return self._file.key(kid if isinstance(kid, str) else None).key
            assert self._client is not None
            # PyJWT's client fetches with urllib: keep the event loop free while it does.
            signing = await asyncio.to_thread(self._client.get_signing_key_from_jwt, token)
            return signing.key
        except (jwt.PyJWTError, OSError, ValueError) as exc:
            raise InvalidVoterTokenError(f"bearer token: no key ({type(exc).__name__})") from None

    async def identify(self, token: str) -> Voter:
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidVoterTokenError("bearer token: too long")
        key = await self._key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(self.settings.algorithms),
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidVoterTokenError(f"bearer token: {exc}") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidVoterTokenError("bearer token: no subject")
        # An account has no mint time the site knows: its age is the identity provider's business.
        return Voter(voter_id_for(self.settings.issuer, subject), VoterKind.JWT, None)
