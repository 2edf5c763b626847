"""The CMS servers' keep-alive window, read off their answers, against our pools' idle limit."""

from __future__ import annotations

import re

import aiohttp

from cms_sync.http import IDLE_KEEPALIVE, NODE_KEEPALIVE_TIMEOUT


def server_keepalive(response: aiohttp.ClientResponse) -> float:
    """The idle timeout a server announces in its ``Keep-Alive: timeout=N`` header."""
    header = response.headers.get("Keep-Alive", "")
    found = re.search(r"timeout=(\d+)", header)
    assert found, f"no Keep-Alive timeout announced (Keep-Alive: {header!r})"
    return float(found.group(1))


def assert_pool_drops_first(response: aiohttp.ClientResponse) -> None:
    """Our pools must drop an idle connection before the server closes it (cms_connector)."""
    announced = server_keepalive(response)
    assert announced == NODE_KEEPALIVE_TIMEOUT, f"the server now keeps {announced}s: update http.py"
    assert announced > IDLE_KEEPALIVE
