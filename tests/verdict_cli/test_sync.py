"""`verdict sync` (verdict_cli.sync) as a process: SIGKILL mid-sync then restart converges;
errors are one line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import pytest

from tests.support.content import assert_mirrors, seed, tool
from tests.support.fake_directus import TOKEN, FakeDirectus, Reply, error_body
from verdict.models.content import Review, Tool
from verdict.settings import PROJECT_ROOT, Settings

WAIT = 120  # upper bound for a subprocess to finish; not a performance assertion


def _env(db: Settings, fake: FakeDirectus) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": db.database_url,
        "CMS_URL": fake.url,
        "CMS_TOKEN": TOKEN,
    }


async def _verdict(db: Settings, fake: FakeDirectus, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "verdict_cli.main",
        "sync",
        *args,
        env=_env(db, fake),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _until_requests_or_exit(
    fake: FakeDirectus, process: asyncio.subprocess.Process, count: int
) -> None:
    """Wait for ``count`` item requests; if the process ends first, fail with its output."""
    requests = asyncio.ensure_future(fake.wait_for_items_requests(count))
    exited = asyncio.ensure_future(process.wait())
    done, _ = await asyncio.wait({requests, exited}, timeout=WAIT, return_when="FIRST_COMPLETED")
    exited.cancel()
    if requests in done:
        return
    requests.cancel()
    assert process.stderr is not None
    if exited in done:
        err = (await process.stderr.read()).decode()
    else:
        process.kill()
        err = "(still running; killed)"
    pytest.fail(f"sync made under {count} item requests (exit {process.returncode}): {err[-2000:]}")


@pytest.mark.parametrize("restart", [["--full"], []], ids=["restart-full", "restart-incremental"])
async def test_sigkill_mid_sync_then_restart_converges_to_the_cms(
    db: Settings, fake: FakeDirectus, restart: list[str]
) -> None:
    seed(fake, tools=1200, reviewers=40, reviews=2400)
    fake.delay = 0.02  # a slow page endpoint, so the kill lands mid-sync
    process = await _verdict(db, fake, "--full", "--page-size", "40")
    # Kill it once it is well into the reviews (tools and reviewers take 31 requests).
    await _until_requests_or_exit(fake, process, 50)
    assert process.returncode is None, "the sync finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), WAIT)
    assert process.returncode == -signal.SIGKILL
    partial = await Review.all().count()
    assert 0 < partial < 2400, "the kill should land mid-sync"

    # Meanwhile editors keep working.
    fake.put("tools", tool(7, name="Edited after the crash"))
    fake.delay = 0.0
    process = await _verdict(db, fake, *restart, "--page-size", "40")
    out, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 0, err.decode()
    assert "sync:" in out.decode()
    await assert_mirrors(fake)
    assert (await Tool.get(id=7)).name == "Edited after the crash"


async def test_a_fatal_cms_error_is_one_clear_line_and_exit_code_1(
    db: Settings, fake: FakeDirectus
) -> None:
    seed(fake, tools=3, reviewers=1, reviews=2)
    fake.fail("/items/tools", Reply(403, error_body("You don't have permission", "FORBIDDEN")))
    process = await _verdict(db, fake)
    _, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 1
    lines = err.decode().strip().splitlines()
    assert lines == [
        "verdict sync: tools: the CMS answered 403 Forbidden for GET /items/tools: "
        "You don't have permission (FORBIDDEN)"
    ]
    assert TOKEN not in err.decode()
    assert await Tool.all().count() == 0


async def test_watch_syncs_then_stops_gracefully_on_sigterm(
    db: Settings, fake: FakeDirectus
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await _verdict(db, fake, "--watch", "--webhook-port", str(port))
    assert process.stderr is not None
    seen: list[str] = []
    while not any("incremental sync:" in line or "full sync:" in line for line in seen):
        line = await asyncio.wait_for(process.stderr.readline(), WAIT)
        assert line, "the worker exited early: " + "".join(seen)
        seen.append(line.decode())
    process.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 0
    assert "verdict sync: stopped" in rest.decode()
    await assert_mirrors(fake)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CMS_KIND": "Word Press"}, "CMS_KIND must name a CMS adapter"),
        ({"CMS_KIND": "wordpress"}, "CMS_KIND='wordpress' has no adapter here (supported: "),
        ({"CMS_MAPPING": "/nonexistent/mapping.json"}, "no such mapping file"),
    ],
)
async def test_a_bad_cms_choice_or_mapping_fails_at_start_up(
    db: Settings, env: dict[str, str], message: str
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "verdict_cli.main",
        "sync",
        env=os.environ | {"DATABASE_URL": db.database_url, "CMS_TOKEN": "t"} | env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 2, err
    assert message in err.decode()
