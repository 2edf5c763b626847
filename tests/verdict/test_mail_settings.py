"""The digest's and the share tags' settings: read once from the environment, bad values refused."""

from __future__ import annotations

import pytest

from verdict.env_values import ConfigError
from verdict.settings import MailSettings, Settings


def test_defaults_and_values() -> None:
    default = Settings.from_env({})
    assert default.public_url is None
    assert default.site_url == "http://127.0.0.1:8000"
    assert default.mail == MailSettings()
    settings = Settings.from_env(
        {
            "VERDICT_PUBLIC_URL": "https://verdict.example/",
            "VERDICT_SMTP_HOST": "mail.internal",
            "VERDICT_SMTP_PORT": "587",
            "VERDICT_SMTP_STARTTLS": "on",
            "VERDICT_SMTP_USERNAME": "digest",
            "VERDICT_SMTP_PASSWORD": "s3cret",
            "VERDICT_MAIL_FROM": "Verdict <digest@verdict.example>",
            "VERDICT_DIGEST_LIMIT_PER_IP": "0",
            "VERDICT_DIGEST_CONFIRMATION_HOURS": "24",
        }
    )
    assert settings.site_url == "https://verdict.example"
    mail = settings.mail
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_starttls) == ("mail.internal", 587, True)
    assert (mail.smtp_username, mail.smtp_password) == ("digest", "s3cret")
    assert mail.sender == "Verdict <digest@verdict.example>"
    assert (mail.subscribe_limit_per_ip, mail.confirmation_hours) == (0, 24)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VERDICT_PUBLIC_URL", "verdict.example"),
        ("VERDICT_PUBLIC_URL", "ftp://verdict.example"),
        ("VERDICT_PUBLIC_URL", "https://verdict.example/?a=1"),
        ("VERDICT_SMTP_PORT", "70000"),
        ("VERDICT_SMTP_STARTTLS", "maybe"),
        ("VERDICT_MAIL_FROM", "no address"),
        ("VERDICT_MAIL_FROM", "a@b.example\r\nBcc: x@y.example"),
        ("VERDICT_DIGEST_CONFIRMATION_HOURS", "0"),
        ("VERDICT_DIGEST_LIMIT_WINDOW", "soon"),
    ],
)
def test_bad_values_are_config_errors(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
