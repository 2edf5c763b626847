"""The Contentful adapter's settings from the environment."""

from __future__ import annotations

import pytest

from cms_sync.contentful.settings import ContentfulConfigError, ContentfulSettings
from cms_sync.contentful.source import DEFAULT_BASE_URL

BASE = {"CONTENTFUL_SPACE_ID": "abc123", "CONTENTFUL_ACCESS_TOKEN": "token"}


def test_defaults() -> None:
    settings = ContentfulSettings.from_env(BASE)
    assert settings.environment == "master"
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.locale == "en-US"


def test_everything_set() -> None:
    settings = ContentfulSettings.from_env(
        BASE
        | {
            "CONTENTFUL_ENVIRONMENT": "staging",
            "CONTENTFUL_BASE_URL": "http://127.0.0.1:9000/",
            "CONTENTFUL_LOCALE": "de-DE",
        }
    )
    assert settings.environment == "staging"
    assert settings.base_url == "http://127.0.0.1:9000"
    assert settings.locale == "de-DE"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "CONTENTFUL_SPACE_ID"),
        ({"CONTENTFUL_SPACE_ID": "abc"}, "CONTENTFUL_ACCESS_TOKEN"),
        (BASE | {"CONTENTFUL_SPACE_ID": "../admin"}, "CONTENTFUL_SPACE_ID"),
        (BASE | {"CONTENTFUL_ENVIRONMENT": "a b"}, "CONTENTFUL_ENVIRONMENT"),
        (BASE | {"CONTENTFUL_BASE_URL": "ftp://x"}, "CONTENTFUL_BASE_URL"),
        (BASE | {"CONTENTFUL_LOCALE": "en_US;drop"}, "CONTENTFUL_LOCALE"),
        (BASE | {"CONTENTFUL_LOCALE": "de-DE,en-US"}, "CONTENTFUL_LOCALE"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ContentfulConfigError, match=named):
        ContentfulSettings.from_env(env)
