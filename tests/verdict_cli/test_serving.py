"""The served app's start-up: long-lived objects frozen out of the collector's reach, then the
collector's thresholds raised (verdict_cli.serving.FreezeAfterStartup)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from starlette.types import Message, Receive, Scope, Send

from verdict_cli.serving import FreezeAfterStartup


@pytest.fixture
def collector() -> Iterator[None]:
    """Python's own collector state back after the test."""
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


async def _lifespan_start(app: FreezeAfterStartup) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "lifespan.startup"
        assert gc.get_threshold() != (20_000, 50, 100)  # not before the start-up completes
        await send({"type": "lifespan.startup.complete"})

    app.app = inner
    await app({"type": "lifespan"}, receive, send)
    return sent


@pytest.mark.usefixtures("collector")
async def test_thresholds_are_raised_once_started() -> None:
    gc.set_threshold(700, 10, 10)
    app = FreezeAfterStartup(lambda *_: None, (20_000, 50, 100))  # type: ignore[arg-type]
    sent = await _lifespan_start(app)
    assert sent == [{"type": "lifespan.startup.complete"}]
    assert gc.get_threshold() == (20_000, 50, 100)
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("collector")
async def test_no_threshold_leaves_pythons() -> None:
    gc.set_threshold(700, 10, 10)
    await _lifespan_start(FreezeAfterStartup(lambda *_: None))  # type: ignore[arg-type]
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() > 0
