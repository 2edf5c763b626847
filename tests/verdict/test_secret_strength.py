"""Prod refuses placeholder and low-entropy secrets, naming the variable and how to make one."""

from __future__ import annotations

import secrets

import pytest

from graphql_api.settings import ApiSettings
from verdict.env_values import ConfigError
from verdict.settings import PROJECT_ROOT, Settings


def _example() -> dict[str, str]:
    pairs = {}
    for line in (PROJECT_ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


@pytest.mark.parametrize("name", ["VERDICT_SECRET_KEY", "CMS_WEBHOOK_SECRET"])
def test_prod_refuses_the_placeholders_of_env_example(name: str) -> None:
    env = {
        "VERDICT_MODE": "prod",
        "VERDICT_SECRET_KEY": secrets.token_urlsafe(32),
        "CMS_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        name: _example()[name],
    }
    with pytest.raises(ConfigError, match=f"{name} is a placeholder.*secrets.token_urlsafe"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "weak", ["a" * 40, "ab" * 20, "0123" * 10, "short-but-random-Xq9"], ids=repr
)
@pytest.mark.parametrize("name", ["VERDICT_SECRET_KEY", "CMS_WEBHOOK_SECRET"])
def test_prod_refuses_low_entropy_secrets(name: str, weak: str) -> None:
    env = {
        "VERDICT_MODE": "prod",
        "VERDICT_SECRET_KEY": secrets.token_urlsafe(32),
        "CMS_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        name: weak,
    }
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env)


def test_random_secrets_and_dev_mode_start() -> None:
    for _ in range(50):
        Settings.from_env(
            {
                "VERDICT_MODE": "prod",
                "VERDICT_SECRET_KEY": secrets.token_urlsafe(32),
                "CMS_WEBHOOK_SECRET": secrets.token_hex(16),
            }
        )
    Settings.from_env({"CMS_WEBHOOK_SECRET": "change-me-webhook-secret"})  # dev: allowed


def test_a_weak_metrics_token_is_refused_in_prod() -> None:
    with pytest.raises(ConfigError, match="VERDICT_METRICS_TOKEN"):
        ApiSettings.from_env({"VERDICT_METRICS_TOKEN": "change-me"}, prod=True)
