"""Contentful's request signing, as its webhooks (and App Framework requests) use it.

Reproduces ``signRequest``/``verifyRequest`` of Contentful's ``@contentful/node-apps-toolkit``
(``src/requests/sign-request.ts``, ``verify-request.ts``, ``utils.ts``): the signature is the hex
HMAC-SHA256, keyed with the space's webhook signing secret, of the canonical request

    <METHOD>\\n<normalized path>\\n<key:value;key:value...>\\n<body>

where the headers are those named in ``x-contentful-signed-headers`` (comma-separated, lower
case, which include ``x-contentful-signed-headers`` and ``x-contentful-timestamp`` themselves),
keys lower-cased and trimmed, values trimmed, sorted by key; the path is the request path with
its query escaped as Node's ``querystring.escape`` and the whole passed through ``encodeURI``.
``x-contentful-timestamp`` is milliseconds since the epoch; the toolkit refuses a request older
than a time to live (30 seconds by default). The signature goes in ``x-contentful-signature``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

SIGNATURE = "x-contentful-signature"
SIGNED_HEADERS = "x-contentful-signed-headers"
TIMESTAMP = "x-contentful-timestamp"
DEFAULT_TTL_SECONDS = 30
"""The toolkit's default time to live of a signed request."""
MAX_TIMESTAMP_DIGITS = 15


class SignatureRejected(Exception):
    """A request that does not carry a valid, fresh signature; ``status`` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def normalized_path(path: str) -> str:
    """The toolkit's ``getNormalizedEncodedURI``: escape the query, then ``encodeURI`` it all."""
    pathname, _, search = path.partition("?")
    escaped = quote(search, safe="!'()*-._~") if search else ""
    whole = f"{pathname}?{escaped}" if escaped else pathname
    return quote(whole, safe=";,/?:@&=+$!*'()#-._~")


def signature(secret: str, method: str, path: str, headers: Mapping[str, str], body: bytes) -> str:
    """Hex HMAC-SHA256 of the canonical request over exactly ``headers`` (already picked)."""
    normalized = {k.lower().strip(): v.strip() for k, v in headers.items()}
    joined = ";".join(f"{key}:{normalized[key]}" for key in sorted(normalized))
    canonical = "\n".join((method.upper(), normalized_path(path), joined)).encode() + b"\n" + body
    return hmac.new(secret.encode(), canonical, hashlib.sha256).hexdigest()


def sign_request(
    secret: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    timestamp_ms: int,
) -> dict[str, str]:
    """The headers Contentful adds to a request it signs (``signRequest``)."""
    to_sign = {k.lower().strip(): v.strip() for k, v in headers.items()}
    to_sign[TIMESTAMP] = str(timestamp_ms)
    to_sign[SIGNED_HEADERS] = ",".join(sorted({*to_sign, SIGNED_HEADERS}))
    return {
        SIGNATURE: signature(secret, method, path, to_sign, body),
        SIGNED_HEADERS: to_sign[SIGNED_HEADERS],
        TIMESTAMP: to_sign[TIMESTAMP],
    }


@dataclass(frozen=True, slots=True)
class RequestVerifier:
    """``verifyRequest`` with a time to live; also refuses timestamps from the future."""

    secret: str
    ttl_seconds: float = DEFAULT_TTL_SECONDS

    def verify(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, *, now_ms: float
    ) -> None:
        """Return when the request is authentic and fresh; raise SignatureRejected otherwise."""
        lowered = {k.lower().strip(): v.strip() for k, v in headers.items()}
        given = lowered.get(SIGNATURE)
        stamp = lowered.get(TIMESTAMP)
        listed = lowered.get(SIGNED_HEADERS)
        if given is None or stamp is None or listed is None:
            raise SignatureRejected(
                401, f"unsigned: {SIGNATURE}, {TIMESTAMP} and {SIGNED_HEADERS} are required"
            )
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_TIMESTAMP_DIGITS):
            raise SignatureRejected(400, f"{TIMESTAMP} is not milliseconds in digits")
        age_ms = now_ms - int(stamp)
        if age_ms >= self.ttl_seconds * 1000 or -age_ms >= self.ttl_seconds * 1000:
            raise SignatureRejected(
                401, f"expired or future {TIMESTAMP} (time to live {self.ttl_seconds:g}s)"
            )
        names = {n.strip().lower() for n in listed.split(",") if n.strip()}
        if not {TIMESTAMP, SIGNED_HEADERS} <= names:
            raise SignatureRejected(401, f"{SIGNED_HEADERS} must list itself and {TIMESTAMP}")
        picked = {k: v for k, v in lowered.items() if k in names}
        expected = signature(self.secret, method, path, picked, body)
        if not given.isascii() or not hmac.compare_digest(given.encode(), expected.encode()):
            raise SignatureRejected(403, "bad signature")
