"""Install, start and stop a local Strapi 5 from the project's own files (``cms/strapi``).

Strapi is pinned in ``cms/strapi/package.json`` + ``package-lock.json`` (no registry host in it)
and runs on the ``node`` on ``PATH`` (Node 20 to 24; better-sqlite3 12 builds on all of them).

* ``node_modules`` lives in ``cms/strapi/node_modules`` (ignored by git) and is (re)installed by
  :func:`ensure_installed` only when the lock file, ``package.json`` or Node changed (a stamp
  file records what was built): ``npm ci --ignore-scripts``, then better-sqlite3 is built from
  source against the local Node's headers (no prebuilt binary is downloaded).
* The project (``config/``, ``src/``, ``server.js``) is committed; runtime data (SQLite
  database, uploads, the server log, generated secrets) lives in a data dir, by default
  ``cms/strapi/runtime/``.

Strapi is started with ``node server.js`` (``createStrapi(...).start()`` with the admin panel
not served): no admin build, only the REST API and the admin API, up in about ten seconds. The
first start registers the admin user through ``POST /admin/register-admin``.
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
from typing import Any, Final, Self

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
    "STRAPI_DIR",
    "StrapiError",
    "StrapiServer",
    "ensure_installed",
    "free_port",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
STRAPI_DIR: Final = REPO_ROOT / "cms" / "strapi"
DEFAULT_DATA_DIR: Final = STRAPI_DIR / "runtime"

_STAMP_NAME: Final = ".verdict-install-stamp"
_CREDENTIALS_NAME: Final = ".verdict-strapi.json"
_NATIVE_MODULES: Final = ("better-sqlite3",)
_NATIVE_ARTIFACTS: Final = (Path("better-sqlite3") / "build" / "Release" / "better_sqlite3.node",)
_ENTRY: Final = "server.js"
_INHERITED_ENV: Final = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME")


class StrapiError(RuntimeError):
    """Installing, starting or bootstrapping Strapi failed."""


def _log(message: str) -> None:
    print(f"strapi: {message}", file=sys.stderr, flush=True)


def node_binary() -> Path:
    found = shutil.which("node")
    if found is None:
        raise StrapiError("no Node.js found: install Node 20 to 24 to run Strapi")
    return Path(found)


def _lock_digest(strapi_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update(name.encode())
        digest.update((strapi_dir / name).read_bytes())
    return digest.hexdigest()


def _fingerprint(strapi_dir: Path) -> str:
    return f"{_lock_digest(strapi_dir)} {node_version(node_binary())}"


def is_installed(strapi_dir: Path = STRAPI_DIR) -> bool:
    modules = strapi_dir / "node_modules"
    stamp = modules / _STAMP_NAME
    if not stamp.is_file() or not (modules / "@strapi" / "strapi" / "package.json").is_file():
        return False
    if not all((modules / artifact).is_file() for artifact in _NATIVE_ARTIFACTS):
        return False
    try:
        return stamp.read_text().strip() == _fingerprint(strapi_dir)
    except (OSError, subprocess.SubprocessError):
        return False


def _node_headers(node: Path) -> Path | None:
    """The install prefix whose ``include/node`` has the running Node's headers, if any."""
    prefix = node.resolve().parent.parent
    return prefix if (prefix / "include" / "node" / "node.h").is_file() else None


def ensure_installed(strapi_dir: Path = STRAPI_DIR) -> None:
    """Install Strapi's ``node_modules`` from the committed lock file, idempotently.

    Progress goes to stderr, the npm/gyp output to ``runtime/install.log``. About six minutes
    with a cold npm cache on two cores (three of them building SQLite); nothing when the stamp
    matches.
    """
    strapi_dir = strapi_dir.resolve()
    runtime = strapi_dir / "runtime"
    if is_installed(strapi_dir):
        return
    with file_lock(runtime / ".install.lock"):
        if is_installed(strapi_dir):  # installed by someone else while we waited
            return
        npm = shutil.which("npm")
        if npm is None:
            raise StrapiError("npm is not on PATH: it is needed to install Strapi")
        log = runtime / "install.log"
        log.write_text("")
        started = time.monotonic()
        stamp = strapi_dir / "node_modules" / _STAMP_NAME
        stamp.unlink(missing_ok=True)
        env = {
            **os.environ,
            "npm_config_update_notifier": "false",
            "npm_config_fund": "false",
            "npm_config_audit": "false",
        }
        _log("npm ci (a few minutes when the npm cache is cold)…")
        run_logged(
            [npm, *NPM_CI],
            cwd=strapi_dir,
            env=env,
            log=log,
            error=StrapiError,
        )
        _log(f"npm ci done in {time.monotonic() - started:.0f}s")
        build_env = native_build_env(env, strapi_dir)
        headers = _node_headers(node_binary())
        if headers is not None:
            build_env["npm_config_nodedir"] = str(headers)
        rebuild_started = time.monotonic()
        _log(f"building {', '.join(_NATIVE_MODULES)} from source (about 3 minutes)…")
        run_logged(
            [npm, "rebuild", *_NATIVE_MODULES, "--foreground-scripts"],
            cwd=strapi_dir,
            env=build_env,
            log=log,
            error=StrapiError,
        )
        modules = strapi_dir / "node_modules"
        missing = [str(a) for a in _NATIVE_ARTIFACTS if not (modules / a).is_file()]
        if missing:
            raise StrapiError(f"native build produced no {', '.join(missing)}; see {log}")
        _log(f"native modules built in {time.monotonic() - rebuild_started:.0f}s")
        stamp.write_text(_fingerprint(strapi_dir) + "\n")
        _log(f"installed in {time.monotonic() - started:.0f}s")


class StrapiServer:
    """A Strapi process on ``127.0.0.1:<port>`` with SQLite in ``data_dir``.

    The admin's email and password and Strapi's secrets (app keys, JWT secret, token salts,
    encryption key) are generated on first use and kept in ``data_dir/.verdict-strapi.json``
    (mode 0600): the API tokens Strapi hands out are only valid with the same salts.
    """

    def __init__(
        self,
        data_dir: Path = DEFAULT_DATA_DIR,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        admin_email: str = "admin@verdict.example.com",
        admin_password: str | None = None,
        strapi_dir: Path = STRAPI_DIR,
        start_timeout: float = 120.0,
        stop_timeout: float = 10.0,
        install: bool = True,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.strapi_dir = strapi_dir.resolve()
        self.port = port if port is not None else free_port()
        self.host = host
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.extra_env = dict(extra_env or {})
        self.log_path = self.data_dir / "strapi.log"
        self._install = install
        self._requested = {"admin_email": admin_email, "admin_password": admin_password}
        self._credentials: dict[str, str] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._log_file: int | None = None
        self.start_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_email(self) -> str:
        return self._creds()["admin_email"]

    @property
    def admin_password(self) -> str:
        return self._creds()["admin_password"]

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        if self.running:
            return
        if self._install:
            await asyncio.to_thread(ensure_installed, self.strapi_dir)
        (self.data_dir / "public" / "uploads").mkdir(parents=True, exist_ok=True)
        self._creds()
        self._save_credentials()
        started = time.monotonic()
        self._log_file = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            self._process = await asyncio.create_subprocess_exec(
                str(node_binary()),
                str(self.strapi_dir / _ENTRY),
                cwd=self.strapi_dir,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            await self._wait_ready()
            await self._register_admin()
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
        path = self.data_dir / _CREDENTIALS_NAME
        stored: dict[str, str] = {}
        if path.is_file():
            raw: dict[str, Any] = json.loads(path.read_text())
            stored = {k: str(v) for k, v in raw.items()}
        for name in ("admin_email", "admin_password"):
            wanted = self._requested[name]
            if stored.get(name) and wanted is not None and wanted != stored[name]:
                raise StrapiError(
                    f"{self.data_dir} was set up with another {name}; use a fresh data dir "
                    "or change it in Strapi"
                )

        def pick(name: str, make: str) -> str:
            return stored.get(name) or self._requested.get(name) or make

        return {
            "admin_email": pick("admin_email", "admin@verdict.example.com"),
            # Strapi wants 8+ characters with a lower- and an upper-case letter and a digit.
            "admin_password": pick("admin_password", "Vd1" + secrets.token_urlsafe(18)),
            "app_keys": pick("app_keys", ",".join(secrets.token_hex(16) for _ in range(2))),
            "admin_jwt_secret": pick("admin_jwt_secret", secrets.token_hex(32)),
            "jwt_secret": pick("jwt_secret", secrets.token_hex(32)),
            "api_token_salt": pick("api_token_salt", secrets.token_hex(32)),
            "transfer_token_salt": pick("transfer_token_salt", secrets.token_hex(32)),
            "encryption_key": pick("encryption_key", secrets.token_hex(32)),
            "registered": stored.get("registered", ""),
        }

    def _save_credentials(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / _CREDENTIALS_NAME
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self._credentials, handle, indent=2)
        tmp.replace(path)

    def _env(self) -> dict[str, str]:
        creds = self._creds()
        env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
        env.update(
            {
                # "development": Strapi refuses webhooks to the loopback in production, and the
                # worker listens there. No auto-reload either way (only `strapi develop` has it).
                "NODE_ENV": "development",
                "HOST": self.host,
                "PORT": str(self.port),
                "PUBLIC_URL": self.url,
                "PUBLIC_DIR": str(self.data_dir / "public"),
                "DATABASE_FILENAME": str(self.data_dir / "data.db"),
                "APP_KEYS": creds["app_keys"],
                "ADMIN_JWT_SECRET": creds["admin_jwt_secret"],
                "JWT_SECRET": creds["jwt_secret"],
                "API_TOKEN_SALT": creds["api_token_salt"],
                "TRANSFER_TOKEN_SALT": creds["transfer_token_salt"],
                "ENCRYPTION_KEY": creds["encryption_key"],
                "STRAPI_TELEMETRY_DISABLED": "true",
                "STRAPI_DISABLE_EE": "true",
                "STRAPI_DISABLE_LICENSE_PING": "true",
                "BROWSER": "none",
            }
        )
        env.update(self.extra_env)
        return env

    async def _register_admin(self) -> None:
        """Create the first admin (once per data dir); Strapi refuses a second one."""
        creds = self._creds()
        if creds.get("registered"):
            return
        body = {
            "email": creds["admin_email"],
            "password": creds["admin_password"],
            "firstname": "Verdict",
            "lastname": "Admin",
        }
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(f"{self.url}/admin/init") as response:
                init = await response.json()
            has_admin = bool(init.get("data", {}).get("hasAdmin"))
            if not has_admin:
                async with session.post(f"{self.url}/admin/register-admin", json=body) as response:
                    if response.status != 200:
                        raise StrapiError(
                            f"POST /admin/register-admin answered {response.status}: "
                            f"{(await response.text())[:300]}"
                        )
        creds["registered"] = "yes"
        self._save_credentials()

    async def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                if self._process.returncode is not None:
                    raise StrapiError(
                        f"Strapi exited with code {self._process.returncode} while starting:\n"
                        f"{tail(self.log_path)}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.url}/_health") as response:
                        if response.status == 204:
                            return
                if time.monotonic() > deadline:
                    raise StrapiError(
                        f"Strapi did not answer /_health within {self.start_timeout}s:\n"
                        f"{tail(self.log_path)}"
                    )
                await asyncio.sleep(0.2)
