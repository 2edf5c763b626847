"""The API's own settings: read from the environment with the defaults of the mode, and a bad value
is one clear ConfigError naming the variable."""

from __future__ import annotations

import pytest

from graphql_api.settings import ApiSettings, TrustedDocuments, for_settings
from verdict.env_values import ConfigError
from verdict.settings import Mode, Settings


def test_an_empty_environment_gives_the_defaults() -> None:
    assert ApiSettings.from_env({}, prod=False) == ApiSettings()


def test_introspection_follows_the_mode_unless_set() -> None:
    dev = Settings(database_url="sqlite://:memory:", mode=Mode.DEV)
    prod = Settings(database_url="sqlite://:memory:", mode=Mode.PROD)
    assert for_settings(dev, env={}).introspection is True
    assert for_settings(prod, env={}).introspection is False
    assert for_settings(prod, env={"VERDICT_INTROSPECTION": "on"}).introspection is True


def test_values_are_read_and_normalised() -> None:
    api = ApiSettings.from_env(
        {
            "VERDICT_MAX_DEPTH": "7",
            "VERDICT_TRUSTED_DOCUMENTS": " Only ",
            "VERDICT_RESPONSE_CACHE": "off",
            "VERDICT_CORS_ORIGINS": "https://a.example/, http://b.example,,",
            "VERDICT_EDGE_CACHE_TTL_SECONDS": "2.5",
            "VERDICT_LOG_FORMAT": "text",
        },
        prod=True,
    )
    assert api.max_depth == 7
    assert api.trusted_documents is TrustedDocuments.ONLY
    assert api.response_cache is False
    assert api.cors_origins == ("https://a.example", "http://b.example")
    assert api.edge_cache_ttl == 2.5
    assert api.json_logs is False


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"VERDICT_INTROSPECTION": "maybe"}, "VERDICT_INTROSPECTION must be 'on' or 'off'"),
        ({"VERDICT_TRUSTED_DOCUMENTS": "some"}, "VERDICT_TRUSTED_DOCUMENTS must be 'off' or"),
        ({"VERDICT_CORS_ORIGINS": "a.example"}, "VERDICT_CORS_ORIGINS must list http(s) origins"),
        ({"VERDICT_MAX_DEPTH": "1"}, "VERDICT_MAX_DEPTH"),
        ({"VERDICT_MAX_BODY_BYTES": "lots"}, "VERDICT_MAX_BODY_BYTES"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_variable(
    env: dict[str, str], fragment: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        ApiSettings.from_env(env, prod=False)
    assert fragment in str(raised.value)
