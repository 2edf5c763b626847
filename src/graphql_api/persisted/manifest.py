"""The trusted-documents manifest: the only operations a trusted-documents server runs.

``schema/trusted-documents.json`` maps the SHA-256 (hex) of each document's exact text to the
text, for every ``.graphql`` file under ``web/operations/`` (the clients' operations). Regenerate
it after changing an operation, and commit it:

    .venv/bin/python -m graphql_api.persisted.manifest          # write
    .venv/bin/python -m graphql_api.persisted.manifest --check  # fail when stale (scripts/check)
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson
from graphql import OperationDefinitionNode, parse

from verdict.settings import PROJECT_ROOT

MANIFEST_PATH = PROJECT_ROOT / "schema" / "trusted-documents.json"
OPERATION_DIRS = (PROJECT_ROOT / "web" / "operations",)


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def build(directories: Sequence[Path] = OPERATION_DIRS) -> dict[str, str]:
    """sha256 -> document, for every ``.graphql`` file under ``directories``."""
    documents: dict[str, str] = {}
    for directory in directories:
        for path in sorted(directory.rglob("*.graphql")):
            text = path.read_text(encoding="utf-8")
            documents[document_hash(text)] = text
    return dict(sorted(documents.items()))


def render(documents: dict[str, str]) -> bytes:
    return orjson.dumps(documents, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def load(path: Path = MANIFEST_PATH) -> dict[str, str]:
    """The manifest (empty when there is none); every entry's hash is checked."""
    if not path.exists():
        return {}
    raw = orjson.loads(path.read_bytes())
    if not isinstance(raw, dict):
        raise ValueError(f"{path} must hold an object of sha256 -> document")
    documents = {str(k): str(v) for k, v in raw.items()}
    for sha256, document in documents.items():
        if document_hash(document) != sha256:
            raise ValueError(f"{path}: {sha256} is not the SHA-256 of its document")
    return documents


def operation_names(documents: dict[str, str]) -> frozenset[str]:
    """The names of the operations the documents define (the frontend's operations)."""
    names = set()
    for document in documents.values():
        for definition in parse(document).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
                names.add(definition.name.value)
    return frozenset(names)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check schema/trusted-documents.json.")
    parser.add_argument("--check", action="store_true", help="fail when the manifest is stale")
    args = parser.parse_args(argv)
    wanted = render(build())
    current = MANIFEST_PATH.read_bytes() if MANIFEST_PATH.exists() else b""
    if args.check:
        if current != wanted:
            print(
                f"{MANIFEST_PATH.name} is stale: run python -m graphql_api.persisted.manifest",
                file=sys.stderr,
            )
            return 1
        return 0
    MANIFEST_PATH.write_bytes(wanted)
    print(f"wrote {len(orjson.loads(wanted))} documents to {MANIFEST_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
