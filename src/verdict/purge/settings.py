"""Settings of the shared-cache purger, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from verdict.env_values import ConfigError, env_seconds

FASTLY_API_URL = "https://api.fastly.com"
CLOUDFLARE_API_URL = "https://api.cloudflare.com"


class Backend(StrEnum):
    NONE = "none"
    VARNISH = "varnish"
    FASTLY = "fastly"
    CLOUDFLARE = "cloudflare"


@dataclass(frozen=True, slots=True)
class PurgeSettings:
    """Where purges go (``VERDICT_PURGE``) and how; ``none`` (the default) sends nothing."""

    backend: Backend = Backend.NONE
    varnish_urls: tuple[str, ...] = ()
    """Every Varnish to purge (one per cache node), e.g. ``http://127.0.0.1:6081``."""
    fastly_api_url: str = FASTLY_API_URL
    fastly_service_id: str = ""
    fastly_api_token: str = ""
    cloudflare_api_url: str = CLOUDFLARE_API_URL
    cloudflare_zone_id: str = ""
    cloudflare_api_token: str = ""
    vote_debounce: float = 0.5
    """Votes on one comparison within this many seconds are purged together."""
    repeat_after: float = 2.0
    """Every purge is sent again this many seconds later (see verdict.purge.outbox)."""
    shared_max_age: int = 86400
    """How long a shared cache may keep a keyed answer (Surrogate-Control), purges aside."""
    timeout: float = 5.0

    @property
    def enabled(self) -> bool:
        return self.backend is not Backend.NONE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PurgeSettings:
        env = os.environ if env is None else env
        raw = (env.get("VERDICT_PURGE") or Backend.NONE.value).lower()
        try:
            backend = Backend(raw)
        except ValueError:
            choices = ", ".join(b.value for b in Backend)
            raise ConfigError(f"VERDICT_PURGE must be one of {choices} (got {raw!r})") from None
        varnish = tuple(
            u.strip() for u in (env.get("VERDICT_VARNISH_URLS") or "").split(",") if u.strip()
        )
        settings = cls(
            backend=backend,
            varnish_urls=varnish,
            fastly_api_url=env.get("FASTLY_API_URL") or FASTLY_API_URL,
            fastly_service_id=env.get("FASTLY_SERVICE_ID") or "",
            fastly_api_token=env.get("FASTLY_API_TOKEN") or "",
            cloudflare_api_url=env.get("CLOUDFLARE_API_URL") or CLOUDFLARE_API_URL,
            cloudflare_zone_id=env.get("CLOUDFLARE_ZONE_ID") or "",
            cloudflare_api_token=env.get("CLOUDFLARE_API_TOKEN") or "",
            vote_debounce=env_seconds(env, "VERDICT_PURGE_VOTE_DEBOUNCE", 0.5),
            repeat_after=env_seconds(env, "VERDICT_PURGE_REPEAT_AFTER", 2.0),
            shared_max_age=int(env_seconds(env, "VERDICT_SHARED_MAX_AGE", 86400)),
            timeout=env_seconds(env, "VERDICT_PURGE_TIMEOUT", 5.0),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Raise ConfigError when the chosen backend lacks what it needs."""
        needed: dict[Backend, list[tuple[str, str]]] = {
            Backend.VARNISH: [("VERDICT_VARNISH_URLS", ",".join(self.varnish_urls))],
            Backend.FASTLY: [
                ("FASTLY_SERVICE_ID", self.fastly_service_id),
                ("FASTLY_API_TOKEN", self.fastly_api_token),
            ],
            Backend.CLOUDFLARE: [
                ("CLOUDFLARE_ZONE_ID", self.cloudflare_zone_id),
                ("CLOUDFLARE_API_TOKEN", self.cloudflare_api_token),
            ],
        }
        for name, value in needed.get(self.backend, []):
            if not value:
                raise ConfigError(f"VERDICT_PURGE={self.backend.value} needs {name}")
        for url in (*self.varnish_urls, self.fastly_api_url, self.cloudflare_api_url):
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
                raise ConfigError(f"purge URL {url!r} must be an http(s) URL")
