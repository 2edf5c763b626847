"""Typed settings, read once from the environment, with defaults for the embedded setup."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from verdict import secret_strength
from verdict.env_values import ConfigError, env_count, env_gc_threshold, env_seconds

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-prod"
DEFAULT_CMS_URL = "http://127.0.0.1:8055"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8065/webhooks/directus"
DEFAULT_PORT = 8000
DEFAULT_MAX_PAGE_SIZE = 100
DEFAULT_WEBHOOK_PORT = 8065
DEFAULT_VOTE_LIMIT_PER_VOTER = 30
DEFAULT_VOTE_LIMIT_PER_IP = 600
DEFAULT_VOTE_LIMIT_WINDOW = 60
DEFAULT_MAX_SUBSCRIPTIONS = 10
DEFAULT_GC_THRESHOLD = (20_000, 50, 100)
"""The served processes' cycle collector thresholds (Python's own are 700, 10, 10; see
verdict_cli.serving)."""
DEFAULT_FEED_RETENTION_DAYS = 30
CMS_KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
"""A CMS_KIND names a package of cms_sync (cms_sync/<kind>/adapter.py), which checks it exists."""
_SQLITE_SCHEMES = {"sqlite"}
_POSTGRES_SCHEMES = {"postgres", "postgresql", "asyncpg"}


class Mode(StrEnum):
    DEV = "dev"
    PROD = "prod"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob Verdict reads from its environment."""

    database_url: str
    redis_url: str | None = None
    cms_kind: str = "directus"
    """Which CMS the worker reads (CMS_KIND): directus, strapi, contentful or another adapter."""
    cms_mapping: str | None = None
    """A mapping file to use instead of schema/cms/<kind>.json (CMS_MAPPING)."""
    cms_url: str = DEFAULT_CMS_URL
    cms_token: str | None = None
    cms_admin_token: str | None = None
    cms_issues_token: str | None = None
    """The worker's second Directus token: writes verdict_sync_issues only (CMS_ISSUES_TOKEN)."""
    cms_editor_password: str | None = None
    """The password `verdict cms provision --editor-email` sets (CMS_EDITOR_PASSWORD)."""
    cms_admin_email: str | None = None
    """Strapi's admin login, only for `verdict cms provision --kind strapi` (CMS_ADMIN_EMAIL)."""
    cms_admin_password: str | None = None
    """Its password (CMS_ADMIN_PASSWORD); Strapi's admin API takes no static token."""
    preview_site_url: str = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    """The site Directus's preview button opens (VERDICT_PREVIEW_SITE_URL; default the demo)."""
    webhook_url: str = DEFAULT_WEBHOOK_URL
    webhook_secret: str | None = None
    webhook_host: str = DEFAULT_HOST
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    sync_poll_seconds: float = 30.0
    sync_full_every_seconds: float = 3600.0
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    mode: Mode = Mode.DEV
    secret_key: str = DEV_SECRET_KEY
    sample_content_dir: Path = field(default=PROJECT_ROOT / "content" / "sample")
    max_page_size: int = DEFAULT_MAX_PAGE_SIZE
    vote_limit_per_voter: int = DEFAULT_VOTE_LIMIT_PER_VOTER
    vote_limit_per_ip: int = DEFAULT_VOTE_LIMIT_PER_IP
    vote_limit_window_seconds: int = DEFAULT_VOTE_LIMIT_WINDOW
    max_subscriptions_per_connection: int = DEFAULT_MAX_SUBSCRIPTIONS
    gc_threshold: tuple[int, int, int] = DEFAULT_GC_THRESHOLD
    public_url: str | None = None
    """The site's public origin for links and images in mail and share tags (VERDICT_PUBLIC_URL);
    None: the API uses the request's own origin, the CLI ``http://host:port``."""
    mail: MailSettings = field(default_factory=lambda: MailSettings())
    feed_retention_days: int = DEFAULT_FEED_RETENTION_DAYS
    """How long the sync feed keeps tombstones of deleted and archived entries."""

    @property
    def is_postgres(self) -> bool:
        return urlsplit(self.database_url).scheme in _POSTGRES_SCHEMES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``env`` (default ``os.environ``); raise ConfigError on bad input."""
        env = os.environ if env is None else env
        database_url = env.get("DATABASE_URL") or default_database_url()
        _check_database_url(database_url)
        redis_url = env.get("REDIS_URL") or None
        if redis_url is not None and urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
            raise ConfigError(
                "REDIS_URL must start with redis://, rediss:// or unix:// "
                f"(got {redact(redis_url)})"
            )
        mode_text = env.get("VERDICT_MODE", Mode.DEV.value).lower()
        try:
            mode = Mode(mode_text)
        except ValueError:
            raise ConfigError(f"VERDICT_MODE must be 'dev' or 'prod' (got {mode_text!r})") from None
        secret_key = env.get("VERDICT_SECRET_KEY") or DEV_SECRET_KEY
        if mode is Mode.PROD and secret_key == DEV_SECRET_KEY:
            raise ConfigError("VERDICT_SECRET_KEY must be set in prod mode (32+ random characters)")
        if len(secret_key) < 32:
            raise ConfigError("VERDICT_SECRET_KEY must be at least 32 characters long")
        webhook_secret = env.get("CMS_WEBHOOK_SECRET") or None
        if mode is Mode.PROD:
            known = frozenset({DEV_SECRET_KEY})
            for name, value in (
                ("VERDICT_SECRET_KEY", secret_key),
                ("CMS_WEBHOOK_SECRET", webhook_secret),
            ):
                refused = None if value is None else secret_strength.refusal(name, value, known)
                if refused is not None:
                    raise ConfigError(refused)
        cms_url = env.get("CMS_URL") or DEFAULT_CMS_URL
        if urlsplit(cms_url).scheme not in {"http", "https"} or not urlsplit(cms_url).hostname:
            raise ConfigError(f"CMS_URL must be an http(s) URL (got {cms_url!r})")
        cms_kind = env.get("CMS_KIND") or "directus"
        if not CMS_KIND_PATTERN.fullmatch(cms_kind):
            raise ConfigError(
                f"CMS_KIND must name a CMS adapter such as directus, strapi or contentful "
                f"(got {cms_kind!r})"
            )
        return cls(
            database_url=database_url,
            redis_url=redis_url,
            cms_kind=cms_kind,
            cms_mapping=env.get("CMS_MAPPING") or None,
            cms_url=cms_url.rstrip("/"),
            cms_token=env.get("CMS_TOKEN") or None,
            cms_admin_token=env.get("CMS_ADMIN_TOKEN") or None,
            cms_issues_token=env.get("CMS_ISSUES_TOKEN") or None,
            cms_editor_password=env.get("CMS_EDITOR_PASSWORD") or None,
            cms_admin_email=env.get("CMS_ADMIN_EMAIL") or None,
            cms_admin_password=env.get("CMS_ADMIN_PASSWORD") or None,
            preview_site_url=_site_url(env.get("VERDICT_PREVIEW_SITE_URL")),
            webhook_url=env.get("CMS_WEBHOOK_URL") or DEFAULT_WEBHOOK_URL,
            webhook_secret=webhook_secret,
            webhook_host=env.get("VERDICT_WEBHOOK_HOST") or DEFAULT_HOST,
            webhook_port=_port(
                env.get("VERDICT_WEBHOOK_PORT"), DEFAULT_WEBHOOK_PORT, "VERDICT_WEBHOOK_PORT"
            ),
            sync_poll_seconds=env_seconds(env, "VERDICT_SYNC_POLL_SECONDS", 30.0),
            sync_full_every_seconds=env_seconds(env, "VERDICT_SYNC_FULL_EVERY_SECONDS", 3600.0),
            host=env.get("VERDICT_HOST") or DEFAULT_HOST,
            port=_port(env.get("VERDICT_PORT"), DEFAULT_PORT),
            mode=mode,
            secret_key=secret_key,
            sample_content_dir=Path(
                env.get("VERDICT_SAMPLE_CONTENT") or PROJECT_ROOT / "content" / "sample"
            ),
            max_page_size=_max_page_size(env.get("VERDICT_MAX_PAGE_SIZE")),
            vote_limit_per_voter=env_count(
                env, "VERDICT_VOTE_LIMIT_PER_VOTER", DEFAULT_VOTE_LIMIT_PER_VOTER
            ),
            vote_limit_per_ip=env_count(
                env, "VERDICT_VOTE_LIMIT_PER_IP", DEFAULT_VOTE_LIMIT_PER_IP
            ),
            vote_limit_window_seconds=env_count(
                env, "VERDICT_VOTE_LIMIT_WINDOW", DEFAULT_VOTE_LIMIT_WINDOW, minimum=1
            ),
            max_subscriptions_per_connection=env_count(
                env, "VERDICT_MAX_SUBSCRIPTIONS", DEFAULT_MAX_SUBSCRIPTIONS, minimum=1
            ),
            gc_threshold=env_gc_threshold(env, "VERDICT_GC_THRESHOLD", DEFAULT_GC_THRESHOLD),
            public_url=_public_url(env.get("VERDICT_PUBLIC_URL")),
            mail=MailSettings.from_env(env),
            feed_retention_days=env_count(
                env, "VERDICT_FEED_RETENTION_DAYS", DEFAULT_FEED_RETENTION_DAYS, minimum=1
            ),
        )

    @property
    def site_url(self) -> str:
        """The public origin, or where this process itself serves the site."""
        return self.public_url or f"http://{self.host}:{self.port}"


def default_database_url() -> str:
    return f"sqlite://{DEFAULT_DATA_DIR / 'verdict.sqlite3'}"


def _port(raw: str | None, default: int, name: str = "VERDICT_PORT") -> int:
    if raw is None or raw == "":
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number between 1 and 65535 (got {raw!r})") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{name} must be a number between 1 and 65535 (got {raw!r})")
    return port


def _max_page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_MAX_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= 1000:
        raise ConfigError(f"VERDICT_MAX_PAGE_SIZE must be a number from 1 to 1000 (got {raw!r})")
    return size


def _check_database_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme in _SQLITE_SCHEMES:
        path = url.split("://", 1)[1].split("?", 1)[0]
        if not path:
            raise ConfigError(
                "DATABASE_URL sqlite:// needs a file path, e.g. sqlite://data/verdict.sqlite3"
            )
        return
    if parts.scheme in _POSTGRES_SCHEMES:
        if not parts.hostname or not parts.path.strip("/"):
            raise ConfigError(
                "DATABASE_URL must name a host and a database, e.g. "
                f"postgres://user@127.0.0.1:5432/verdict (got {redact(url)})"
            )
        try:
            _ = parts.port
        except ValueError:
            raise ConfigError(f"DATABASE_URL has an invalid port (got {redact(url)})") from None
        return
    raise ConfigError(f"DATABASE_URL must start with sqlite:// or postgres:// (got {redact(url)})")


def redact(url: str) -> str:
    """Hide any password in a URL before it is printed."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def _public_url(raw: str | None) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
        raise ConfigError(f"VERDICT_PUBLIC_URL must be an http(s) origin (got {raw!r})")
    return raw.strip().rstrip("/")


@dataclass(frozen=True, slots=True)
class MailSettings:
    """Outgoing mail (the digest and its confirmations) and the digest's limits."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 10.0
    sender: str = "Verdict <digest@localhost>"
    subscribe_limit_per_ip: int = 5
    """subscribeToDigest calls per client IP per window; 0 turns the limit off."""
    subscribe_limit_window_seconds: int = 3600
    confirmation_interval_seconds: int = 600
    """At most one confirmation mail per address in this time (silently: the answer is the same)."""
    confirmation_hours: int = 48
    """How long a confirmation link works; unconfirmed addresses are deleted after it."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        d = cls()
        starttls = (env.get("VERDICT_SMTP_STARTTLS") or "off").strip().lower()
        if starttls not in {"on", "off"}:
            raise ConfigError(f"VERDICT_SMTP_STARTTLS must be 'on' or 'off' (got {starttls!r})")
        sender = env.get("VERDICT_MAIL_FROM") or d.sender
        if "@" not in sender or "\n" in sender or "\r" in sender:
            raise ConfigError(f"VERDICT_MAIL_FROM must be a mail address (got {sender!r})")
        return cls(
            smtp_host=env.get("VERDICT_SMTP_HOST") or d.smtp_host,
            smtp_port=_port(env.get("VERDICT_SMTP_PORT"), d.smtp_port, "VERDICT_SMTP_PORT"),
            smtp_starttls=starttls == "on",
            smtp_username=env.get("VERDICT_SMTP_USERNAME") or None,
            smtp_password=env.get("VERDICT_SMTP_PASSWORD") or None,
            smtp_timeout_seconds=env_seconds(
                env, "VERDICT_SMTP_TIMEOUT_SECONDS", d.smtp_timeout_seconds
            ),
            sender=sender,
            subscribe_limit_per_ip=env_count(
                env, "VERDICT_DIGEST_LIMIT_PER_IP", d.subscribe_limit_per_ip
            ),
            subscribe_limit_window_seconds=env_count(
                env, "VERDICT_DIGEST_LIMIT_WINDOW", d.subscribe_limit_window_seconds, minimum=1
            ),
            confirmation_interval_seconds=env_count(
                env, "VERDICT_DIGEST_CONFIRMATION_INTERVAL", d.confirmation_interval_seconds
            ),
            confirmation_hours=env_count(
                env, "VERDICT_DIGEST_CONFIRMATION_HOURS", d.confirmation_hours, minimum=1
            ),
        )


def _site_url(raw: str | None) -> str:
    if not raw:
        return f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"VERDICT_PREVIEW_SITE_URL must be an http(s) URL (got {raw!r})")
    return raw.rstrip("/")
