"""The HMAC primitives: a key per purpose and secret; a signature that is the standard HMAC-SHA256,
URL-safe and unpadded, and changes with the key and the message."""

from __future__ import annotations

import base64
import hashlib
import hmac

from verdict.signing import derive_key, signature

SECRET = "a-secret-key-for-the-signing-tests"


def test_each_purpose_and_secret_has_its_own_key() -> None:
    keys = {
        derive_key(SECRET, b"voter"),
        derive_key(SECRET, b"digest"),
        derive_key("another-secret-key-entirely-000000", b"voter"),
    }
    assert len(keys) == 3
    assert derive_key(SECRET, b"voter") == derive_key(SECRET, b"voter")


def test_a_signature_is_hmac_sha256_in_unpadded_urlsafe_base64() -> None:
    key = derive_key(SECRET, b"voter")
    sig = signature(key, "v1.payload")
    assert "=" not in sig
    padded = sig + "=" * (-len(sig) % 4)
    expected = hmac.new(key, b"v1.payload", hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(padded) == expected


def test_the_signature_changes_with_the_key_or_the_message() -> None:
    key = derive_key(SECRET, b"voter")
    other = derive_key(SECRET, b"digest")
    assert signature(key, "m") != signature(other, "m")
    assert signature(key, "m") != signature(key, "n")
