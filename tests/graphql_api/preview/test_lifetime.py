"""A preview token may not outlive the maximum lifetime, however it was signed."""

from __future__ import annotations

import time

import pytest

from graphql_api.preview.tokens import (
    MAX_LIFETIME_HOURS,
    InvalidPreviewTokenError,
    PreviewSigner,
)
from graphql_api.settings import ApiSettings
from verdict.env_values import ConfigError
from verdict.settings import DEV_SECRET_KEY

SIGNER = PreviewSigner.from_secret(DEV_SECRET_KEY)


def test_a_century_long_token_is_refused() -> None:
    forged = SIGNER.signer.sign(str(int(time.time()) + 100 * 365 * 24 * 3600))
    with pytest.raises(InvalidPreviewTokenError, match="maximum"):
        SIGNER.verify(forged)
    just_inside = SIGNER.issue(MAX_LIFETIME_HOURS)
    assert SIGNER.verify(just_inside) > time.time()


def test_tokens_beyond_the_maximum_are_not_issued_or_configured() -> None:
    with pytest.raises(ValueError, match="at most"):
        SIGNER.issue(MAX_LIFETIME_HOURS + 1)
    with pytest.raises(ConfigError, match="VERDICT_PREVIEW_TOKEN_HOURS"):
        ApiSettings.from_env({"VERDICT_PREVIEW_TOKEN_HOURS": "100000"}, prod=True)
