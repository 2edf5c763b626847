"""A real Varnish in front of a real API on the test's database, and the sync's deliverer.

Under CI a Varnish that cannot be installed or started fails the test; locally it skips.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.editable_source import EditableExport
from devtools.live_api import serve_app
from devtools.varnish import VarnishUnavailableError, free_port, run_varnish
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from tests.support.services import IN_CI
from verdict.delivery import Deliverer
from verdict.hooks.deliver import HookSender
from verdict.purge.adapters import VarnishPurger
from verdict.purge.outbox import discard_purges
from verdict.purge.settings import Backend, PurgeSettings
from verdict.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True, slots=True)
class Stack:
    varnish: str
    api: str
    source: EditableExport
    deliverer: Deliverer


@contextlib.asynccontextmanager
async def varnish_stack(
    settings: Settings, workdir: Path, *, api: ApiSettings | None = None, debounce: float = 0.05
) -> AsyncIterator[Stack]:
    """Varnish (the shipped VCL) -> the API on ``settings``; purges from sync and votes on.

    The API's own edge cache is off by default, as docs/cdn.md advises behind a shared cache.
    """
    api_port = free_port()
    try:
        varnish_cm = run_varnish(workdir / "varnish", api_port)
        varnish = await varnish_cm.__aenter__()
    except VarnishUnavailableError as exc:
        if IN_CI:
            pytest.fail(f"Varnish is required under CI: {exc}", pytrace=False)
        pytest.skip(f"Varnish unavailable: {exc}")
    try:
        purge = PurgeSettings(
            backend=Backend.VARNISH, varnish_urls=(varnish,), vote_debounce=debounce
        )
        api = api or ApiSettings(edge_cache=False)
        app = create_app(settings, api=api, manage_database=False, purge=purge)
        deliverer = Deliverer(VarnishPurger([varnish]), HookSender())
        source = EditableExport(PROJECT_ROOT / "content" / "sample")
        await discard_purges()  # the demo content's first sync: nothing was cached before it
        async with serve_app(app, api_port) as api_url:
            try:
                yield Stack(varnish, api_url, source, deliverer)
            finally:
                await deliverer.close()
    finally:
        await varnish_cm.__aexit__(None, None, None)
