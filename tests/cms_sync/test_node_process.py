"""The native-module build environment and the stopping of the local Node CMS runners
(cms_sync/node_process.py); the install lock, logged commands and free ports are exercised by
every real-CMS test."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from cms_sync.node_process import native_build_env, terminate


def _bin_with_ccache(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    ccache = bin_dir / "ccache"
    ccache.write_text('#!/bin/sh\nexec "$@"\n')
    ccache.chmod(0o755)
    return bin_dir


def test_builds_from_source_on_every_core(tmp_path: Path) -> None:
    env = native_build_env({"PATH": str(tmp_path)}, tmp_path)
    assert env["npm_config_build_from_source"] == "true"
    assert env["JOBS"] == "max"
    # No ccache on PATH: the plain compilers.
    assert "CC" not in env
    assert "CXX" not in env


def test_compiles_through_ccache_relative_to_the_cms_folder(tmp_path: Path) -> None:
    bin_dir = _bin_with_ccache(tmp_path)
    root = tmp_path / "cms" / "strapi"
    env = native_build_env({"PATH": str(bin_dir), "HOME": "/root"}, root)
    assert env["CC"] == f"{bin_dir / 'ccache'} cc"
    assert env["CXX"] == f"{bin_dir / 'ccache'} c++"
    assert env["CCACHE_BASEDIR"] == str(root)
    assert env["CCACHE_NOHASHDIR"] == "true"
    assert env["HOME"] == "/root"


def test_a_chosen_compiler_is_kept(tmp_path: Path) -> None:
    bin_dir = _bin_with_ccache(tmp_path)
    env = native_build_env({"PATH": str(bin_dir), "CXX": "clang++"}, tmp_path)
    assert env["CXX"] == "clang++"
    assert "CC" not in env
    assert "CCACHE_BASEDIR" not in env


async def _server(ignore_sigterm: bool) -> asyncio.subprocess.Process:
    handler = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if ignore_sigterm else ""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"import signal, sys, time; {handler}print('up', flush=True); time.sleep(60)",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert await process.stdout.readline() == b"up\n"  # its handler is in place
    return process


async def test_terminate_stops_a_server_with_sigterm() -> None:
    said: list[str] = []
    process = await _server(ignore_sigterm=False)
    await terminate(process, 10, said.append)
    assert process.returncode == -signal.SIGTERM
    assert said == []


async def test_terminate_kills_a_server_that_ignores_sigterm() -> None:
    said: list[str] = []
    process = await _server(ignore_sigterm=True)
    await terminate(process, 0.5, said.append)
    assert process.returncode == -signal.SIGKILL
    assert said == [f"pid {process.pid} ignored SIGTERM for 0.5s: SIGKILL"]
    await terminate(process, 0.5, said.append)  # already stopped: nothing more
    await terminate(None, 0.5, said.append)
    assert len(said) == 1
