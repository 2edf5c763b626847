"""/preview/enter swaps a preview link's token for an HttpOnly cookie that shows drafts."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.preview.routes import SESSION_HOURS
from graphql_api.preview.tokens import COOKIE_NAME, PreviewSigner
from graphql_api.settings import ApiSettings
from tests.support.clients import api_client
from verdict import content_versions
from verdict.env_values import ConfigError
from verdict.models.content import Comparison, ComparisonSide
from verdict.settings import Settings

DRAFT = "draft-preview-example"
QUERY = "query ($slug: String!) { comparison(slug: $slug) { slug title } }"


@pytest.fixture
async def site(demo_db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(demo_db) as http:
        yield http


def _token(settings: Settings, hours: float = 4.0, *, now: float | None = None) -> str:
    return PreviewSigner.from_secret(settings.secret_key).issue(hours, now=now)


async def _title(site: httpx.AsyncClient, slug: str) -> str | None:
    response = await site.post("/graphql", json={"query": QUERY, "variables": {"slug": slug}})
    assert response.status_code == 200, response.text
    found = response.json()["data"]["comparison"]
    return None if found is None else str(found["title"])


async def test_entering_sets_an_httponly_cookie_that_shows_drafts_until_exit(
    demo_db: Settings, site: httpx.AsyncClient
) -> None:
    assert await _title(site, DRAFT) is None
    assert (await site.get("/preview/status")).json() == {"preview": False, "expires": None}

    response = await site.get(
        "/preview/enter", params={"token": _token(demo_db), "to": f"/compare/{DRAFT}"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/compare/{DRAFT}"
    assert response.headers["cache-control"] == "no-store, private"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    for attribute in ("HttpOnly", "Path=/", "SameSite=lax", f"Max-Age={int(SESSION_HOURS * 3600)}"):
        assert attribute in cookie
    assert await _title(site, DRAFT) is not None
    status = (await site.get("/preview/status")).json()
    assert status["preview"] is True
    assert status["expires"] > time.time()
    # The page reloads when the content version moves (a sync applied a save).
    await content_versions.bump({"comparisons"})
    assert (await site.get("/preview/status")).json()["version"] != status["version"]

    response = await site.get("/preview/exit", params={"to": f"/compare/{DRAFT}"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/compare/{DRAFT}"
    assert await _title(site, DRAFT) is None


async def test_the_cookie_never_outlives_the_links_token(
    demo_db: Settings, site: httpx.AsyncClient
) -> None:
    response = await site.get("/preview/enter", params={"token": _token(demo_db, 0.1), "to": "/"})
    assert response.status_code == 303
    max_age = int(response.headers["set-cookie"].split("Max-Age=")[1].split(";")[0])
    assert 0 < max_age <= 360


@pytest.mark.parametrize(
    ("token", "status"),
    [("p1.123.forged", 401), ("", 401), ("expired", 401)],
)
async def test_a_bad_or_expired_link_is_a_4xx_page_without_a_cookie(
    demo_db: Settings, site: httpx.AsyncClient, token: str, status: int
) -> None:
    if token == "expired":
        token = _token(demo_db, 1.0, now=time.time() - 7200)
    response = await site.get("/preview/enter", params={"token": token, "to": "/"})
    assert response.status_code == status
    assert "set-cookie" not in response.headers
    assert "Open the preview again from the CMS" in response.text
    assert await _title(site, DRAFT) is None


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/compare/../admin", "compare/x", "/x"]
)
async def test_only_pages_of_this_site_are_targets(
    demo_db: Settings, site: httpx.AsyncClient, target: str
) -> None:
    response = await site.get("/preview/enter", params={"token": _token(demo_db), "to": target})
    assert response.status_code == 400
    assert "set-cookie" not in response.headers


async def test_a_tool_or_reviewer_opens_a_comparison_it_is_on(
    demo_db: Settings, site: httpx.AsyncClient
) -> None:
    side = await ComparisonSide.all().order_by("comparison_id").prefetch_related("tool").first()
    assert side is not None
    comparison = await Comparison.get(id=side.comparison_id)
    token = _token(demo_db)
    response = await site.get(
        "/preview/enter", params={"token": token, "to": f"/tool/{side.tool.slug}"}
    )
    assert response.headers["location"] == f"/compare/{comparison.slug}"
    response = await site.get("/preview/enter", params={"token": token, "to": "/tool/no-such"})
    assert response.headers["location"] == "/"


async def test_a_get_in_preview_is_never_answered_from_the_edge_cache(demo_db: Settings) -> None:
    """The page's persisted queries are GETs: the public answer cached at the edge is not it."""
    app = create_app(demo_db, api=ApiSettings(edge_cache_poll=3600.0), manage_database=False)
    params = {"query": QUERY, "variables": f'{{"slug": "{DRAFT}"}}'}
    async with (
        app.router.lifespan_context(app),  # starts the content clock the edge cache needs
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as site,
    ):
        for _ in range(2):  # the second one is an edge cache hit
            response = await site.get("/graphql", params=params)
            assert response.json()["data"]["comparison"] is None
        assert response.headers.get("x-verdict-cache") == "edge"
        await site.get("/preview/enter", params={"token": _token(demo_db), "to": "/"})
        response = await site.get("/graphql", params=params)
        assert response.json()["data"]["comparison"]["slug"] == DRAFT
        assert response.headers["cache-control"] == "no-store"


async def test_the_cms_may_frame_the_pages_for_its_live_preview(demo_db: Settings) -> None:
    cms = "http://127.0.0.1:8055"
    for ancestors, expected in (((), "frame-ancestors 'none'"), ((cms,), f"frame-ancestors {cms}")):
        api = ApiSettings(preview_frame_ancestors=ancestors)
        async with api_client(demo_db, api) as http:
            for path in ("/", f"/compare/{DRAFT}"):
                csp = (await http.get(path)).headers["content-security-policy"]
                assert csp.endswith(expected), csp


@pytest.mark.parametrize("value", ["ftp://cms.example", "https://cms.example/admin", "cms"])
def test_frame_ancestors_must_be_origins(value: str) -> None:
    with pytest.raises(ConfigError, match="VERDICT_PREVIEW_FRAME_ANCESTORS"):
        ApiSettings.from_env({"VERDICT_PREVIEW_FRAME_ANCESTORS": value}, prod=False)
    parsed = ApiSettings.from_env(
        {"VERDICT_PREVIEW_FRAME_ANCESTORS": "http://127.0.0.1:8055/, https://cms.example"},
        prod=False,
    )
    assert parsed.preview_frame_ancestors == ("http://127.0.0.1:8055", "https://cms.example")
