"""The preview token provision writes into Directus: short-lived, stable within half its life."""

from __future__ import annotations

import pytest

from graphql_api.preview.tokens import InvalidPreviewTokenError, PreviewSigner
from verdict.settings import DEV_SECRET_KEY
from verdict_cli.cms import link_token

SIGNER = PreviewSigner.from_secret(DEV_SECRET_KEY)
HOURS = 24
START = 1_799_971_200.0  # a multiple of 12 h: the start of a half-lifetime window


@pytest.mark.parametrize("offset", [0.0, 1.0, 6 * 3600.0, 12 * 3600.0 - 1])
def test_a_rerun_in_the_same_window_writes_the_same_token(offset: float) -> None:
    assert link_token(SIGNER, HOURS, now=START + offset) == link_token(SIGNER, HOURS, now=START)


@pytest.mark.parametrize("offset", [0.0, 5 * 3600.0, 12 * 3600.0 - 1, 12 * 3600.0, 30 * 3600.0])
def test_the_token_has_between_half_and_all_of_its_lifetime_left(offset: float) -> None:
    now = START + offset
    left = SIGNER.verify(link_token(SIGNER, HOURS, now=now), now=now) - now
    assert HOURS * 1800 < left <= HOURS * 3600


def test_the_next_window_writes_a_new_token_and_the_old_one_expires() -> None:
    first = link_token(SIGNER, HOURS, now=START)
    assert link_token(SIGNER, HOURS, now=START + 12 * 3600) != first
    with pytest.raises(InvalidPreviewTokenError, match="expired"):
        SIGNER.verify(first, now=START + HOURS * 3600 + 1)
