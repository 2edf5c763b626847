"""Surrogate key naming and the purge settings."""

from __future__ import annotations

import pytest

from verdict.env_values import ConfigError
from verdict.purge import keys
from verdict.purge.settings import Backend, PurgeSettings


def test_content_keys_are_the_version_keys_without_the_global_one() -> None:
    assert keys.for_content({"*", "tools", "tools:3", "comparisons:1"}) == [
        "comparisons:1",
        "tools",
        "tools:3",
    ]


def test_answer_keys_add_tallies() -> None:
    assert keys.for_answer({"comparisons:1"}, {"a"}, votes=True) == ["comparisons:1", "tally:a"]
    assert keys.for_answer({"comparisons:1"}, None, votes=True) == ["comparisons:1", "tallies"]
    assert keys.for_answer({"comparisons:1"}, {"a"}, votes=False) == ["comparisons:1"]
    assert keys.for_vote("a") == ["tally:a", "tallies"]


def test_a_slug_that_would_split_in_the_header_is_left_out() -> None:
    assert keys.for_answer(set(), {"a b", "c,d", "ok"}, votes=True) == ["tally:ok"]


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
