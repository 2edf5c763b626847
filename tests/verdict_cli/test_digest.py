"""`verdict digest send|export|erase` as an operator runs them (the real command, a real SMTP
server on loopback), on the demo content."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.servers import VERDICT
from tests.support.smtp import SmtpServer, running_smtp
from verdict.models.content import Comparison
from verdict.models.digest import DigestSubscriber
from verdict.settings import Settings


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


async def _verdict(settings: Settings, smtp: SmtpServer, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "VERDICT_SMTP_PORT": str(smtp.port),
        "VERDICT_PUBLIC_URL": "https://verdict.example",
        "VERDICT_MAIL_FROM": "Verdict <digest@verdict.example>",
    }
    process = await asyncio.create_subprocess_exec(
        str(VERDICT),
        "digest",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_send_mails_new_comparisons_once(demo_db: Settings, smtp: SmtpServer) -> None:
    published = await Comparison.filter(published_at__isnull=False).order_by("published_at")
    assert len(published) >= 3
    now = datetime.now(UTC)
    # Confirmed before the third comparison appeared: it gets the third one on.
    middle = published[2].published_at
    assert middle is not None
    reader = await DigestSubscriber.create(
        email="reader@example.org", nonce="c" * 32, confirmed_at=middle - timedelta(seconds=1)
    )
    await DigestSubscriber.create(email="pending@example.org", nonce="d" * 32, last_mail_at=now)
    await DigestSubscriber.create(
        email="stale@example.org", nonce="e" * 32, last_mail_at=now - timedelta(days=3)
    )
    expected = [c.title for c in published[2:]]

    code, out, _ = await _verdict(demo_db, smtp, "send", "--dry-run")
    assert code == 0
    assert f"would mail 1 subscriber(s) {len(expected)} comparison(s)" in out
    assert smtp.received == []
    assert await DigestSubscriber.exists(email="stale@example.org")  # a dry run changes nothing

    code, out, err = await _verdict(demo_db, smtp, "send")
    assert code == 0, err
    assert f"mailed 1 subscriber(s) {len(expected)} comparison(s)" in out
    (mail,) = smtp.exactly(1)
    assert mail.recipients == ["reader@example.org"]
    assert mail.message["From"] == "Verdict <digest@verdict.example>"
    text, html = mail.part("plain"), mail.part("html")
    for title in expected:
        assert title in text
    assert published[0].title not in text
    assert f'href="https://verdict.example/compare/{published[2].slug}"' in html
    (unsubscribe,) = mail.links()
    assert unsubscribe.startswith("https://verdict.example/digest/unsubscribe?token=")
    assert mail.message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    await reader.refresh_from_db()
    assert reader.sent_through == published[-1].published_at
    # Expired unconfirmed addresses are deleted; pending ones within their link's life stay.
    assert not await DigestSubscriber.exists(email="stale@example.org")
    assert await DigestSubscriber.exists(email="pending@example.org")

    code, out, _ = await _verdict(demo_db, smtp, "send")
    assert code == 0
    assert "mailed 0 subscriber(s)" in out
    assert len(smtp.received) == 1


async def test_a_refused_mail_leaves_the_others_sent(demo_db: Settings, smtp: SmtpServer) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await DigestSubscriber.create(email="refused@example.org", nonce="h" * 32, confirmed_at=start)
    await DigestSubscriber.create(email="ok@example.org", nonce="i" * 32, confirmed_at=start)
    code, out, err = await _verdict(demo_db, smtp, "send")
    assert code == 1
    assert "mailed 1 subscriber(s)" in out
    assert "recipient refused (550)" in err
    assert "refused@example.org" not in err + out  # no address in the operator's output
    (mail,) = smtp.exactly(1)
    assert mail.recipients == ["ok@example.org"]
    refused = await DigestSubscriber.get(email="refused@example.org")
    delivered = await DigestSubscriber.get(email="ok@example.org")
    assert refused.sent_through is None  # tried again next run
    assert delivered.sent_through is not None


async def test_export_and_erase(demo_db: Settings, smtp: SmtpServer) -> None:
    await DigestSubscriber.create(
        email="gdpr@example.org", nonce="f" * 32, confirmed_at=datetime.now(UTC)
    )
    code, out, _ = await _verdict(demo_db, smtp, "export", "GDPR@example.org")
    assert code == 0
    exported = json.loads(out)
    assert exported["email"] == "gdpr@example.org"
    assert exported["confirmed_at"] is not None
    assert set(exported) == {
        "email",
        "subscribed_at",
        "confirmed_at",
        "last_mail_at",
        "digest_sent_through",
        "link_nonce",
    }
    code, out, _ = await _verdict(demo_db, smtp, "erase", "gdpr@example.org")
    assert (code, out.strip()) == (0, "erased")
    assert not await DigestSubscriber.exists(email="gdpr@example.org")
    code, _, err = await _verdict(demo_db, smtp, "export", "gdpr@example.org")
    assert code == 1
    assert "nothing stored" in err


async def test_unreachable_smtp_server_fails_cleanly(demo_db: Settings) -> None:
    await DigestSubscriber.create(
        email="r@example.org", nonce="g" * 32, confirmed_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    with running_smtp() as server:
        pass  # stopped: its port now refuses connections
    code, _, err = await _verdict(demo_db, server, "send")
    assert code == 1
    assert "SMTP 127.0.0.1" in err
    row = await DigestSubscriber.get(email="r@example.org")
    assert row.sent_through is None  # nothing marked as sent
