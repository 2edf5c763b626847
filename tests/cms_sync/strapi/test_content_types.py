"""The committed Strapi content types are the content model's, under the Strapi mapping's names."""

from __future__ import annotations

import json
from pathlib import Path

from cms_sync.strapi.content_types import drift, main, render, strapi_field, strapi_type, write


def test_the_committed_types_match_the_content_model() -> None:
    assert drift() == []
    assert main(["--check"]) == 0


def test_a_status_means_draft_and_publish_and_names_follow_the_mapping() -> None:
    files = render()
    review = json.loads(files["src/api/review/content-types/review/schema.json"])
    assert review["options"] == {"draftAndPublish": True}
    assert review["attributes"]["tool"] == {
        "type": "relation",
        "relation": "manyToOne",
        "target": "api::tool.tool",
    }
    assert review["attributes"]["verdict"] == {
        "type": "enumeration",
        "enum": ["ship", "skip"],
        "required": True,
    }
    assert review["attributes"]["publication_date"] == {"type": "datetime"}
    side = json.loads(files["src/api/comparison-side/content-types/comparison-side/schema.json"])
    assert side["options"] == {"draftAndPublish": False}
    assert side["attributes"]["position"] == {"type": "integer", "required": True}
    assert strapi_type("comparison_sides").uid == "api::comparison-side.comparison-side"
    assert strapi_field("comparison_sides", "sort") == "position"


def test_write_then_check_in_a_fresh_project(tmp_path: Path) -> None:
    assert sorted(write(tmp_path)) == sorted(render())
    assert drift(tmp_path) == []
    (tmp_path / "src/api/tool/content-types/tool/schema.json").write_text("{}")
    (tmp_path / "src/api/stray").mkdir()
    assert drift(tmp_path) == ["src/api/tool/content-types/tool/schema.json", "src/api/stray"]
    assert write(tmp_path) == ["src/api/tool/content-types/tool/schema.json"]
