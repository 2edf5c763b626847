"""The page's GraphQL operations: valid against the committed schema, generated types fresh."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from graphql_api import codegen
from graphql_api.persisted import manifest as trusted_documents
from verdict.settings import PROJECT_ROOT

SDL = codegen.SCHEMA_FILE.read_text()
OPERATIONS = sorted(codegen.OPERATIONS_DIR.glob("*.graphql"))
WEB = PROJECT_ROOT / "web"


def test_the_page_has_its_operations() -> None:
    names = {p.stem for p in OPERATIONS}
    assert {"ComparisonPage", "ComparisonList", "CastVote", "VoteTally"} <= names


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.stem)
def test_operation_is_valid_against_the_committed_schema(path: Path) -> None:
    errors = validate(build_schema(SDL), parse(path.read_text()))
    assert errors == []


def test_generated_files_are_fresh() -> None:
    js = codegen.generate(SDL, OPERATIONS)
    assert codegen.OUTPUT_JS.read_text() == js, "run `python -m graphql_api.codegen`"
    assert codegen.main(["--check"]) == 0


def test_hashes_are_sha256_of_the_exact_documents() -> None:
    manifest = trusted_documents.load()
    assert len(manifest) == len(OPERATIONS)
    for path in OPERATIONS:
        document = path.read_text()
        digest = hashlib.sha256(document.encode()).hexdigest()
        assert manifest[digest] == document
        assert f'"sha256": "{digest}"' in codegen.OUTPUT_JS.read_text()


def test_typedefs_follow_the_schema() -> None:
    js = codegen.OUTPUT_JS.read_text()
    # Nullable fields are `| null`, union members are discriminated by __typename.
    assert "voteShare: number | null;" in js
    assert '__typename: "RateLimited";\n *     retryAfterSeconds: number;' in js
    assert '@typedef {"SHIP" | "SKIP"} Verdict' in js
    assert re.search(r"comparisonSlug: string;\n \*   toolSlug: string;", js)
    for name in ("ComparisonPage", "CastVote", "VoteTally", "ComparisonList"):
        assert f"}} {name}Result" in js
        assert f"}} {name}Variables" in js
        assert f"@type {{Operation<{name}Result, {name}Variables>}}" in js


def test_codegen_rejects_an_operation_the_schema_does_not_have(tmp_path: Path) -> None:
    bad = tmp_path / "Broken.graphql"
    bad.write_text("query Broken { comparison(slug: 1) { nope } }\n")
    with pytest.raises(codegen.CodegenError, match=r"Broken.graphql: .*nope"):
        codegen.generate(SDL, [bad])
    misnamed = tmp_path / "Other.graphql"
    misnamed.write_text("query NotOther { __typename }\n")
    with pytest.raises(codegen.CodegenError, match="must be named Other"):
        codegen.generate(SDL, [misnamed])


def test_codegen_check_fails_on_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "operations.js"
    stale.write_text(codegen.OUTPUT_JS.read_text().replace("voteShare", "votShare"))
    monkeypatch.setattr(codegen, "OUTPUT_JS", stale)
    monkeypatch.setattr(codegen, "PROJECT_ROOT", tmp_path)
    assert codegen.main(["--check"]) == 1


def _sample_strings() -> set[str]:
    """Names, titles and slugs of the sample content: none may be written into the page."""
    found: set[str] = set()
    for path in (PROJECT_ROOT / "content" / "sample").rglob("*.json"):
        raw = json.loads(path.read_text())
        items = raw.get("data", raw) if isinstance(raw, dict) else raw
        for item in items if isinstance(items, list) else []:
            for key in ("name", "title", "slug", "tagline", "vendor"):
                value = item.get(key) if isinstance(item, dict) else None
                if isinstance(value, str) and len(value) > 3:
                    found.add(value)
    return found


def test_no_content_is_hard_coded_in_the_page() -> None:
    strings = _sample_strings()
    assert "Code Llama 4" in strings  # the scan reads the sample content
    shipped = [p for p in WEB.rglob("*") if p.suffix in {".html", ".js", ".css"}]
    assert shipped
    for path in shipped:
        text = path.read_text()
        leaked = sorted(s for s in strings if s in text)
        assert leaked == [], f"{path.relative_to(PROJECT_ROOT)} hard-codes {leaked}"
