"""Live tallies: fan a "votes changed" signal out to subscribers, across replicas with Redis.

A change is announced by comparison slug only. Each process that has subscribers for that slug
then reads the tallies once from the database and hands them to all of them, so what a subscriber
sees is never older than the last announced change, however messages race, and a burst of votes
costs one read per process rather than one per vote and subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from graphql_api.votes.outcomes import Tallies

logger = logging.getLogger(__name__)

CHANNEL = "verdict:votes:changed"
Reader = Callable[[str], Awaitable[Tallies | None]]
Listener = Callable[[str | None], None]
"""Told every change this process hears (a slug), or None when changes may have been missed."""


class Mailbox:
    """Holds the latest tallies for one subscriber; older unread ones are replaced."""

    def __init__(self) -> None:
        self._latest: Tallies | None = None
        self._gone = False
        self._ready = asyncio.Event()

    def put(self, tallies: Tallies | None) -> None:
        self._latest, self._gone = tallies, tallies is None
        self._ready.set()

    async def next(self) -> Tallies | None:
        """The next tallies; None once the comparison is no longer published."""
        await self._ready.wait()
        self._ready.clear()
        return None if self._gone else self._latest


class TallyFeed:
    """In-process feed: changes announced here reach subscribers in this process only."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self._subscribers: dict[str, set[Mailbox]] = {}
        self._dirty: set[str] = set()
        self._refreshers: dict[str, asyncio.Task[None]] = {}
        self._listeners: list[Listener] = []

    @property
    def complete(self) -> bool:
        """Whether this process hears every change (a Redis feed does only while subscribed)."""
        return True

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` on every change heard here, whether or not anyone subscribes."""
        self._listeners.append(listener)

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        for task in list(self._refreshers.values()):
            task.cancel()

    async def changed(self, slug: str) -> None:
        """Announce that the votes of ``slug`` changed (after the change is committed)."""
        self._heard(slug)

    @contextlib.asynccontextmanager
    async def subscribe(self, slug: str) -> AsyncIterator[Mailbox]:
        """A mailbox that receives the tallies of ``slug`` after every change, while open."""
        box = Mailbox()
        self._subscribers.setdefault(slug, set()).add(box)
        try:
            yield box
        finally:
            boxes = self._subscribers.get(slug)
            if boxes is not None:
                boxes.discard(box)
                if not boxes:
                    del self._subscribers[slug]

    def subscriber_count(self, slug: str) -> int:
        return len(self._subscribers.get(slug, ()))

    def _tell(self, slug: str | None) -> None:
        for listener in self._listeners:
            listener(slug)

    def _heard(self, slug: str) -> None:
        self._tell(slug)
        if slug not in self._subscribers:
            return
        self._dirty.add(slug)
        if slug not in self._refreshers:
            self._refreshers[slug] = asyncio.create_task(self._refresh(slug))

    async def _refresh(self, slug: str) -> None:
        try:
            while slug in self._dirty:
                self._dirty.discard(slug)
                try:
                    tallies = await self._read(slug)
                except Exception:
                    logger.exception("reading the tallies of %s for subscribers failed", slug)
                    continue
                for box in list(self._subscribers.get(slug, ())):
                    box.put(tallies)
        finally:
            self._refreshers.pop(slug, None)


class RedisTallyFeed(TallyFeed):
    """Feed shared by every replica: changes go through Redis pub/sub, one listener per process."""

    def __init__(self, read: Reader, redis: Redis) -> None:
        super().__init__(read)
        self._redis = redis
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def complete(self) -> bool:
        return self._listening.is_set()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen())
        try:
            await asyncio.wait_for(self._listening.wait(), timeout=10)
        except TimeoutError:
            logger.warning("vote feed: Redis is not answering yet, live tallies will follow")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await super().stop()

    async def changed(self, slug: str) -> None:
        # This process learns at once; the others when Redis delivers (this one again then).
        self._tell(slug)
        try:
            await self._redis.publish(CHANNEL, slug)
        except RedisError:
            # The vote is committed; only the live update is lost. Local subscribers still hear.
            logger.warning("could not announce a vote change on Redis", exc_info=True)
            self._heard(slug)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    self._listening.set()
                    self._tell(None)  # changes made while not subscribed were missed
                    async for message in pubsub.listen():
                        data = message.get("data")
                        if isinstance(data, bytes):
                            self._heard(data.decode())
                        elif isinstance(data, str):
                            self._heard(data)
            except RedisError:
                logger.warning("vote feed lost Redis, reconnecting", exc_info=True)
                self._listening.clear()
                self._tell(None)
                await asyncio.sleep(1)
