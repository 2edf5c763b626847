"""The Strapi server: installed from the lockfile (stamped), restarted on the same data dir with the
same secrets and admin, registering the admin once."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from cms_sync.strapi.server import STRAPI_DIR, StrapiServer, is_installed
from tests.support.keepalive import assert_pool_drops_first
from tests.support.strapi_content import TIMEOUT, require_strapi

pytestmark = pytest.mark.strapi


async def test_a_restart_keeps_the_admin_and_the_secrets(tmp_path: Path) -> None:
    require_strapi()
    first = StrapiServer(tmp_path, extra_env={"ADMIN_RATE_LIMIT": "false"})
    async with first:
        assert is_installed(STRAPI_DIR)
        email, password = first.admin_email, first.admin_password
    assert (tmp_path / ".verdict-strapi.json").stat().st_mode & 0o777 == 0o600
    second = StrapiServer(tmp_path, extra_env={"ADMIN_RATE_LIMIT": "false"})
    async with second:
        assert (second.admin_email, second.admin_password) == (email, password)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            login = {"email": email, "password": password}
            async with http.post(f"{second.url}/admin/login", json=login) as response:
                assert response.status == 200
            async with http.get(f"{second.url}/admin/init") as response:
                assert (await response.json())["data"]["hasAdmin"] is True
                # Strapi closes idle connections after Node's keepAliveTimeout; the editor's and
                # provisioning's pools must give them up sooner (a CI failure: a POST lost).
                assert_pool_drops_first(response)
    assert not second.running
