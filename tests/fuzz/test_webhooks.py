"""Webhook headers and bodies, fuzzed byte for byte: always a 2xx or 4xx, never a 5xx or an
unhandled exception, and the endpoint still accepts a good webhook afterwards."""

from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import strategies as st

from cms_sync.adapters import adapter_for
from cms_sync.mapping import load_mapping
from cms_sync.webhooks import (
    SECRET_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_PATH,
    WebhookHint,
    create_webhook_app,
    sign,
)
from tests.support import hostile
from tests.support.raw_http import raw_request

SECRET = "webhook-secret-for-fuzzing-0123456789"
EVENT = b'{"collection": "tools"}'

stamps = st.one_of(
    hostile.header_bytes,
    st.sampled_from([b"nan", b"inf", b"-1", b"1e9", b"99999999999999999999"]),
    st.integers(min_value=-(10**12), max_value=10**12).map(
        lambda n: str(int(time.time()) + n).encode()
    ),
)
headers = st.lists(
    st.tuples(
        st.sampled_from([SECRET_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER]).map(str.encode),
        st.one_of(
            hostile.header_values.map(lambda v: v if isinstance(v, bytes) else v.encode()), stamps
        ),
    ),
    max_size=3,
)
requests = st.tuples(headers, st.one_of(hostile.raw_bodies, st.just(EVENT)))


async def test_webhook_headers_and_bodies() -> None:
    examples = hostile.draw(requests)
    fired: list[str] = []
    with hostile.captured_logs() as logs:
        async with TestServer(create_webhook_app(SECRET, fired.append)) as server:
            assert server.host is not None
            assert server.port is not None
            for sent_headers, body in examples:
                status = await raw_request(
                    server.host, server.port, WEBHOOK_PATH, sent_headers, body
                )
                assert status < 500, (sent_headers, body[:100], status)
            stamp = str(int(time.time()))
            good = [
                (TIMESTAMP_HEADER.encode(), stamp.encode()),
                (SIGNATURE_HEADER.encode(), sign(SECRET, stamp, EVENT).encode()),
            ]
            assert await raw_request(server.host, server.port, WEBHOOK_PATH, good, EVENT) == 202
    assert hostile.unhandled(logs.records) == []


ADAPTER_HEADERS = [
    SECRET_HEADER,
    "X-Contentful-Signature",
    "X-Contentful-Timestamp",
    "X-Contentful-Signed-Headers",
    "X-Contentful-Topic",
    "Content-Type",
]
adapter_requests = st.tuples(
    st.lists(
        st.tuples(
            st.sampled_from(ADAPTER_HEADERS).map(str.encode),
            st.one_of(
                hostile.header_values.map(lambda v: v if isinstance(v, bytes) else v.encode()),
                stamps,
                st.just(SECRET.encode()),
            ),
        ),
        max_size=4,
    ),
    st.one_of(
        hostile.raw_bodies,
        st.just(b'{"event": "entry.delete", "model": "tool", "entry": {"documentId": "x"}}'),
        st.just(b'{"sys": {"type": "Entry", "id": "x", "contentType": {"sys": {"id": "tool"}}}}'),
    ),
)


@pytest.mark.parametrize("kind", ["strapi", "contentful"])
async def test_other_adapters_webhook_headers_and_bodies(kind: str) -> None:
    """The Strapi and Contentful receivers on the worker's app, as CMS_KIND opens them."""
    adapter = adapter_for(kind)
    mapping = load_mapping(kind)
    examples = hostile.draw(adapter_requests)
    fired: list[str] = []
    hinted: list[WebhookHint] = []
    with hostile.captured_logs() as logs:
        app = create_webhook_app(
            SECRET,
            fired.append,
            receiver=lambda secret: adapter.receiver(secret, mapping),
            path=adapter.webhook_path,
            on_deleted=hinted.append,
        )
        async with TestServer(app) as server:
            assert server.host is not None
            assert server.port is not None
            for sent_headers, body in examples:
                status = await raw_request(
                    server.host, server.port, adapter.webhook_path, sent_headers, body
                )
                assert status < 500, (kind, sent_headers, body[:100], status)
            assert await raw_request(server.host, server.port, "/healthz", [], b"") < 500
    assert hostile.unhandled(logs.records) == []
