"""Signed tokens: a signer reads back what it signed, and refuses a token of another purpose, key or
version, or one changed in any part."""

from __future__ import annotations

import pytest

from graphql_api.signing import BadTokenError, PurposeSigner

SECRET = "a-secret-key-for-the-signing-tests"


def signer(purpose: bytes = b"voter", version: str = "v1", secret: str = SECRET) -> PurposeSigner:
    return PurposeSigner.derive(secret, purpose, version)


def test_a_signed_payload_reads_back() -> None:
    token = signer().sign("voter-123")
    assert token.startswith("v1.voter-123.")
    assert signer().unsign(token) == "voter-123"


@pytest.mark.parametrize(
    "other",
    [
        signer(purpose=b"preview"),  # one purpose's token never passes as another's
        signer(secret="another-secret-key-entirely-000000"),
    ],
)
def test_another_purpose_or_key_does_not_match(other: PurposeSigner) -> None:
    with pytest.raises(BadTokenError, match="signature does not match"):
        other.unsign(signer().sign("voter-123"))


def test_a_changed_payload_or_signature_does_not_match() -> None:
    version, payload, signature = signer().sign("voter-123").split(".")
    for forged in (
        f"{version}.voter-124.{signature}",
        f"{version}.{payload}.{signature[:-1]}A" if signature[-1] != "A" else f"{version}.x.y",
    ):
        with pytest.raises(BadTokenError, match="signature does not match"):
            signer().unsign(forged)


@pytest.mark.parametrize("token", ["", "v1", "v1.payload", "v1.a.b.c", "v2.payload.sig"])
def test_malformed_tokens_and_other_versions_are_refused(token: str) -> None:
    with pytest.raises(BadTokenError, match="malformed"):
        signer().unsign(token)


def test_the_version_is_part_of_what_is_signed() -> None:
    token = signer(version="v2").sign("voter-123")
    relabelled = "v1" + token.removeprefix("v2")
    with pytest.raises(BadTokenError, match="signature does not match"):
        signer(version="v1").unsign(relabelled)
