"""The Contentful adapter's settings, from the environment (``CMS_KIND=contentful``).

``CONTENTFUL_SPACE_ID`` and ``CONTENTFUL_ACCESS_TOKEN`` (a Content Delivery API token) are
required; ``CONTENTFUL_ENVIRONMENT`` (default ``master``), ``CONTENTFUL_BASE_URL`` (default
Contentful's Delivery API host) and ``CONTENTFUL_LOCALE`` (the locale code whose values are read,
default ``en-US``) are optional. The webhook signing secret is ``CMS_WEBHOOK_SECRET``, as for
every CMS.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from cms_sync.contentful.source import DEFAULT_BASE_URL, DEFAULT_ENVIRONMENT
from cms_sync.mapping import DEFAULT_LOCALE

_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_LOCALE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


class ContentfulConfigError(ValueError):
    """A Contentful setting is missing or malformed; the message names it."""


@dataclass(frozen=True, slots=True)
class ContentfulSettings:
    space_id: str
    access_token: str
    environment: str = DEFAULT_ENVIRONMENT
    base_url: str = DEFAULT_BASE_URL
    locale: str = DEFAULT_LOCALE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ContentfulSettings:
        env = os.environ if env is None else env
        space_id = env.get("CONTENTFUL_SPACE_ID", "")
        token = env.get("CONTENTFUL_ACCESS_TOKEN", "")
        if not space_id or not token:
            raise ContentfulConfigError(
                "CMS_KIND=contentful needs CONTENTFUL_SPACE_ID and CONTENTFUL_ACCESS_TOKEN "
                "(a Content Delivery API token)"
            )
        environment = env.get("CONTENTFUL_ENVIRONMENT") or DEFAULT_ENVIRONMENT
        for name, value in (
            ("CONTENTFUL_SPACE_ID", space_id),
            ("CONTENTFUL_ENVIRONMENT", environment),
        ):
            if not _ID.fullmatch(value):
                raise ContentfulConfigError(f"{name} must be a Contentful id (got {value!r})")
        base_url = (env.get("CONTENTFUL_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ContentfulConfigError(
                f"CONTENTFUL_BASE_URL must be an http(s) URL (got {base_url!r})"
            )
        locale = (env.get("CONTENTFUL_LOCALE") or DEFAULT_LOCALE).strip()
        if not _LOCALE.fullmatch(locale):
            raise ContentfulConfigError(
                f"CONTENTFUL_LOCALE must be a locale code such as en-US (got {locale!r})"
            )
        return cls(
            space_id=space_id,
            access_token=token,
            environment=environment,
            base_url=base_url,
            locale=locale,
        )
