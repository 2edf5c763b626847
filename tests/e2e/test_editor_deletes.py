"""An editor deletes a comparison, a tool and a reviewer in Directus, one request each.

Directus cascades each deletion to the aggregate's children (sides, reviews) and its webhook names
only the parent; the sync mirrors the cascade. Checked after each webhook-driven pass (polling is
a minute apart, so only the webhook explains the pass) and after a full reconciliation: nothing
is orphaned locally or in Directus, and votes are untouched.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tortoise.models import Model

from cms_sync.apply import MODELS
from cms_sync.directus.provision import ProvisionResult, provision
from cms_sync.directus.server import DirectusServer
from cms_sync.directus.source import DirectusSource
from cms_sync.engine import SyncEngine
from cms_sync.webhooks import WEBHOOK_PATH
from tests.support.directus_content import WEBHOOK_SECRET as SECRET
from tests.support.directus_content import Cms, Seeded, query, seed
from tests.support.directus_worker import Watching, watch
from verdict.models.content import ComparisonSide, Review
from verdict.models.votes import Vote, VoteTally
from verdict.settings import Settings

pytestmark = pytest.mark.directus

PAGE = """
query ($comparison: String!, $tool: String!, $reviewer: String!) {
  comparison(slug: $comparison) { slug sides { tool { slug } } }
  tool(slug: $tool) { slug panelShipPercent reviews { reviewer { slug } } }
  reviewer(slug: $reviewer) { slug }
}
"""


async def _page(api: httpx.AsyncClient, seeded: Seeded, tool: str, reviewer: str) -> Any:
    return await query(
        api,
        PAGE,
        comparison=seeded.comparison_slug,
        tool=seeded.slug(tool),
        reviewer=seeded.slug(reviewer),
    )


async def _votes(slug: str) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
    votes: list[Any] = await Vote.filter(comparison_slug=slug).values_list("voter_id", "tool_slug")
    tallies: list[Any] = await VoteTally.filter(comparison_slug=slug).values_list(
        "tool_slug", "count"
    )
    return sorted((str(v), str(t)) for v, t in votes), sorted((str(t), int(c)) for t, c in tallies)


async def _local_ids(model: type[Model]) -> set[str]:
    rows: list[Any] = await model.all().values_list("id", flat=True)
    return {str(r) for r in rows}


async def test_one_request_deletes_each_aggregate_and_the_sync_follows(
    db: Settings,
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_port: int,
    cms: Cms,
    api: httpx.AsyncClient,
) -> None:
    seeded = await seed(cms)
    async with watch(db, directus, provisioned, webhook_port) as watching:
        votes = await _delete_each_aggregate(seeded, cms, api, watching)
    # A full reconciliation finds nothing left to delete: the passes left no orphan behind.
    async with DirectusSource(directus.url, provisioned.worker_token) as source:
        report = await SyncEngine(source).run(full=True)
        assert {c: r.deleted for c, r in report.collections.items() if r.deleted} == {}
        assert not report.quarantine_reasons
        for collection, model in MODELS.items():
            assert await _local_ids(model) == await source.all_ids(collection), collection
    assert await _votes(seeded.comparison_slug) == votes


async def _delete_each_aggregate(
    seeded: Seeded, cms: Cms, api: httpx.AsyncClient, watching: Watching
) -> tuple[list[tuple[str, str]], list[tuple[str, int]]]:
    """Deletes the comparison, tool alpha and reviewer rival; returns the votes, untouched."""
    slug = seeded.comparison_slug
    alpha, beta = seeded.slug("alpha"), seeded.slug("beta")
    for voter, tool_slug in {"voter-1": alpha, "voter-2": beta}.items():
        await Vote.create(voter_id=voter, comparison_slug=slug, tool_slug=tool_slug)
        await VoteTally.create(comparison_slug=slug, tool_slug=tool_slug, count=1)
    votes = await _votes(slug)
    page = await _page(api, seeded, "beta", "rival")
    assert [s["tool"]["slug"] for s in page["comparison"]["sides"]] == [alpha, beta]
    assert page["tool"]["panelShipPercent"] == 50

    # The comparison: its two sides go with it, its tools stay.
    await watching.one_pass_after(cms.delete("comparisons", seeded.comparison))
    for side in seeded.sides.values():
        assert not await cms.exists("comparison_sides", side)
    assert not await ComparisonSide.filter(comparison_id=seeded.comparison).exists()
    page = await _page(api, seeded, "beta", "rival")
    assert page["comparison"] is None
    assert page["tool"]["slug"] == beta

    # A tool: its three reviews go with it.
    alpha_reviews = [r for (_, tool), r in seeded.reviews.items() if tool == "alpha"]
    await watching.one_pass_after(cms.delete("tools", seeded.tools["alpha"]))
    for review in alpha_reviews:
        assert not await cms.exists("reviews", review)
    assert not await Review.filter(id__in=alpha_reviews).exists()
    assert (await query(api, "query ($s: String!) { tool(slug: $s) { slug } }", s=alpha)) == {
        "tool": None
    }

    # A reviewer: their review of beta goes, and beta's panel drops from 1/2 ships to 0/1.
    await watching.one_pass_after(cms.delete("reviewers", seeded.reviewers["rival"]))
    assert not await cms.exists("reviews", seeded.reviews[("rival", "beta")])
    page = await _page(api, seeded, "beta", "rival")
    assert page["reviewer"] is None
    assert page["tool"]["panelShipPercent"] == 0
    assert [r["reviewer"]["slug"] for r in page["tool"]["reviews"]] == [seeded.slug("dx")]

    assert await _votes(slug) == votes
    return votes


async def test_provision_turns_an_older_no_action_relation_into_a_cascade(
    directus: DirectusServer, provisioned: ProvisionResult, webhook_port: int, cms: Cms
) -> None:
    """A Directus provisioned before deletes cascaded is upgraded by the next provision."""
    status, _ = await cms.send(
        "PATCH", "/relations/reviews/tool", {"schema": {"on_delete": "NO ACTION"}}
    )
    assert status == 200
    seeded = await seed(cms)
    assert await cms.try_delete("tools", seeded.tools["beta"]) >= 400

    again = await provision(
        directus.url,
        directus.admin_token,
        webhook_url=f"http://127.0.0.1:{webhook_port}{WEBHOOK_PATH}",
        webhook_secret=SECRET,
        with_sample_content=False,
    )
    assert again.changes == ("updated relation reviews.tool on_delete CASCADE",)
    await cms.delete("tools", seeded.tools["beta"])
    assert not await cms.exists("reviews", seeded.reviews[("rival", "beta")])
