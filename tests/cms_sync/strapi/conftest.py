"""A real Strapi for the Strapi adapter's tests: one server for the session, provisioned, no webhook
(each test makes content of its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from cms_sync.http import cms_connector
from cms_sync.strapi.provision import ProvisionResult
from cms_sync.strapi.server import StrapiServer
from tests.support.strapi_content import (
    TIMEOUT,
    StrapiEditor,
    provision_for_tests,
    running_strapi,
)


@pytest.fixture(scope="session")
async def strapi(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[StrapiServer]:
    async with running_strapi(tmp_path_factory.mktemp("strapi")) as server:
        yield server


@pytest.fixture(scope="session")
async def strapi_provisioned(strapi: StrapiServer) -> ProvisionResult:
    return await provision_for_tests(strapi, None)


@pytest.fixture
async def editor(
    strapi: StrapiServer, strapi_provisioned: ProvisionResult
) -> AsyncIterator[StrapiEditor]:
    assert strapi_provisioned.editor_token is not None
    async with aiohttp.ClientSession(connector=cms_connector(), timeout=TIMEOUT) as http:
        yield StrapiEditor(http, strapi, strapi_provisioned.editor_token)
