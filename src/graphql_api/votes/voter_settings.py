"""Settings of voter identity: trusted proxies, minting limits, proof of work, bot check, JWT.

Read once from the environment (``VoterSettings.from_env``) as part of the API settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from graphql_api.limits.client_ip import Network, trusted_proxies_from_env
from verdict.env_values import ConfigError, env_count, env_seconds

MAX_POW_BITS = 28
"""2^28 hashes is minutes in a browser: anything above is a typo, not a policy."""
JWT_ALGORITHMS = ("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "PS256")


@dataclass(frozen=True, slots=True)
class JwtSettings:
    """Bearer tokens of the site's identity provider that name a voter (``VERDICT_VOTER_JWT_*``)."""

    algorithms: tuple[str, ...]
    issuer: str
    audience: str
    secret: str | None = None
    """The shared secret of HS* tokens."""
    jwks: str | None = None
    """A JWKS file path or http(s) URL with the public keys of RS*/ES* tokens."""
    leeway_seconds: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> JwtSettings | None:
        raw_algorithms = (env.get("VERDICT_VOTER_JWT_ALGORITHMS") or "").strip()
        if not raw_algorithms:
            return None
        algorithms = tuple(a.strip() for a in raw_algorithms.split(",") if a.strip())
        for algorithm in algorithms:
            if algorithm not in JWT_ALGORITHMS:
                raise ConfigError(
                    "VERDICT_VOTER_JWT_ALGORITHMS must list some of "
                    f"{', '.join(JWT_ALGORITHMS)} (got {algorithm!r})"
                )
        issuer = (env.get("VERDICT_VOTER_JWT_ISSUER") or "").strip()
        audience = (env.get("VERDICT_VOTER_JWT_AUDIENCE") or "").strip()
        if not issuer or not audience:
            raise ConfigError(
                "VERDICT_VOTER_JWT_ISSUER and VERDICT_VOTER_JWT_AUDIENCE must be set with "
                "VERDICT_VOTER_JWT_ALGORITHMS"
            )
        secret = env.get("VERDICT_VOTER_JWT_SECRET") or None
        jwks = (env.get("VERDICT_VOTER_JWT_JWKS") or "").strip() or None
        symmetric = any(a.startswith("HS") for a in algorithms)
        asymmetric = any(not a.startswith("HS") for a in algorithms)
        if symmetric and asymmetric:
            raise ConfigError("VERDICT_VOTER_JWT_ALGORITHMS must not mix HS* with RS*/ES*/PS*")
        if symmetric and (secret is None or len(secret) < 32):
            raise ConfigError("VERDICT_VOTER_JWT_SECRET must be set (32+ characters) for HS*")
        if asymmetric:
            if jwks is None:
                raise ConfigError("VERDICT_VOTER_JWT_JWKS (a file or URL) must be set for RS*/ES*")
            if urlsplit(jwks).scheme not in ("http", "https") and not Path(jwks).is_file():
                raise ConfigError(f"VERDICT_VOTER_JWT_JWKS is neither a URL nor a file: {jwks!r}")
        return cls(
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            secret=secret if symmetric else None,
            jwks=jwks if asymmetric else None,
            leeway_seconds=env_seconds(env, "VERDICT_VOTER_JWT_LEEWAY", 30.0),
        )


@dataclass(frozen=True, slots=True)
class BotCheckSettings:
    """A siteverify endpoint (Turnstile, hCaptcha) and its secret (``VERDICT_VOTER_BOTCHECK_*``)."""

    url: str
    secret: str
    timeout_seconds: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BotCheckSettings | None:
        url = (env.get("VERDICT_VOTER_BOTCHECK_URL") or "").strip()
        if not url:
            return None
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError(f"VERDICT_VOTER_BOTCHECK_URL must be an http(s) URL (got {url!r})")
        secret = env.get("VERDICT_VOTER_BOTCHECK_SECRET") or ""
        if not secret:
            raise ConfigError("VERDICT_VOTER_BOTCHECK_SECRET must be set with its URL")
        return cls(url, secret, env_seconds(env, "VERDICT_VOTER_BOTCHECK_TIMEOUT", 5.0))


@dataclass(frozen=True, slots=True)
class VoterSettings:
    trusted_proxies: tuple[Network, ...] = ()
    """Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (VERDICT_TRUSTED_PROXIES)."""
    mint_per_ip: int = 10
    """Voters one address may mint per window; 0 means no limit."""
    mint_per_prefix: int = 30
    """Voters one /24 (IPv4) or /56 (IPv6) may mint per window; 0 means no limit."""
    mint_window_seconds: int = 3600
    pow_bits: int = 0
    """Leading zero bits of SHA-256 a minting browser must find; 0 turns proof of work off."""
    botcheck: BotCheckSettings | None = None
    jwt: JwtSettings | None = None
    secure_cookies: bool = False
    """Always ``__Host-`` and Secure (prod); otherwise only on https requests."""

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, prod: bool) -> VoterSettings:
        d = cls()
        pow_bits = env_count(env, "VERDICT_VOTER_POW_BITS", d.pow_bits)
        if pow_bits > MAX_POW_BITS:
            raise ConfigError(f"VERDICT_VOTER_POW_BITS must be at most {MAX_POW_BITS}")
        return cls(
            trusted_proxies=trusted_proxies_from_env(env),
            mint_per_ip=env_count(env, "VERDICT_VOTER_MINT_PER_IP", d.mint_per_ip),
            mint_per_prefix=env_count(env, "VERDICT_VOTER_MINT_PER_PREFIX", d.mint_per_prefix),
            mint_window_seconds=env_count(
                env, "VERDICT_VOTER_MINT_WINDOW", d.mint_window_seconds, minimum=1
            ),
            pow_bits=pow_bits,
            botcheck=BotCheckSettings.from_env(env),
            jwt=JwtSettings.from_env(env),
            secure_cookies=prod,
        )
