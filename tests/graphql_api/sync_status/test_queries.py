"""Editors see quarantined CMS entries through the API's `syncIssues` query."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from graphql_api.preview.tokens import PreviewSigner
from tests.support.content import review, tool
from tests.support.fake_directus import now_ms, stamp
from verdict.settings import DEV_SECRET_KEY

ISSUES = """
query Issues($collection: String, $first: Int! = 100) {
  syncIssues(collection: $collection, first: $first) {
    collection cmsId reasonCode reason firstSeenAt lastSeenAt
  }
}
"""


def _export(folder: Path, entries: dict[str, list[dict[str, object]]]) -> Path:
    for collection in ("tools", "reviewers", "reviews", "comparisons", "comparison_sides"):
        data = [e | {"date_updated": stamp(now_ms())} for e in entries.get(collection, [])]
        (folder / f"{collection}.json").write_bytes(orjson.dumps({"data": data}))
    return folder


async def _issues(client: httpx.AsyncClient, **variables: object) -> list[dict[str, str]]:
    preview = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)  # syncIssues is for editors
    response = await client.post(
        "/graphql",
        json={"query": ISSUES, "variables": variables},
        headers={"x-verdict-preview": preview},
    )
    body = response.json()
    assert "errors" not in body, body
    issues: list[dict[str, str]] = body["data"]["syncIssues"]
    return issues


async def test_quarantined_entries_are_listed_with_their_reasons(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    assert await _issues(client) == []
    folder = _export(
        tmp_path,
        {
            "tools": [tool(900, open_weights="yes")],
            "reviews": [review(901, tool_id=999_999, reviewer_id=1)],
        },
    )
    await SyncEngine(ExportSource(folder)).run()

    issues = await _issues(client)
    by_id = {i["cmsId"]: i for i in issues}
    assert set(by_id) == {"900", "901"}
    assert by_id["900"]["collection"] == "tools"
    assert by_id["900"]["reasonCode"] == "wrong_type"
    assert by_id["900"]["reason"] == "open_weights must be true or false (got 'yes')"
    assert by_id["901"]["reasonCode"] == "missing_reference"
    assert by_id["901"]["reason"] == "waits for tools 999999 to be synced"
    assert all(i["firstSeenAt"] <= i["lastSeenAt"] for i in issues)

    assert [i["cmsId"] for i in await _issues(client, collection="reviews")] == ["901"]
    assert len(await _issues(client, first=1)) == 1
    assert await _issues(client, first=-5) == []
