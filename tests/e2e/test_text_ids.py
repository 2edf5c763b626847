"""Content keyed by text ids (Contentful's, Strapi's, awkward ones) syncs and reads exactly as the
same content keyed by Directus's integers: pages, listings, nodes, the feed and votes."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from tests.support.clients import api_client
from tests.support.databases import Backend, create_database, drop_database, init_orm
from tests.support.feed_client import CONTENT_CHANGES, post
from tests.support.text_ids import CONTENTFUL, STRAPI, api_views, text_id, text_id_export
from tests.support.votes import SEED, cast, gql, tokens
from verdict.models.content import Comparison, ComparisonSide, Review, Tool
from verdict.models.sync import QuarantinedEntry
from verdict.settings import Settings

TALLY = "query T($slug: String!) { comparison(slug: $slug) { sides { tool { slug } voteCount } } }"


@pytest.fixture
async def text_db(
    backend: Backend, templates: dict[str, str], tmp_path: Path
) -> AsyncIterator[tuple[Settings, Path]]:
    """A migrated database holding the sample content re-keyed by text ids, synced."""
    name = f"verdict_t_{uuid.uuid4().hex[:12]}"
    url = await create_database(backend, name, template=templates["empty"])
    export = text_id_export(tmp_path)
    await init_orm(url)
    try:
        report = await SyncEngine(ExportSource(export)).run(full=True)
        assert not report.quarantine_reasons
        yield Settings(database_url=url), export
    finally:
        await Tortoise.close_connections()
        await drop_database(backend, name)


async def test_text_ids_are_stored_as_they_come(text_db: tuple[Settings, Path]) -> None:
    first: Any = await Comparison.get(id=CONTENTFUL)
    assert (await Comparison.get(id=STRAPI)).slug != first.slug
    side_ids: list[Any] = await ComparisonSide.filter(comparison_id=CONTENTFUL).values_list(
        "tool_id", flat=True
    )
    assert side_ids
    assert all(isinstance(i, str) for i in side_ids)
    for number in (3, 4, 5):  # unicode and quotes, a ':', the longest id allowed
        assert await Tool.get_or_none(id=text_id("tools", number)) is not None
        assert await Review.filter(tool_id=text_id("tools", number)).exists()
    assert await QuarantinedEntry.all().count() == 0


async def test_text_ids_read_as_integer_ids_do(
    backend: Backend, templates: dict[str, str], text_db: tuple[Settings, Path]
) -> None:
    """The API shows the same content the same way, global ids included (they are slugs)."""
    settings, _ = text_db
    async with api_client(settings) as http:
        views = await api_views(http)
    await Tortoise.close_connections()
    name = f"verdict_t_{uuid.uuid4().hex[:12]}"
    url = await create_database(backend, name, template=templates["demo"])
    try:
        await init_orm(url)
        async with api_client(Settings(database_url=url)) as http:
            assert await api_views(http) == views
    finally:
        await Tortoise.close_connections()
        await drop_database(backend, name)
        await init_orm(settings.database_url)


async def test_feed_and_votes_work_on_text_ids(text_db: tuple[Settings, Path]) -> None:
    settings, export = text_db
    async with api_client(settings) as http:
        voters = tokens(2)
        for voter in voters:
            assert (await cast(http, voter, "code-llama-4"))["__typename"] == "VoteSuccess"
        sides = (await gql(http, TALLY, {"slug": SEED}))["comparison"]["sides"]
        assert {s["tool"]["slug"]: s["voteCount"] for s in sides}["code-llama-4"] == 2
        feed = (await post(http, CONTENT_CHANGES, {"first": 100}))["contentChanges"]
        keys = {c["key"]: c["slug"] for c in feed["changes"]}
        seed_id = (await Comparison.get(slug=SEED)).id
        assert keys[f"comparisons:{seed_id}"] == SEED
        assert f"tools:{text_id('tools', 4)}" in keys  # an id holding a ':' keeps its key

        # The editor deletes a comparison keyed by a Strapi documentId: a tombstone says so.
        path = export / "comparisons.json"
        document = json.loads(path.read_text())
        gone = next(e for e in document["data"] if e["id"] == STRAPI)
        document["data"] = [e for e in document["data"] if e["id"] != STRAPI]
        path.write_text(json.dumps(document, ensure_ascii=False))
        await SyncEngine(ExportSource(export)).run(full=True)
        since = feed["nextToken"]
        later = (await post(http, CONTENT_CHANGES, {"since": since}))["contentChanges"]
        tombstones = [c for c in later["changes"] if c["key"] == f"comparisons:{STRAPI}"]
        assert [(c["slug"], c["removed"]["reason"]) for c in tombstones] == [
            (gone["slug"], "DELETED")
        ]
