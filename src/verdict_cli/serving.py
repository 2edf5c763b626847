"""Serving an ASGI app in production: the server (uvicorn or granian) and its worker processes.

Worker processes build their app from the environment (``app_from_env``), so every worker has
the same settings as the command that started them. After the app's start-up every long-lived
object is moved out of the garbage collector's reach (``gc.freeze``): the collector then walks
only what requests allocate, which keeps the p99 latency down, and pages shared with the parent
stay shared.

The collector's thresholds are raised too (``VERDICT_GC_THRESHOLD``, default 20000,50,100).
Python's own (700, 10, 10) suit a program whose objects die young one at a time; a server has
tens of requests in flight per worker, each holding a few hundred live objects, so the
young generation passes 700 many times a second and every pass walks (and promotes, and later
walks again) objects that are about to be freed by reference counting anyway. A request leaves
no reference cycles behind (see graphql_api.engine.executor and graphql_api.loaders), so collecting
less often costs little memory.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from verdict.settings import Settings

SERVERS: Final = ("uvicorn", "granian")
API_TARGET: Final = "verdict_cli.serving:app_from_env"


class FreezeAfterStartup:
    """ASGI wrapper: ``gc.freeze()`` once the lifespan start-up has completed, then the
    collector's ``threshold`` (None: leave Python's)."""

    def __init__(self, app: ASGIApp, threshold: tuple[int, int, int] | None = None) -> None:
        self.app = app
        self.threshold = threshold

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_then_freeze(message: Message) -> None:
            await send(message)
            if message["type"] == "lifespan.startup.complete":
                gc.collect()
                gc.freeze()
                if self.threshold is not None:
                    gc.set_threshold(*self.threshold)

        await self.app(scope, receive, send_then_freeze)


def app_from_env() -> ASGIApp:
    """The API for one worker process, configured from the environment."""
    from graphql_api.app import create_app
    from graphql_api.ops.logs import configure
    from graphql_api.settings import for_settings

    settings = Settings.from_env()
    api = for_settings(settings)
    configure(json_logs=api.json_logs, level=logging.WARNING)
    return FreezeAfterStartup(create_app(settings, api=api), settings.gc_threshold)


def run(
    target: str,
    *,
    host: str,
    port: int,
    server: str = "uvicorn",
    workers: int = 1,
    graceful_seconds: int = 10,
    on_listening: Callable[[], None] | None = None,
) -> None:
    """Serve the app factory ``target`` (``module:function``) until SIGINT/SIGTERM.

    Blocks. ``on_listening`` is called once the socket is bound (uvicorn in one process: once
    start-up completed; otherwise just before the workers start). On SIGTERM uvicorn stops
    accepting, lets in-flight requests finish for up to ``graceful_seconds`` (WebSockets are closed
    with 1012 "service restart" so clients reconnect elsewhere), then cancels what is left. Logs
    go through the JSON (or text) handler that ``app_from_env`` configures.
    """
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces
        from granian.log import LogLevels

        if on_listening is not None:
            on_listening()
        Granian(
            target,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_level=LogLevels.warning,
            websockets=True,
        ).serve()
        return
    import uvicorn

    from verdict_cli.uvicorn_server import NotifyingServer

    if workers > 1:
        if on_listening is not None:
            on_listening()
        uvicorn.run(
            target,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            log_config=None,
            timeout_graceful_shutdown=graceful_seconds,
            proxy_headers=False,  # the app trusts VERDICT_TRUSTED_PROXIES only (client_ip.py)
        )
        return
    config = uvicorn.Config(
        target,
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=graceful_seconds,
        proxy_headers=False,  # the app trusts VERDICT_TRUSTED_PROXIES only (client_ip.py)
    )
    NotifyingServer(config, on_listening).run()
