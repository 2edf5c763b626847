"""The signature of a revalidation notice covers its timestamp and its body, under the hook's
secret."""

from __future__ import annotations

from verdict.hooks.signing import sign, verify

SECRET = "receiver-secret"


def test_signatures_cover_the_timestamp_and_the_body() -> None:
    body = b'{"slugs":["a"]}'
    signature = sign(SECRET, 1_700_000_000, body)
    assert verify(SECRET, "1700000000", body, signature)
    assert not verify(SECRET, "1700000001", body, signature)
    assert not verify(SECRET, "1700000000", body + b" ", signature)
    assert not verify("other", "1700000000", body, signature)
