"""Settings of the public API's protection and operation: limits, caches, preview, CORS.

The API's own part of the configuration, beside the core ``verdict.settings.Settings`` that the
sync worker shares; read from the environment once (``for_settings``), with defaults that suit a
public endpoint.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from graphql_api.preview.tokens import MAX_LIFETIME_HOURS
from graphql_api.votes.voter_settings import VoterSettings
from verdict.env_values import ConfigError, env_count, env_seconds
from verdict.secret_strength import refusal
from verdict.settings import Mode, Settings

DEFAULT_SHARE_CARD_FONTS = Path("/usr/share/fonts/truetype/dejavu")
MB = 1024 * 1024


class TrustedDocuments(StrEnum):
    OFF = "off"
    """Any document may run (automatic persisted queries register new ones)."""
    ONLY = "only"
    """Only documents of the manifest (schema/trusted-documents.json) may run."""


@dataclass(frozen=True, slots=True)
class ApiSettings:
    max_depth: int = 15
    max_tokens: int = 2000
    max_aliases: int = 30
    max_cost: int = 20000
    max_body_bytes: int = 100_000
    max_batch: int = 10
    """Operations in one batched request; 0 turns batching off."""
    introspection: bool = True
    trusted_documents: TrustedDocuments = TrustedDocuments.OFF
    response_cache: bool = True
    response_cache_size: int = 2000
    response_cache_ttl: int = 300
    persisted_query_cache_size: int = 5000
    persisted_query_cache_mb: int = 16
    """Bytes of persisted-query texts kept in this process (besides the entry cap above)."""
    persisted_query_redis_mb: int = 64
    """Bytes of persisted-query texts kept in Redis, all replicas together."""
    document_cache_mb: int = 64
    """Parsed documents kept in this process (and as much again for validation results)."""
    response_cache_mb: int = 64
    """Response bodies kept by the in-process response cache (without Redis)."""
    edge_cache: bool = True
    edge_cache_mb: int = 128
    edge_cache_ttl: float = 300.0
    edge_cache_poll: float = 0.5
    http_max_age: int = 0
    cors_origins: tuple[str, ...] = ()
    shutdown_grace_seconds: float = 10.0
    preview_token_hours: int = 24
    preview_frame_ancestors: tuple[str, ...] = ()
    """Origins that may show the site's pages in a frame: the CMS, for its Live Preview pane."""
    json_logs: bool = True
    share_card_fonts: Path = DEFAULT_SHARE_CARD_FONTS
    """The folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf (Debian's fonts-dejavu-core)."""
    share_card_cache_size: int = 500
    """Rendered share cards kept per process (about 30 KB each)."""
    voters: VoterSettings = field(default_factory=VoterSettings)
    """Voter identity: trusted proxies, minting, JWT (graphql_api.votes.voter_settings)."""
    metrics_token: str | None = None
    """Bearer token /metrics wants; without one, /metrics is served in dev mode only."""

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, prod: bool) -> ApiSettings:
        """Read the ``VERDICT_*`` variables; raise ConfigError on a bad value."""

        def switch(name: str, default: bool) -> bool:
            raw = (env.get(name) or "").strip().lower()
            if raw == "":
                return default
            if raw in {"on", "true", "1", "yes"}:
                return True
            if raw in {"off", "false", "0", "no"}:
                return False
            raise ConfigError(f"{name} must be 'on' or 'off' (got {raw!r})")

        d = cls()  # the defaults
        trusted_raw = (env.get("VERDICT_TRUSTED_DOCUMENTS") or "off").strip().lower()
        try:
            trusted = TrustedDocuments(trusted_raw)
        except ValueError:
            raise ConfigError(
                f"VERDICT_TRUSTED_DOCUMENTS must be 'off' or 'only' (got {trusted_raw!r})"
            ) from None
        ancestors = tuple(
            o.strip().rstrip("/")
            for o in (env.get("VERDICT_PREVIEW_FRAME_ANCESTORS") or "").split(",")
            if o.strip()
        )
        for origin in ancestors:
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path:
                raise ConfigError(
                    f"VERDICT_PREVIEW_FRAME_ANCESTORS must list http(s) origins (got {origin!r})"
                )
        origins = tuple(
            o.strip().rstrip("/") for o in (env.get("VERDICT_CORS_ORIGINS") or "").split(",")
        )
        for origin in origins:
            if origin and origin != "*" and not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    f"VERDICT_CORS_ORIGINS must list http(s) origins (got {origin!r})"
                )
        preview_hours = env_count(
            env, "VERDICT_PREVIEW_TOKEN_HOURS", d.preview_token_hours, minimum=1
        )
        if preview_hours > MAX_LIFETIME_HOURS:
            raise ConfigError(
                f"VERDICT_PREVIEW_TOKEN_HOURS must be at most {MAX_LIFETIME_HOURS} "
                f"(got {preview_hours})"
            )
        return cls(
            max_depth=env_count(env, "VERDICT_MAX_DEPTH", d.max_depth, minimum=2),
            max_tokens=env_count(env, "VERDICT_MAX_TOKENS", d.max_tokens, minimum=10),
            max_aliases=env_count(env, "VERDICT_MAX_ALIASES", d.max_aliases),
            max_cost=env_count(env, "VERDICT_MAX_COST", d.max_cost, minimum=1),
            max_body_bytes=env_count(env, "VERDICT_MAX_BODY_BYTES", d.max_body_bytes, minimum=1024),
            max_batch=env_count(env, "VERDICT_MAX_BATCH", d.max_batch),
            introspection=switch("VERDICT_INTROSPECTION", not prod),
            trusted_documents=trusted,
            response_cache=switch("VERDICT_RESPONSE_CACHE", True),
            response_cache_size=env_count(
                env, "VERDICT_RESPONSE_CACHE_SIZE", d.response_cache_size, minimum=1
            ),
            response_cache_ttl=env_count(
                env, "VERDICT_RESPONSE_CACHE_TTL", d.response_cache_ttl, minimum=1
            ),
            persisted_query_cache_size=env_count(
                env, "VERDICT_PERSISTED_QUERY_CACHE_SIZE", d.persisted_query_cache_size, minimum=1
            ),
            persisted_query_cache_mb=env_count(
                env, "VERDICT_PERSISTED_QUERY_CACHE_MB", d.persisted_query_cache_mb, minimum=1
            ),
            persisted_query_redis_mb=env_count(
                env, "VERDICT_PERSISTED_QUERY_REDIS_MB", d.persisted_query_redis_mb, minimum=1
            ),
            document_cache_mb=env_count(
                env, "VERDICT_DOCUMENT_CACHE_MB", d.document_cache_mb, minimum=1
            ),
            response_cache_mb=env_count(
                env, "VERDICT_RESPONSE_CACHE_MB", d.response_cache_mb, minimum=1
            ),
            edge_cache=switch("VERDICT_EDGE_CACHE", True),
            edge_cache_mb=env_count(env, "VERDICT_EDGE_CACHE_MB", d.edge_cache_mb, minimum=1),
            edge_cache_ttl=env_seconds(env, "VERDICT_EDGE_CACHE_TTL_SECONDS", d.edge_cache_ttl),
            edge_cache_poll=env_seconds(env, "VERDICT_EDGE_CACHE_POLL_SECONDS", d.edge_cache_poll),
            http_max_age=env_count(env, "VERDICT_HTTP_MAX_AGE", d.http_max_age),
            cors_origins=tuple(o for o in origins if o),
            shutdown_grace_seconds=env_seconds(
                env, "VERDICT_SHUTDOWN_GRACE_SECONDS", d.shutdown_grace_seconds
            ),
            preview_token_hours=preview_hours,
            preview_frame_ancestors=ancestors,
            json_logs=(env.get("VERDICT_LOG_FORMAT") or "json").strip().lower() != "text",
            share_card_fonts=Path(env.get("VERDICT_SHARE_CARD_FONTS") or d.share_card_fonts),
            share_card_cache_size=env_count(
                env, "VERDICT_SHARE_CARD_CACHE_SIZE", d.share_card_cache_size, minimum=1
            ),
            voters=VoterSettings.from_env(env, prod=prod),
            metrics_token=_metrics_token(env, prod=prod),
        )


def _metrics_token(env: Mapping[str, str], *, prod: bool) -> str | None:
    token = (env.get("VERDICT_METRICS_TOKEN") or "").strip() or None
    refused = None if token is None or not prod else refusal("VERDICT_METRICS_TOKEN", token)
    if refused is not None:
        raise ConfigError(refused)
    return token


def for_settings(settings: Settings, env: Mapping[str, str] | None = None) -> ApiSettings:
    """The API settings that go with ``settings``: read from ``env`` (default ``os.environ``),
    with the defaults of its mode (introspection is off in prod)."""
    return ApiSettings.from_env(os.environ if env is None else env, prod=settings.mode is Mode.PROD)
