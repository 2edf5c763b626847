"""One writer: only one sync worker replica writes at a time.

On PostgreSQL a session-level advisory lock is taken on a connection of its own, held for the
life of the worker: when the worker dies, its connection drops and PostgreSQL releases the lock,
so a waiting replica takes over. On SQLite (one machine) an exclusive ``flock`` on a file next to
the database does the same: the kernel releases it when the process dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from verdict.settings import Settings

log = logging.getLogger("cms_sync.lock")

# pg_advisory_lock key: a fixed 64-bit number for "verdict cms_sync writer" (per database).
ADVISORY_KEY = 0x7665_7264_6963_7401


class SyncLock(Protocol):
    async def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this worker now holds it."""
        ...

    async def still_held(self) -> bool:
        """False when the lock was lost (its connection died); the worker must stop writing."""
        ...

    async def release(self) -> None: ...


class PostgresLock:
    """A session-level advisory lock on a dedicated asyncpg connection."""

    def __init__(self, database_url: str, key: int = ADVISORY_KEY) -> None:
        parts = urlsplit(database_url)
        # asyncpg wants postgresql://; Tortoise-only query options are not its business.
        self._dsn = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
        self._key = key
        self._conn: asyncpg.Connection | None = None

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend holding the lock (for operators and tests)."""
        return self._conn.get_server_pid() if self._conn is not None else None

    async def try_acquire(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(self._dsn)
        got = bool(await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key))
        return got

    async def still_held(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            held = await self._conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND objid = ($1::bigint & 4294967295)::oid",
                self._key,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            conn, self._conn = self._conn, None
            conn.terminate()  # the session (and with it the lock) is gone; start afresh
            return False
        return bool(held)

    async def release(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await conn.execute("SELECT pg_advisory_unlock($1)", self._key)
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await conn.close(timeout=5)


class FileLock:
    """An exclusive ``flock`` on ``<database>.sync-lock`` (SQLite: one machine)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    async def try_acquire(self) -> bool:
        if self._fd is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    async def still_held(self) -> bool:
        return self._fd is not None

    async def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def lock_for(settings: Settings) -> SyncLock:
    """The single-writer lock for the configured database."""
    if settings.is_postgres:
        return PostgresLock(settings.database_url)
    path = settings.database_url.split("://", 1)[1].split("?", 1)[0]
    return FileLock(Path(path + ".sync-lock"))


async def acquire(
    lock: SyncLock,
    *,
    stop: asyncio.Event | None = None,
    retry_every: float = 2.0,
    on_wait: Callable[[], None] | None = None,
) -> bool:
    """Wait until ``lock`` is ours (True) or ``stop`` is set (False)."""
    waited = False
    while True:
        try:
            got = await lock.try_acquire()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("sync lock: cannot reach the database (%s); retrying", type(exc).__name__)
            got = False
        if got:
            if waited:
                log.info("sync lock acquired: this worker now writes")
            return True
        if not waited and on_wait is not None:
            on_wait()
        waited = True
        if stop is None:
            await asyncio.sleep(retry_every)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=retry_every)
        if stop.is_set():
            return False
