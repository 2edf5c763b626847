"""`verdict votes audit | void | prune` as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from redis.asyncio import Redis

from graphql_api.votes.feed import CHANNEL
from tests.support.services import REDIS_URL, require_service
from tests.support.vote_history import add_votes
from verdict.models.votes import VoteTally, VoteVoid
from verdict.settings import Settings

VERDICT = Path(sys.executable).with_name("verdict")
SLUG = "a-vs-b"


async def _run(settings: Settings, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(VERDICT),
        *args,
        env={**os.environ, "DATABASE_URL": settings.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_audit_then_void_then_prune(db: Settings, tmp_path: Path) -> None:
    await add_votes(SLUG, "a", 8)
    stuffed = await add_votes(
        SLUG, "b", 12, prefix="203.0.113.0/24", minted_before=timedelta(seconds=1)
    )
    code, out, _ = await _run(db, "votes", "audit", "--comparison", SLUG)
    assert code == 0
    assert "prefix-burst" in out
    assert "203.0.113.0/24" in out
    assert "fast-voters" in out
    code, out, _ = await _run(
        db, "votes", "void", "--comparison", SLUG, "--ip-prefix", "203.0.113.0/24", "--dry-run"
    )
    assert (code, out.strip()) == (0, f"12 votes would be voided on {SLUG}: b 12")
    listed = tmp_path / "voters.txt"
    listed.write_text("\n".join(stuffed[:4]) + "\n")
    code, out, _ = await _run(db, "votes", "void", "--comparison", SLUG, "--voters", str(listed))
    assert code == 0
    assert out.startswith(f"4 votes voided on {SLUG}: b 4")
    code, out, _ = await _run(
        db, "votes", "void", "--comparison", SLUG, "--ip-prefix", "203.0.113.0/24"
    )
    assert out.startswith(f"8 votes voided on {SLUG}: b 8")
    counts = dict(await VoteTally.filter(comparison_slug=SLUG).values_list("tool_slug", "count"))
    assert counts == {"a": 8, "b": 0}
    assert await VoteVoid.filter(comparison_slug=SLUG).count() == 12
    code, out, _ = await _run(db, "votes", "prune")
    assert code == 0
    assert "idempotency rows deleted" in out


async def test_bad_arguments_are_clear_errors(db: Settings) -> None:
    code, _, err = await _run(db, "votes", "void", "--comparison", SLUG)
    assert code == 2
    assert "one of the arguments" in err
    code, _, err = await _run(db, "votes", "audit", "--since", "yesterday-ish")
    assert code == 2
    assert "not a time" in err
    code, _, err = await _run(
        db, "votes", "void", "--comparison", SLUG, "--voters", "/nonexistent/file"
    )
    assert code == 2
    assert "cannot read" in err


async def test_void_tells_the_replicas_through_redis(db: Settings) -> None:
    if not REDIS_URL:
        require_service("Redis", "VERDICT_TEST_REDIS_URL")
    slug = f"void-{uuid.uuid4().hex[:8]}"
    await add_votes(slug, "b", 3, prefix="203.0.113.0/24")
    redis = Redis.from_url(REDIS_URL)
    pubsub = redis.pubsub()
    await pubsub.subscribe(CHANNEL)
    try:
        await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
        env = {**os.environ, "DATABASE_URL": db.database_url, "REDIS_URL": REDIS_URL}
        process = await asyncio.create_subprocess_exec(
            str(VERDICT),
            *("votes", "void", "--comparison", slug, "--ip-prefix", "203.0.113.0/24"),
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
        )
        assert await process.wait() == 0
        heard = []
        for _ in range(50):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
            if message is not None:
                heard.append(message["data"].decode())
            if slug in heard:
                break
        assert slug in heard
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # unannotated in redis-py
        await redis.aclose()
