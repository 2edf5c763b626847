"""The purge settings: read from the environment, unusable ones refused with a clear error."""

from __future__ import annotations

import pytest

from verdict.env_values import ConfigError
from verdict.purge.settings import Backend, PurgeSettings


def test_settings_from_the_environment() -> None:
    assert PurgeSettings.from_env({}).backend is Backend.NONE
    varnish = PurgeSettings.from_env(
        {"VERDICT_PURGE": "Varnish", "VERDICT_VARNISH_URLS": "http://a:80, http://b:80"}
    )
    assert varnish.varnish_urls == ("http://a:80", "http://b:80")
    fastly = PurgeSettings.from_env(
        {"VERDICT_PURGE": "fastly", "FASTLY_SERVICE_ID": "s", "FASTLY_API_TOKEN": "t"}
    )
    assert fastly.fastly_api_url.startswith("https://")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VERDICT_PURGE": "akamai"}, "VERDICT_PURGE must be one of"),
        ({"VERDICT_PURGE": "varnish"}, "needs VERDICT_VARNISH_URLS"),
        ({"VERDICT_PURGE": "fastly", "FASTLY_SERVICE_ID": "s"}, "needs FASTLY_API_TOKEN"),
        ({"VERDICT_PURGE": "cloudflare", "CLOUDFLARE_API_TOKEN": "t"}, "needs CLOUDFLARE_ZONE_ID"),
        ({"VERDICT_PURGE": "varnish", "VERDICT_VARNISH_URLS": "varnish:80"}, "http(s) URL"),
        ({"VERDICT_PURGE_VOTE_DEBOUNCE": "soon"}, "VERDICT_PURGE_VOTE_DEBOUNCE"),
    ],
)
def test_unusable_settings_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PurgeSettings.from_env(env)
