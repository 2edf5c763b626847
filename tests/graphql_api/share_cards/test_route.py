"""GET /share/{slug}.png: rendered with Pillow, kept per content version, re-rendered on change.

The first test also writes the card it fetched to docs/share-card.png (the committed example)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from PIL import Image

from tests.support.content_edits import copy_export, edit_and_sync, set_review_verdict
from verdict.models.content import Review
from verdict.settings import PROJECT_ROOT

SEED = "code-llama-4-vs-mistral-code"
DOCS_CARD = PROJECT_ROOT / "docs" / "share-card.png"


async def _card_path(http: httpx.AsyncClient) -> str:
    query = f'{{ comparison(slug: "{SEED}") {{ shareImage }} }}'
    url = (await http.post("/graphql", json={"query": query})).json()["data"]["comparison"]
    parts = urlsplit(url["shareImage"])
    return f"{parts.path}?{parts.query}"


async def test_card_is_a_png_kept_until_the_content_changes(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = await _card_path(client)
    first = await client.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/png"
    assert first.headers["x-verdict-card"] == "miss"
    image = Image.open(io.BytesIO(first.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    # The card is not blank: the title, the figures and the verdict are drawn on it.
    assert sum(1 for n in image.convert("L").histogram() if n) > 20
    DOCS_CARD.write_bytes(first.content)

    again = await client.get(path)
    assert again.headers["x-verdict-card"] == "hit"
    assert again.content == first.content
    cached = await client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert cached.status_code == 304

    # An editor flips one review: the sync bumps the tool's key, the card is drawn anew.
    review = await Review.filter(tool__slug="code-llama-4").order_by("id").first()
    assert review is not None
    await edit_and_sync(copy_export(tmp_path), "reviews", set_review_verdict(review.id, "skip"))
    changed = await client.get(path)
    assert changed.headers["x-verdict-card"] == "miss"
    assert changed.content != first.content
    assert changed.headers["etag"] != first.headers["etag"]
    assert await _card_path(client) != path


async def test_votes_leave_the_card_cached(client: httpx.AsyncClient) -> None:
    path = await _card_path(client)
    assert (await client.get(path)).headers["x-verdict-card"] == "miss"
    vote = (
        f'mutation {{ castVote(input: {{comparisonSlug: "{SEED}", toolSlug: "mistral-code"}}) '
        "{ __typename } }"
    )
    assert (await client.post("/graphql", json={"query": vote})).status_code == 200
    assert (await client.get(path)).headers["x-verdict-card"] == "hit"


async def test_unknown_comparison_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/share/no-such-comparison.png")).status_code == 404
    assert (await client.get("/share/" + "x" * 300 + ".png")).status_code == 404


async def test_a_burst_of_requests_renders_the_card_once(client: httpx.AsyncClient) -> None:
    path = await _card_path(client)
    answers = await asyncio.gather(*(client.get(path) for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert sorted(a.headers["x-verdict-card"] for a in answers) == ["hit"] * 5 + ["miss"]
    assert len({a.content for a in answers}) == 1
