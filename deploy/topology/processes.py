"""Child processes of the topology: `verdict` commands with their output captured line by line.

Every line a child prints is kept with the monotonic time it arrived (and copied to a log file),
so checks can wait for a line and measure when it came. Children run in their own session, so a
Ctrl-C of the check reaches them only through :meth:`Child.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

VERDICT = Path(sys.executable).with_name("verdict")
# Variables the children must not inherit from the caller: each child gets exactly ours.
_OWN_PREFIXES = ("VERDICT_", "CMS_")
_OWN_NAMES = {"DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS"}


class TopologyError(RuntimeError):
    """A process of the topology did not start or did not behave in time."""


@dataclass(frozen=True, slots=True)
class Line:
    at: float  # time.monotonic()
    text: str


@dataclass(eq=False)
class Child:
    """One `verdict` process and everything it printed."""

    name: str
    args: tuple[str, ...]
    env: dict[str, str]
    log_path: Path
    lines: list[Line] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        self.lines = []
        self.process = await asyncio.create_subprocess_exec(
            str(VERDICT),
            *self.args,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        self._reader = asyncio.create_task(self._read(self.process))

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        with self.log_path.open("a") as log:
            log.write(f"--- {self.name}: verdict {' '.join(self.args)} (pid {process.pid})\n")
            async for raw in process.stdout:
                text = raw.decode(errors="replace").rstrip("\n")
                self.lines.append(Line(time.monotonic(), text))
                log.write(text + "\n")
                log.flush()
                self._changed.set()
        await process.wait()
        self._changed.set()

    def matching(self, pattern: str, *, since: float = 0.0) -> list[Line]:
        regex = re.compile(pattern)
        return [line for line in self.lines if line.at >= since and regex.search(line.text)]

    async def wait_for(self, pattern: str, *, within: float, since: float = 0.0) -> Line:
        """The first line matching ``pattern`` printed at or after ``since``."""
        deadline = time.monotonic() + within
        while True:
            found = self.matching(pattern, since=since)
            if found:
                return found[0]
            if not self.running and (self._reader is None or self._reader.done()):
                raise TopologyError(
                    f"{self.name} exited before printing /{pattern}/:\n{self.tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TopologyError(
                    f"{self.name} printed no /{pattern}/ in {within}s:\n{self.tail()}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def tail(self, count: int = 15) -> str:
        return "\n".join(f"    {line.text}" for line in self.lines[-count:])

    def kill(self) -> float:
        """SIGKILL, no goodbye; returns the monotonic time it was sent."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        return time.monotonic()

    async def wait_exited(self, within: float = 10.0) -> None:
        if self.process is not None:
            await asyncio.wait_for(self.process.wait(), within)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, within)

    async def stop(self, within: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``within`` seconds; always reaps the process."""
        process = self.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), within)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self._reader is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reader, within)


def child_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without Verdict's own variables, plus ``overrides``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_OWN_PREFIXES) and name not in _OWN_NAMES
    }
    env.update(overrides)
    return env


async def run_once(name: str, args: tuple[str, ...], env: dict[str, str], log: Path) -> str:
    """Run a short `verdict` command to the end (at most 120 s); its output, or TopologyError."""
    child = Child(name, args, env, log)
    await child.start()
    try:
        await child.wait_exited(within=120)
    except TimeoutError:
        await child.stop()
        raise TopologyError(f"{name} did not finish in 120 s:\n{child.tail()}") from None
    assert child.process is not None
    if child.process.returncode != 0:
        raise TopologyError(f"{name} exited {child.process.returncode}:\n{child.tail()}")
    return "\n".join(line.text for line in child.lines)


async def wait_http_ok(url: str, child: Child, within: float = 60.0) -> None:
    """Wait until ``url`` answers 200 (the child's health endpoint)."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if not child.running:
                raise TopologyError(f"{child.name} exited while starting:\n{child.tail()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise TopologyError(f"{child.name}: {url} did not answer 200 in {within}s:\n{child.tail()}")
