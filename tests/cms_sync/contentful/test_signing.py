"""Contentful's request signing, checked against a vector computed with Node's crypto,
querystring.escape and encodeURI, following @contentful/node-apps-toolkit's signRequest."""

from __future__ import annotations

import pytest

from cms_sync.contentful.signing import (
    SIGNATURE,
    SIGNED_HEADERS,
    TIMESTAMP,
    RequestVerifier,
    SignatureRejected,
    normalized_path,
    sign_request,
)

SECRET = "a" * 64
STAMP = 1603379941037
PATH = "/webhooks/contentful?x=1&y=a b/ü"
BODY = '{"sys":{"id":"é"}}'.encode()
HEADERS = {
    "Content-Type": "application/vnd.contentful.management.v1+json",
    "X-Contentful-Topic": "ContentManagement.Entry.publish",
}
# node -e: crypto.createHmac('sha256', 'a'.repeat(64)).update([method, path, headers, body]
# .join('\n')) with the toolkit's normalisation, for the request above.
NODE_SIGNATURE = "ce83b8fb7006023f2422fdf39bbf59cf7998a7c182d6a2ec914aeb97346ad119"


def _signed() -> dict[str, str]:
    return {**HEADERS, **sign_request(SECRET, "POST", PATH, HEADERS, BODY, timestamp_ms=STAMP)}


def test_the_path_is_normalised_as_the_toolkit_does() -> None:
    assert normalized_path(PATH) == "/webhooks/contentful?x%253D1%2526y%253Da%2520b%252F%25C3%25BC"
    assert normalized_path("/api/resources/1") == "/api/resources/1"


def test_signing_matches_the_toolkit() -> None:
    signed = sign_request(SECRET, "POST", PATH, HEADERS, BODY, timestamp_ms=STAMP)
    assert signed[SIGNATURE] == NODE_SIGNATURE
    assert signed[SIGNED_HEADERS] == (
        "content-type,x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic"
    )
    assert signed[TIMESTAMP] == str(STAMP)


def test_header_case_and_spacing_do_not_change_the_signature() -> None:
    spaced = {
        "  content-TYPE ": HEADERS["Content-Type"] + "  ",
        **{"x-contentful-topic": HEADERS["X-Contentful-Topic"]},
    }
    signed = sign_request(SECRET, "POST", PATH, spaced, BODY, timestamp_ms=STAMP)
    assert signed[SIGNATURE] == NODE_SIGNATURE


def test_a_fresh_signed_request_verifies() -> None:
    RequestVerifier(SECRET).verify("POST", PATH, _signed(), BODY, now_ms=STAMP + 1000)


def test_an_unsigned_header_may_change() -> None:
    headers = _signed() | {"x-forwarded-for": "10.0.0.1"}
    RequestVerifier(SECRET).verify("POST", PATH, headers, BODY, now_ms=STAMP)


@pytest.mark.parametrize(
    ("method", "path", "changes", "body"),
    [
        ("POST", PATH, {}, BODY + b" "),
        ("PUT", PATH, {}, BODY),
        ("POST", "/webhooks/contentful", {}, BODY),
        ("POST", PATH, {"X-Contentful-Topic": "ContentManagement.Entry.delete"}, BODY),
        ("POST", PATH, {SIGNATURE: "0" * 64}, BODY),
        ("POST", PATH, {SIGNATURE: "é" * 64}, BODY),
    ],
)
def test_a_tampered_request_is_refused(
    method: str, path: str, changes: dict[str, str], body: bytes
) -> None:
    headers = _signed()
    for key in list(headers):
        if key.lower() in {k.lower() for k in changes}:
            del headers[key]
    with pytest.raises(SignatureRejected) as refused:
        RequestVerifier(SECRET).verify(method, path, headers | changes, body, now_ms=STAMP)
    assert refused.value.status == 403


def test_another_secret_is_refused() -> None:
    with pytest.raises(SignatureRejected):
        RequestVerifier("b" * 64).verify("POST", PATH, _signed(), BODY, now_ms=STAMP)


@pytest.mark.parametrize("offset_ms", [30_000, 3_600_000, -30_000])
def test_an_old_or_future_request_is_refused(offset_ms: int) -> None:
    with pytest.raises(SignatureRejected, match="time to live") as refused:
        RequestVerifier(SECRET).verify("POST", PATH, _signed(), BODY, now_ms=STAMP + offset_ms)
    assert refused.value.status == 401


@pytest.mark.parametrize("missing", [SIGNATURE, TIMESTAMP, SIGNED_HEADERS])
def test_a_request_without_the_signing_headers_is_refused(missing: str) -> None:
    headers = {k: v for k, v in _signed().items() if k != missing}
    with pytest.raises(SignatureRejected) as refused:
        RequestVerifier(SECRET).verify("POST", PATH, headers, BODY, now_ms=STAMP)
    assert refused.value.status == 401


@pytest.mark.parametrize("stamp", ["soon", "1e12", "-5", "9" * 40])
def test_a_timestamp_that_is_not_milliseconds_is_refused(stamp: str) -> None:
    headers = _signed() | {TIMESTAMP: stamp}
    with pytest.raises(SignatureRejected) as refused:
        RequestVerifier(SECRET).verify("POST", PATH, headers, BODY, now_ms=STAMP)
    assert refused.value.status == 400


def test_signed_headers_must_cover_the_timestamp() -> None:
    headers = _signed() | {SIGNED_HEADERS: "content-type,x-contentful-signed-headers"}
    with pytest.raises(SignatureRejected, match="must list"):
        RequestVerifier(SECRET).verify("POST", PATH, headers, BODY, now_ms=STAMP)
