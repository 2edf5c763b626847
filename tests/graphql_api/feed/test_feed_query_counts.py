"""A feed page's SQL statements do not grow with its size (no N+1 through the nodes)."""

from __future__ import annotations

from devtools.sql_counter import QueryCounter
from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms
from tests.support.feed_client import CONTENT_CHANGES, post
from verdict.settings import Settings


async def test_statements_per_page_do_not_depend_on_its_size(
    db: Settings, sql_queries: QueryCounter
) -> None:
    cms = MemoryCms()
    counts, sizes = [], []
    async with api_client(db) as http:
        for last in (5, 40):  # a page of ~10 entries, then one of ~50: tools and comparisons
            for comparison in range(1, last + 1):
                await cms.put_comparison(comparison, (comparison % 5 + 1, comparison % 7 + 6))
            before = len(sql_queries.statements)
            page = (await post(http, CONTENT_CHANGES, {"first": 100}))["contentChanges"]
            # The response cache reads content versions 500 keys at a time: not the feed's own.
            own = [q for q in sql_queries.statements[before:] if "content_version" not in q]
            counts.append(len(own))
            sizes.append(len(page["changes"]))
    assert sizes[0] <= 15 < 40 < sizes[1]
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6, counts
