"""Start the production topology as plain processes on loopback, and tear it all down.

One fresh PostgreSQL database, one Redis, a real Directus (provisioned with the content model,
the sample content and the webhook flow), a webhook fan-out, two `verdict sync --watch` workers
and two `verdict serve` API processes, as docker-compose.yml runs them (the migrate job first).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cms_sync.directus.provision import provision
from cms_sync.directus.server import DirectusServer, free_port
from deploy.topology.fanout import PATH, FanOutStats, fan_out
from deploy.topology.processes import Child, child_env, run_once, wait_http_ok
from devtools.pg_admin import create_database, drop_database

WEBHOOK_PATH = "/webhooks/directus"
# Workers poll rarely, so a content change can only arrive in time through a webhook.
WORKER_POLL_SECONDS = 120


DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
DEFAULT_WORK_DIR = Path("data/topology")


@dataclass(frozen=True, slots=True)
class Config:
    postgres_url: str = DEFAULT_POSTGRES
    """A server URL whose user may create databases (the topology gets a fresh one)."""
    redis_url: str = DEFAULT_REDIS
    work_dir: Path = DEFAULT_WORK_DIR


@dataclass
class Topology:
    config: Config
    database_url: str
    directus: DirectusServer
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    apis: list[Child] = field(default_factory=list)
    api_urls: list[str] = field(default_factory=list)
    workers: list[Child] = field(default_factory=list)
    worker_urls: list[str] = field(default_factory=list)
    fanout: FanOutStats | None = None
    fanout_url: str = ""
    cms_token: str = ""
    say: Callable[[str], None] = print

    @property
    def log_path(self) -> Path:
        """Every process's output, one file per run (named after its database)."""
        name = urlsplit(self.database_url).path.strip("/")
        return self.config.work_dir / f"{name}.log"

    def asyncpg_dsn(self) -> str:
        parts = urlsplit(self.database_url)
        return urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))

    def worker_env(self, port: int) -> dict[str, str]:
        return child_env(
            {
                "DATABASE_URL": self.database_url,
                "CMS_URL": self.directus.url,
                "CMS_TOKEN": self.cms_token,
                "CMS_WEBHOOK_SECRET": self.webhook_secret,
                "VERDICT_WEBHOOK_PORT": str(port),
                "VERDICT_SYNC_POLL_SECONDS": str(WORKER_POLL_SECONDS),
                "VERDICT_MODE": "prod",
                "VERDICT_SECRET_KEY": self.secret_key,
            }
        )

    def api_env(self) -> dict[str, str]:
        return child_env(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.config.redis_url,
                "VERDICT_MODE": "prod",
                "VERDICT_SECRET_KEY": self.secret_key,
                # Every voter of the check comes from 127.0.0.1; in production they are many IPs.
                "VERDICT_VOTE_LIMIT_PER_IP": "10000",
                "VERDICT_VOTER_MINT_PER_IP": "0",
                "VERDICT_VOTER_MINT_PER_PREFIX": "0",
            }
        )

    async def start_worker(self, index: int) -> Child:
        """(Re)start worker ``index`` on its own webhook port and wait until it listens."""
        port = urlsplit(self.worker_urls[index]).port
        assert port is not None
        worker = self.workers[index]
        await worker.start()
        await wait_http_ok(f"http://127.0.0.1:{port}/healthz", worker)
        return worker


@contextlib.asynccontextmanager
async def topology(config: Config, say: Callable[[str], None] = print) -> AsyncIterator[Topology]:
    """Bring the whole topology up; on exit stop every process and drop the database."""
    work = config.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    name = f"verdict_topology_{uuid.uuid4().hex[:10]}"
    database_url = await create_database(config.postgres_url, name)
    say(f"database {name} created")
    directus = DirectusServer(work / f"directus-{name}", port=free_port())
    top = Topology(Config(config.postgres_url, config.redis_url, work), database_url, directus)
    top.say = say
    try:
        async with contextlib.AsyncExitStack() as stack:
            started = time.monotonic()
            await run_once("migrate", ("migrate",), top.api_env(), top.log_path)
            say("migrations applied (verdict migrate)")

            await stack.enter_async_context(directus)
            fanout_port = free_port()
            top.fanout_url = f"http://127.0.0.1:{fanout_port}{PATH}"
            top.worker_urls = [f"http://127.0.0.1:{free_port()}{WEBHOOK_PATH}" for _ in range(2)]
            result = await provision(
                directus.url,
                directus.admin_token,
                webhook_url=top.fanout_url,
                webhook_secret=top.webhook_secret,
                with_sample_content=True,
            )
            top.cms_token = result.worker_token
            say(f"Directus on {directus.url}, provisioned with the sample content and webhook flow")
            top.fanout = await stack.enter_async_context(fan_out(top.worker_urls, fanout_port))

            for index, url in enumerate(top.worker_urls):
                port = urlsplit(url).port
                assert port is not None
                args: tuple[str, ...] = ("sync", "--watch", "--webhook-port", str(port))
                top.workers.append(
                    Child(f"worker-{index + 1}", args, top.worker_env(port), top.log_path)
                )
                stack.push_async_callback(top.workers[index].stop)
                await top.start_worker(index)
            for index in range(2):
                port = free_port()
                args = ("serve", "--port", str(port))
                api = Child(f"api-{index + 1}", args, top.api_env(), top.log_path)
                top.apis.append(api)
                stack.push_async_callback(api.stop)
                await api.start()
                top.api_urls.append(f"http://127.0.0.1:{port}")
                await wait_http_ok(f"{top.api_urls[-1]}/healthz", api)
            say(
                f"up in {time.monotonic() - started:.1f}s: "
                f"workers {', '.join(top.worker_urls)}; APIs {', '.join(top.api_urls)}"
            )
            yield top
    finally:
        await drop_database(config.postgres_url, name)
        shutil.rmtree(directus.data_dir, ignore_errors=True)
        say(f"all processes stopped, database {name} dropped (logs: {top.log_path})")
