"""An offline copy of Verdict in an SQLite file, kept current by the sync feed.

    python examples/offline_sync.py http://127.0.0.1:8000 copy.sqlite3

Run it again later: it resumes from the tokens stored in the file, applying only what changed
(tombstones delete). A ``SyncTokenExpired`` answer wipes the copy and starts again. Each page is
applied in one SQLite transaction together with its token, so a crash never loses or repeats
a change. See docs/mobile-sync.md.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from typing import Any

import httpx

CONTENT = """
query Content($since: String) {
  contentChanges(since: $since, first: 100) {
    __typename
    ... on ContentChangesPage {
      nextToken hasMore
      changes {
        type key slug removed { reason }
        comparison { slug title headline sides { position tool { slug name } } }
        tool { slug name tagline panelShipPercent }
        reviewer { slug name lens }
      }
    }
    ... on SyncTokenExpired { message }
    ... on SyncTokenInvalid { message }
  }
}
"""
TALLIES = """
query Tallies($since: String) {
  tallyChanges(since: $since, first: 100) {
    __typename
    ... on TallyChangesPage {
      nextToken hasMore
      tallies { comparisonSlug totalVotes sides { toolSlug voteCount } }
    }
    ... on SyncTokenInvalid { message }
  }
}
"""
SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, type TEXT, slug TEXT, body TEXT);
CREATE TABLE IF NOT EXISTS tally (comparison_slug TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS token (feed TEXT PRIMARY KEY, value TEXT);
"""


def open_copy(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def _token(db: sqlite3.Connection, feed: str) -> str | None:
    row = db.execute("SELECT value FROM token WHERE feed = ?", (feed,)).fetchone()
    return row[0] if row else None


async def _ask(http: httpx.AsyncClient, query: str, since: str | None) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": {"since": since}})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    return body["data"]


async def pull_content(http: httpx.AsyncClient, db: sqlite3.Connection) -> int:
    """Apply content pages until none is left; returns how many changes were applied."""
    applied = 0
    while True:
        page = (await _ask(http, CONTENT, _token(db, "content")))["contentChanges"]
        if page["__typename"] == "SyncTokenExpired":  # too old: start again from scratch
            with db:
                db.execute("DELETE FROM entry")
                db.execute("DELETE FROM token WHERE feed = 'content'")
            continue
        if page["__typename"] != "ContentChangesPage":
            raise RuntimeError(page["message"])
        with db:  # the page and its token in one transaction
            for change in page["changes"]:
                if change["removed"]:
                    db.execute("DELETE FROM entry WHERE key = ?", (change["key"],))
                    continue
                node = change["comparison"] or change["tool"] or change["reviewer"]
                db.execute(
                    "INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?)",
                    (change["key"], change["type"], change["slug"], json.dumps(node)),
                )
            db.execute("INSERT OR REPLACE INTO token VALUES ('content', ?)", (page["nextToken"],))
        applied += len(page["changes"])
        if not page["hasMore"]:
            return applied


async def pull_tallies(http: httpx.AsyncClient, db: sqlite3.Connection) -> int:
    applied = 0
    while True:
        page = (await _ask(http, TALLIES, _token(db, "tallies")))["tallyChanges"]
        if page["__typename"] != "TallyChangesPage":
            raise RuntimeError(page["message"])
        with db:
            for tally in page["tallies"]:
                db.execute(
                    "INSERT OR REPLACE INTO tally VALUES (?, ?)",
                    (tally["comparisonSlug"], json.dumps(tally)),
                )
            db.execute("INSERT OR REPLACE INTO token VALUES ('tallies', ?)", (page["nextToken"],))
        applied += len(page["tallies"])
        if not page["hasMore"]:
            return applied


async def sync(http: httpx.AsyncClient, db: sqlite3.Connection) -> tuple[int, int]:
    """Bring the copy up to date: (content changes, tallies) applied."""
    return await pull_content(http, db), await pull_tallies(http, db)


async def main(url: str, path: str) -> None:
    db = open_copy(path)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        changes, tallies = await sync(http, db)
    count = db.execute("SELECT COUNT(*) FROM entry").fetchone()[0]
    print(f"{changes} changes and {tallies} tallies applied; {count} entries in {path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: offline_sync.py API_URL COPY.sqlite3")
    asyncio.run(main(sys.argv[1], sys.argv[2]))
