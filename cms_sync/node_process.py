"""What the local Node CMS runners (Directus, Strapi) share: a free port, an install lock, logged
install commands, a log's tail, the environment their native modules build in, stopping the server
and the Node build an install was made for."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Final

NPM_CI: Final = (
    "ci",
    "--ignore-scripts",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
)
"""``npm ci`` from the committed lock file: no install scripts (the native modules are built
apart, see ``native_build_env``), and what npm's cache already holds taken from it without asking
the registry again (the lock files pin exact versions and integrity hashes). With a warm cache
that halves the install: Strapi's took 39 s against 80 s."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes (one install at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` of a log, or nothing when it cannot be read."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def run_logged(
    cmd: list[str], *, cwd: Path, env: Mapping[str, str], log: Path, error: type[Exception]
) -> None:
    """Run ``cmd`` with its output appended to ``log``; raise ``error`` with the log's tail when
    it fails."""
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        result = subprocess.run(
            cmd, cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        raise error(f"{' '.join(cmd)} failed with exit code {result.returncode}:\n{tail(log)}")


def native_build_env(env: Mapping[str, str], root: Path) -> dict[str, str]:
    """``env`` for ``npm rebuild`` of native modules: built from source (never a downloaded
    prebuild) on every core, and through ccache when it is on ``PATH`` and neither ``CC`` nor
    ``CXX`` is set.

    A clean checkout installs Directus and Strapi cold, and their native modules (isolated-vm,
    sqlite3, better-sqlite3) take minutes of compiling on two cores. With ccache, a checkout on a
    machine that built them before compiles nothing: paths are hashed relative to ``root`` (the
    CMS's folder in the checkout), so another checkout of the same sources hits the same cache
    entries.
    """
    build = {**env, "npm_config_build_from_source": "true", "JOBS": "max"}
    ccache = shutil.which("ccache", path=env.get("PATH"))
    if ccache is not None and "CC" not in env and "CXX" not in env:
        build["CC"] = f"{ccache} cc"
        build["CXX"] = f"{ccache} c++"
        build.setdefault("CCACHE_BASEDIR", str(root))
        build.setdefault("CCACHE_NOHASHDIR", "true")
    return build


async def terminate(
    process: asyncio.subprocess.Process | None, grace: float, say: Callable[[str], None]
) -> None:
    """Stop a CMS server: SIGTERM, then SIGKILL when it still runs ``grace`` seconds later."""
    if process is None or process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        say(f"pid {process.pid} ignored SIGTERM for {grace}s: SIGKILL")
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def node_version(node: Path) -> str:
    """Node's version, architecture and module ABI: what a native module was built for."""
    out = subprocess.run(
        [str(node), "-p", "process.version + ' ' + process.arch + ' ' + process.versions.modules"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return out.stdout.strip()
