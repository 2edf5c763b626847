"""A real Varnish (Debian's varnish + varnish-modules) for tests and benchmarks.

It runs the shipped deploy/varnish/default.vcl with only its backend pointed at the API under
test, on a free loopback port with its own ``-n`` working directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from devtools.processes import stop

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_VCL = REPO_ROOT / "deploy" / "varnish" / "default.vcl"
PACKAGES = ("varnish", "varnish-modules")
XKEY_VMOD = "libvmod_xkey.so"


class VarnishUnavailableError(Exception):
    """varnishd (or the xkey vmod) is missing and could not be installed."""


def _varnishd() -> str | None:
    return shutil.which("varnishd") or next(
        (p for p in ("/usr/sbin/varnishd",) if Path(p).exists()), None
    )


def _has_xkey() -> bool:
    return any(Path("/usr/lib").glob(f"*/varnish/vmods/{XKEY_VMOD}")) or any(
        Path("/usr/lib/varnish/vmods").glob(XKEY_VMOD)
    )


def ensure_installed() -> str:
    """The path of varnishd, installing the Debian packages first when they are missing."""
    found = _varnishd()
    if found is not None and _has_xkey():
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise VarnishUnavailableError(
            "varnishd or the xkey vmod is missing (install varnish, varnish-modules)"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *PACKAGES]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise VarnishUnavailableError(f"{' '.join(command)} failed: {done.stderr[-500:]}")
    found = _varnishd()
    if found is None or not _has_xkey():
        raise VarnishUnavailableError("varnish installed, but varnishd or xkey is still missing")
    return found


def vcl_for(backend_host: str, backend_port: int) -> str:
    """The shipped VCL with its backend pointed at ``backend_host:backend_port``."""
    text = SHIPPED_VCL.read_text()
    block = re.compile(r"backend default \{.*?\n\}", re.DOTALL)
    replacement = (
        f'backend default {{\n    .host = "{backend_host}";\n    .port = "{backend_port}";\n}}'
    )
    text, count = block.subn(replacement, text, count=1)
    if count != 1:
        raise ValueError(f"{SHIPPED_VCL} has no 'backend default' block")
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _write_vcl(workdir: Path, backend_host: str, backend_port: int) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    vcl = workdir / "default.vcl"
    vcl.write_text(vcl_for(backend_host, backend_port))
    return vcl


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


@contextlib.asynccontextmanager
async def run_varnish(
    workdir: Path, backend_port: int, *, backend_host: str = "127.0.0.1", port: int | None = None
) -> AsyncIterator[str]:
    """Run varnishd in the foreground until the block ends (on ``port``, by default a free
    one); yields its base URL."""
    varnishd = await asyncio.to_thread(ensure_installed)
    vcl = await asyncio.to_thread(_write_vcl, workdir, backend_host, backend_port)
    port = port or free_port()
    log = (workdir / "varnishd.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        varnishd,
        "-F",
        "-j",
        "none",
        "-n",
        str(workdir / "n"),
        "-a",
        f"127.0.0.1:{port}",
        "-T",
        "none",
        "-f",
        str(vcl),
        "-s",
        "malloc,64m",
        # Keys of a long listing make a long Surrogate-Key header (Fastly allows 16 KB).
        "-p",
        "http_resp_hdr_len=32768",
        "-p",
        "http_resp_size=98304",
        "-p",
        "workspace_backend=262144",
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_up(process, base, workdir / "varnishd.log")
        yield base
    finally:
        await stop(process)
        log.close()


async def _wait_up(process: asyncio.subprocess.Process, base: str, log: Path) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.returncode is not None:
                raise VarnishUnavailableError(f"varnishd exited: {_tail(log)}")
            with contextlib.suppress(aiohttp.ClientError):
                # A purge with no keys: answered by the VCL itself, so it needs no backend.
                async with http.request("PURGE", base + "/") as response:
                    if response.status == 400:
                        return
            await asyncio.sleep(0.1)
    raise VarnishUnavailableError(f"varnishd did not answer: {_tail(log)}")
