"""The bundled sample content re-keyed with ids as other CMSs give them (Contentful's sys.id,
Strapi 5's documentId, and awkward ones: unicode, quotes, a ':' and the longest allowed), and
what the API shows of some content, to compare two databases holding the same content."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx

from tests.support.content import SAMPLE_CONTENT
from tests.support.queries import COMPARISON_LISTING, TOOL_LISTING, comparison_page, graphql
from verdict.models.content import ID_LENGTH

CONTENTFUL = "5KsDBWseXY6QegucYAoacS"
STRAPI = "a1b2c3d4e5f6g7h8i9j0klmn"
AWKWARD = ("ツール-ü \"quoted\" 'single'", "tools:7", "x" * ID_LENGTH)
_REFERENCES = {"reviews": ("tool", "reviewer"), "comparison_sides": ("comparison", "tool")}
_RELATED = {"tool": "tools", "reviewer": "reviewers", "comparison": "comparisons"}
COLLECTIONS = ("tools", "reviewers", "reviews", "comparisons", "comparison_sides")


def text_id(collection: str, number: int) -> str:
    """The text id the re-keyed export gives entry ``number`` of ``collection``."""
    if number == 1:
        return CONTENTFUL if collection == "comparisons" else f"{CONTENTFUL[:-3]}{collection[:3]}"
    if number == 2:
        return STRAPI if collection == "comparisons" else f"{STRAPI[:-4]}{collection[:4]}"
    if 3 <= number <= 5:
        awkward = AWKWARD[number - 3]
        return awkward if len(awkward) == ID_LENGTH else f"{awkward} {collection}"
    return f"{collection}-{number:04d}-{CONTENTFUL[number % 7 :]}"


def text_id_export(folder: Path) -> Path:
    """A copy of the sample export whose every id and reference is a text id (``text_id``)."""
    target = folder / "text-ids"
    shutil.copytree(SAMPLE_CONTENT, target)
    for collection in COLLECTIONS:
        path = target / f"{collection}.json"
        document = json.loads(path.read_text())
        for entry in document["data"]:
            entry["id"] = text_id(collection, int(entry["id"]))
            for name in _REFERENCES.get(collection, ()):
                entry[name] = text_id(_RELATED[name], int(entry[name]))
        path.write_text(json.dumps(document, ensure_ascii=False))
    return target


NODE = """
query Node($id: ID!) { node(id: $id) { id ... on Comparison { slug } ... on Tool { slug } } }
"""


async def api_views(http: httpx.AsyncClient) -> dict[str, Any]:
    """What the API shows of the content: listings, every node by its global id, every page."""
    listing = await graphql(http, COMPARISON_LISTING, {"first": 50})
    views: dict[str, Any] = {
        "listing": listing,
        "trending": await graphql(http, COMPARISON_LISTING, {"first": 50, "orderBy": "TRENDING"}),
        "tools": await graphql(http, TOOL_LISTING, {"first": 50}),
    }
    nodes = [e["node"] for e in listing["comparisons"]["edges"]]
    nodes += [e["node"] for e in views["tools"]["tools"]["edges"]]
    for node in nodes:
        views[f"node {node['slug']}"] = await graphql(http, NODE, {"id": node["id"]})
    for edge in listing["comparisons"]["edges"]:
        slug = edge["node"]["slug"]
        views[f"page {slug}"] = await comparison_page(http, slug)
    return views
