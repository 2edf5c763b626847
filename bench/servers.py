"""Server processes under test: start, wait until they answer, watch their memory, stop."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERDICT = Path(sys.executable).with_name("verdict")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str

    def pids(self) -> list[int]:
        """The server process and every process below it (the workers)."""
        found, frontier = [], [self.process.pid]
        while frontier:
            pid = frontier.pop()
            found.append(pid)
            with contextlib.suppress(OSError):
                for task in os.listdir(f"/proc/{pid}/task"):
                    children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                    frontier.extend(int(c) for c in children)
        return found


def rss_mb(pid: int) -> float:
    """Resident set size of one process (VmRSS), in MB; 0 once it is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class RssSampler:
    """Samples the RSS of a server's processes in a thread, keeping each process's peak."""

    server: Server
    interval: float = 0.25
    peaks: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in self.server.pids():
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), rss_mb(pid))

    @contextlib.contextmanager
    def running(self) -> Iterator[RssSampler]:
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def summary(self) -> dict[str, float]:
        """Peak RSS of the largest process, and of all the server's processes together."""
        values = list(self.peaks.values()) or [0.0]
        return {"max_process_mb": round(max(values), 1), "total_mb": round(sum(values), 1)}


def _wait(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-3000:]}")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url}: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def start(command: list[str], env: dict[str, str], port: int, ready_path: str) -> Iterator[Server]:
    """Run ``command`` (which listens on ``port``) until the block ends."""
    with tempfile.NamedTemporaryFile(prefix="verdict-bench-", suffix=".log") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(process, base + ready_path, Path(log.name))
            yield Server(process, base)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def api_command(port: int, server: str, workers: int) -> list[str]:
    return [
        str(VERDICT),
        "serve",
        "--port",
        str(port),
        "--server",
        server,
        "--workers",
        str(workers),
    ]


def ceiling_command(port: int, server: str, workers: int) -> list[str]:
    return [
        *(sys.executable, "-m", "bench.ceiling", "--port", str(port)),
        *("--server", server, "--workers", str(workers)),
    ]
