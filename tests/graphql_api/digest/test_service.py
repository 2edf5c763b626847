"""subscribeToDigest, its mailed links and typed errors, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from cms_sync.directus.server import free_port
from tests.support.clients import api_client
from tests.support.smtp import SmtpServer, running_smtp
from verdict.digest.tokens import Link, LinkKind, LinkSigner
from verdict.models.digest import DigestSubscriber
from verdict.settings import MailSettings, Settings

SUBSCRIBE = """
mutation Subscribe($email: String!) {
  subscribeToDigest(email: $email) {
    __typename
    ... on DigestSubscriptionRequested { message }
    ... on InvalidEmail { message }
    ... on DigestRateLimited { retryAfterSeconds message }
    ... on DigestUnavailable { message }
  }
}
"""
CONFIRM = """
mutation Confirm($token: String!) {
  confirmDigestSubscription(token: $token) {
    __typename
    ... on DigestConfirmed { message }
    ... on InvalidDigestLink { message }
  }
}
"""


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


def _settings(db: Settings, port: int, **mail: Any) -> Settings:
    return dataclasses.replace(
        db, mail=MailSettings(smtp_port=port, **mail), public_url="http://verdict.test"
    )


@pytest.fixture
async def http(demo_db: Settings, smtp: SmtpServer) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(_settings(demo_db, smtp.port, subscribe_limit_per_ip=20)) as client:
        yield client


async def _gql(http: httpx.AsyncClient, query: str, **variables: str) -> dict[str, Any]:
    body = (await http.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body
    return dict(next(iter(body["data"].values())))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_double_opt_in_and_one_click_unsubscribe(
    http: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    answer = await _gql(http, SUBSCRIBE, email="  Reader@Example.org ")
    assert answer["__typename"] == "DigestSubscriptionRequested"
    (mail,) = smtp.exactly(1)
    assert mail.recipients == ["reader@example.org"]
    assert mail.message["Subject"] == "Confirm your Verdict digest subscription"
    (confirm,) = mail.links()
    assert confirm in mail.part("html")
    row = await DigestSubscriber.get(email="reader@example.org")
    assert row.confirmed_at is None
    # The link names the row, never the address.
    assert "reader" not in confirm

    # Opening the link (as a mail scanner does) confirms nothing: its page has the button.
    page = await http.get(_path(confirm))
    assert page.status_code == 200
    assert "Confirm my subscription" in page.text
    assert page.headers["cache-control"] == "no-store"
    await row.refresh_from_db()
    assert row.confirmed_at is None
    confirmed = await http.post(_path(confirm))
    assert confirmed.status_code == 200
    assert "<h1>Subscribed</h1>" in confirmed.text
    await row.refresh_from_db()
    assert row.confirmed_at is not None
    assert (await http.post(_path(confirm))).status_code == 200  # a second click is fine

    # One row per address; the unsubscribe link comes in the notice (and in every digest).
    await row.filter(id=row.id).update(last_mail_at=datetime.now(UTC) - timedelta(hours=1))
    again = await _gql(http, SUBSCRIBE, email="reader@example.org")
    assert again == answer
    _, notice = smtp.exactly(2)
    assert notice.message["Subject"] == "You already get the Verdict digest"
    (unsubscribe,) = notice.links()
    assert await DigestSubscriber.filter(email="reader@example.org").count() == 1

    gone = await http.get(_path(unsubscribe))
    assert gone.status_code == 200
    assert "Unsubscribed" in gone.text
    assert not await DigestSubscriber.exists(email="reader@example.org")
    assert (await http.post(_path(unsubscribe))).status_code == 200  # RFC 8058's POST, again
    forged = unsubscribe[:-3] + ("abc" if not unsubscribe.endswith("abc") else "xyz")
    assert (await http.get(_path(forged))).status_code == 400
    # The old confirmation link died with the row.
    assert (await _gql(http, CONFIRM, token=confirm.split("token=")[1]))[
        "__typename"
    ] == "InvalidDigestLink"


async def test_answer_never_tells_whether_an_address_is_subscribed(
    http: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    now = datetime.now(UTC)
    await DigestSubscriber.create(
        email="known@example.org", nonce="a" * 32, confirmed_at=now - timedelta(days=3)
    )
    known = await _gql(http, SUBSCRIBE, email="known@example.org")
    unknown = await _gql(http, SUBSCRIBE, email="unknown@example.org")
    assert known == unknown
    mails = smtp.exactly(2)
    assert sorted(m.recipients[0] for m in mails) == ["known@example.org", "unknown@example.org"]
    # A repeat within the interval: the same answer, and no second mail to the mailbox.
    assert await _gql(http, SUBSCRIBE, email="unknown@example.org") == unknown
    assert await _gql(http, SUBSCRIBE, email="known@example.org") == known
    assert len(smtp.received) == 2


async def test_bad_addresses_and_links_get_typed_errors(http: httpx.AsyncClient) -> None:
    for bad in ("", "not-an-address", "a@b", "a b@example.org", "x" * 250 + "@example.org"):
        answer = await _gql(http, SUBSCRIBE, email=bad)
        assert answer["__typename"] == "InvalidEmail", bad
    assert not await DigestSubscriber.exists()
    for token in ("", "c.1.2.3.4", "garbage"):
        answer = await _gql(http, CONFIRM, token=token)
        assert answer["__typename"] == "InvalidDigestLink"
    assert (await http.get("/digest/confirm")).status_code == 400


async def test_expired_confirmation_link_is_refused(
    http: httpx.AsyncClient, demo_db: Settings
) -> None:
    row = await DigestSubscriber.create(email="late@example.org", nonce="b" * 32)
    signer = LinkSigner.from_secret(demo_db.secret_key)
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    token = signer.sign(Link(LinkKind.CONFIRM, row.id, row.nonce, past))
    assert (await _gql(http, CONFIRM, token=token))["__typename"] == "InvalidDigestLink"
    future = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    other_key = LinkSigner.from_secret("another-secret-key-of-32-characters-x")
    forged = other_key.sign(Link(LinkKind.CONFIRM, row.id, row.nonce, future))
    assert (await _gql(http, CONFIRM, token=forged))["__typename"] == "InvalidDigestLink"
    valid = signer.sign(Link(LinkKind.CONFIRM, row.id, row.nonce, future))
    assert (await _gql(http, CONFIRM, token=valid))["__typename"] == "DigestConfirmed"


async def test_rate_limit_per_client_address(demo_db: Settings, smtp: SmtpServer) -> None:
    async with api_client(_settings(demo_db, smtp.port, subscribe_limit_per_ip=3)) as client:
        for index in range(3):
            answer = await _gql(client, SUBSCRIBE, email=f"r{index}@example.org")
            assert answer["__typename"] == "DigestSubscriptionRequested"
        limited = await _gql(client, SUBSCRIBE, email="r9@example.org")
        assert limited["__typename"] == "DigestRateLimited"
        assert 0 < limited["retryAfterSeconds"] <= 3600
    assert not await DigestSubscriber.exists(email="r9@example.org")


async def test_unreachable_smtp_server_is_a_typed_error(demo_db: Settings) -> None:
    async with api_client(_settings(demo_db, free_port())) as client:
        answer = await _gql(client, SUBSCRIBE, email="someone@example.org")
    assert answer["__typename"] == "DigestUnavailable"
