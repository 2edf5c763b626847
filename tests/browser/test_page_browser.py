"""The comparison page in a real headless Chromium against a real `verdict demo` server.

Chromium is Debian's `chromium` package (`.ci/run` installs it), driven by Playwright's driver;
Playwright's own browser downloads are never used. Without Chromium the test is skipped locally
and fails under CI=true. Screenshots land in tests/browser/artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Page, Request, async_playwright, expect

from graphql_api.persisted import manifest as trusted_documents
from graphql_api.votes.voter import COOKIE_NAME, DEV_COOKIE_NAME
from tests.support.browser import CHROMIUM_ARGS, require_chromium
from tests.support.databases import Backend, create_database, drop_database
from tests.support.schema_org import nodes, problems
from tests.support.servers import serve
from tests.support.smtp import SmtpServer, running_smtp

ARTIFACTS = Path(__file__).parent / "artifacts"
SEED = "code-llama-4-vs-mistral-code"
WAIT_MS = 20_000  # how long an expectation polls the page before it fails


@pytest.fixture
def chromium() -> str:
    return require_chromium()


@pytest.fixture
async def demo_server(backend: Backend) -> AsyncIterator[str]:
    """`verdict demo` on a fresh database of the backend under test; yields its base URL."""
    name = f"verdict_page_{uuid.uuid4().hex[:12]}"
    url = await create_database(backend, name)
    try:
        # Proof of work on: the page must mint its voter through the real challenge.
        async with serve(
            url, command="demo", VERDICT_MODE="dev", VERDICT_VOTER_POW_BITS="12"
        ) as base:
            yield base
    finally:
        await drop_database(backend, name)


@pytest.fixture
async def demo_with_smtp(backend: Backend) -> AsyncIterator[tuple[str, SmtpServer]]:
    """`verdict demo` mailing through a real SMTP server on loopback (aiosmtpd)."""
    name = f"verdict_page_{uuid.uuid4().hex[:12]}"
    url = await create_database(backend, name)
    try:
        with running_smtp() as smtp:
            env = {"VERDICT_MODE": "dev", "VERDICT_SMTP_PORT": str(smtp.port)}
            async with serve(url, command="demo", **env) as base:
                yield base, smtp
    finally:
        await drop_database(backend, name)


def _watch(page: Page, errors: list[str], graphql: list[Request]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: graphql.append(r) if urlsplit(r.url).path == "/graphql" else None)


def _tally(page: Page, tool: str) -> Any:
    return page.locator(f'#tally .tally-row[data-tool="{tool}"] .tally-count')


async def test_comparison_page_votes_and_live_tally(chromium: str, demo_server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    requests: list[Request] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            alice = await (
                await browser.new_context(viewport={"width": 1280, "height": 900})
            ).new_page()
            _watch(alice, errors, requests)
            await alice.goto(f"{demo_server}/compare/{SEED}")
            await expect(alice.get_by_role("heading", level=1)).to_have_text(
                "Code Llama 4 vs Mistral Code"
            )
            cards = alice.locator("article.tool-card")
            await expect(cards).to_have_count(2)
            for tool, vendor in (("code-llama-4", "by Meta"), ("mistral-code", "by Mistral AI")):
                card = alice.locator(f'article.tool-card[data-tool="{tool}"]')
                await expect(card.locator(".vendor")).to_have_text(vendor)
                await expect(card.locator(".panel-ship dd")).to_have_text("100%")
                await expect(card.locator(".community-share dd")).to_have_text("—")
                await expect(card.locator(".entry-price dd")).to_have_text("Free")
            await expect(alice.locator("#reviews article.reviewer")).to_have_count(4)
            await expect(alice.locator("#split-table tbody tr")).to_have_count(4)
            await expect(alice.locator("#pricing-read")).not_to_be_empty()
            await expect(_tally(alice, "code-llama-4")).to_have_text("0 votes (—)")

            # The first GraphQL request is the persisted query: GET, hash only, no document.
            first = requests[0]
            params = parse_qs(urlsplit(first.url).query)
            assert first.method == "GET"
            assert "query" not in params
            sent = json.loads(params["extensions"][0])["persistedQuery"]["sha256Hash"]
            manifest = trusted_documents.load()
            assert manifest[sent].startswith("query ComparisonPage(")

            # A second visitor, in a context of its own (its own voter cookie), waits live.
            bob = await (
                await browser.new_context(viewport={"width": 390, "height": 844})
            ).new_page()
            _watch(bob, errors, [])
            await bob.goto(f"{demo_server}/compare/{SEED}")
            await expect(bob.locator("#live-status")).to_have_attribute("data-state", "live")
            await expect(alice.locator("#live-status")).to_have_attribute("data-state", "live")

            vote = alice.get_by_role("button", name="Vote for Code Llama 4")
            await vote.click()
            await expect(_tally(alice, "code-llama-4")).to_have_text("1 vote (100%)")
            await expect(vote).to_have_attribute("aria-pressed", "true")
            # The vote came from a voter the page minted deliberately, kept in an HttpOnly cookie.
            jar = await alice.context.cookies()
            voter_cookies = [c for c in jar if c["name"] in (COOKIE_NAME, DEV_COOKIE_NAME)]
            assert len(voter_cookies) == 1
            assert voter_cookies[0].get("httpOnly") is True
            assert voter_cookies[0]["value"].split("~")[-1].startswith("pow.")
            # Bob sees it without reloading, through the subscription.
            await expect(_tally(bob, "code-llama-4")).to_have_text("1 vote (100%)")
            await expect(
                bob.locator('article.tool-card[data-tool="code-llama-4"] .community-share dd')
            ).to_have_text("100%")

            # Bob votes the other way: a different voter, so both count, and Alice sees it live.
            await bob.get_by_role("button", name="Vote for Mistral Code").click()
            await expect(_tally(bob, "mistral-code")).to_have_text("1 vote (50%)")
            await expect(_tally(alice, "mistral-code")).to_have_text("1 vote (50%)")
            await expect(_tally(alice, "code-llama-4")).to_have_text("1 vote (50%)")
            await expect(alice.locator("#tally .tally-total")).to_have_text("2 votes in total.")

            # Alice's vote is remembered across a reload (the HttpOnly voter cookie).
            await alice.reload()
            await expect(
                alice.get_by_role("button", name="Vote for Code Llama 4")
            ).to_have_attribute("aria-pressed", "true")
            await expect(_tally(alice, "code-llama-4")).to_have_text("1 vote (50%)")

            await alice.screenshot(path=str(ARTIFACTS / "comparison-page.png"), full_page=True)
            await bob.evaluate("window.scrollTo(0, 0)")
            await bob.screenshot(path=str(ARTIFACTS / "comparison-page-390.png"))
            await bob.locator("#vote").scroll_into_view_if_needed()
            await bob.screenshot(path=str(ARTIFACTS / "comparison-page-390-vote.png"))
        finally:
            await browser.close()
    assert errors == []


async def test_index_lists_comparisons_that_link_to_their_pages(
    chromium: str, demo_server: str
) -> None:
    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(f"{demo_server}/")
            link = page.get_by_role("link", name="Code Llama 4 vs Mistral Code")
            await expect(link).to_have_attribute("href", f"/compare/{SEED}")
            await link.click()
            await expect(page).to_have_url(f"{demo_server}/compare/{SEED}")
            await expect(page.locator("article.tool-card")).to_have_count(2)
            await page.goto(f"{demo_server}/compare/no-such-comparison")
            await expect(page.get_by_role("alert")).to_contain_text("no-such-comparison")
        finally:
            await browser.close()


async def test_page_head_carries_json_ld_and_open_graph_tags(
    chromium: str, demo_server: str
) -> None:
    """What a crawler reads: JSON-LD valid against schema.org's types, and og tags whose image
    is the share card, all in the served HTML (the page's scripts are blocked)."""
    ARTIFACTS.mkdir(exist_ok=True)
    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.route("**/web/js/**", lambda route: route.abort())  # a crawler: no script
            await page.goto(f"{demo_server}/compare/{SEED}")
            scripts = page.locator('script[type="application/ld+json"]')
            await expect(scripts).to_have_count(1)
            data = json.loads(await scripts.text_content() or "")
            assert problems(data) == []
            products = nodes(data, "Product")
            assert [p["name"] for p in products] == ["Code Llama 4", "Mistral Code"]
            for product in products:
                assert product["aggregateRating"]["reviewCount"] == len(product["review"]) == 4
                assert all(r["author"]["@type"] == "Person" for r in product["review"])
                assert all(r["datePublished"] for r in product["review"])

            def meta(key: str) -> Any:
                return page.locator(f'meta[property="{key}"]')

            await expect(meta("og:title")).to_have_attribute(
                "content", "Code Llama 4 vs Mistral Code"
            )
            await expect(meta("og:description")).to_have_attribute(
                "content", re.compile("Code Llama 4 100% ship")
            )
            image = await meta("og:image").get_attribute("content")
            assert image is not None
            assert image.startswith(f"{demo_server}/share/{SEED}.png?v=")
            card = await page.request.get(image)
            assert card.status == 200
            assert card.headers["content-type"] == "image/png"
            assert (await card.body())[:8] == b"\x89PNG\r\n\x1a\n"
            await page.screenshot(path=str(ARTIFACTS / "comparison-page-no-script.png"))
        finally:
            await browser.close()


async def test_digest_box_subscribes_with_double_opt_in(
    chromium: str, demo_with_smtp: tuple[str, SmtpServer]
) -> None:
    base, smtp = demo_with_smtp
    expect.set_options(timeout=WAIT_MS)
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            _watch(page, errors, [])
            await page.goto(f"{base}/compare/{SEED}")
            box = page.get_by_role("region", name="Weekly AI Tool Verdicts")
            await expect(box).to_contain_text("Get the next comparison in your inbox")
            email = box.get_by_label("Email address")
            status = box.get_by_role("status")
            # Valid for the browser's own check, refused by the API: the typed error shows.
            await email.fill("reader@localhost")
            await box.get_by_role("button", name="Subscribe").click()
            await expect(status).to_have_attribute("data-state", "error")
            await expect(status).to_contain_text("Enter a mail address")
            assert smtp.received == []

            await email.fill("reader@example.org")
            await box.get_by_role("button", name="Subscribe").click()
            await expect(status).to_have_attribute("data-state", "done")
            await expect(status).to_contain_text("a message is on its way")
            await expect(email).to_have_value("")
            (mail,) = smtp.exactly(1)
            assert mail.recipients == ["reader@example.org"]
            (confirm,) = mail.links()
            assert confirm.startswith(f"{base}/digest/confirm?token=")
            await page.goto(confirm)
            await page.get_by_role("button", name="Confirm my subscription").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Subscribed")
            await page.goto(f"{base}/compare/{SEED}")
            await page.locator("#digest").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / "comparison-page-digest.png"))
        finally:
            await browser.close()
    assert errors == []
