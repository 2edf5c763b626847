"""Report breaking and dangerous changes of the committed schema against another git revision.

Informational for CI: prints what would break clients (graphql-core's find_breaking_changes) and
what might (find_dangerous_changes), then exits 0. ``--strict`` exits 1 on breaking changes.
Without a schema at the base revision (a first commit, a shallow clone) it says so and exits 0.

    python -m graphql_api.schema_breaking [--base origin/main] [--path schema/schema.graphql]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from graphql import GraphQLError, build_schema, find_breaking_changes, find_dangerous_changes

from graphql_api.schema_export import SCHEMA_FILE
from verdict.settings import PROJECT_ROOT

DEFAULT_BASES = ("origin/main", "main")


def schema_at(revision: str, path: Path) -> str | None:
    """The schema file's text at ``revision``, or None when git has no such file there."""
    relative = path.resolve().relative_to(PROJECT_ROOT).as_posix()
    result = subprocess.run(
        ["git", "show", f"{revision}:{relative}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def compare(old_sdl: str, new_sdl: str) -> tuple[list[str], list[str]]:
    """(breaking, dangerous) changes from ``old_sdl`` to ``new_sdl``, one line each."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    breaking = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(old, new)]
    dangerous = [f"{c.type.name}: {c.description}" for c in find_dangerous_changes(old, new)]
    return breaking, dangerous


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", action="append", help="revision to compare with (repeatable)")
    parser.add_argument("--path", type=Path, default=SCHEMA_FILE)
    parser.add_argument("--strict", action="store_true", help="exit 1 on breaking changes")
    args = parser.parse_args(argv)
    bases = args.base or list(DEFAULT_BASES)
    found = next(((b, sdl) for b in bases if (sdl := schema_at(b, args.path)) is not None), None)
    if found is None:
        print(f"schema-breaking: no {args.path.name} on {' or '.join(bases)}; nothing to compare")
        return 0
    base, old_sdl = found
    try:
        breaking, dangerous = compare(old_sdl, args.path.read_text())
    except (GraphQLError, TypeError) as exc:
        print(f"schema-breaking: cannot compare with {base}: {exc}")
        return 0
    print(f"schema-breaking: {len(breaking)} breaking, {len(dangerous)} dangerous vs {base}")
    for line in breaking:
        print(f"  BREAKING  {line}")
    for line in dangerous:
        print(f"  DANGEROUS {line}")
    return 1 if args.strict and breaking else 0


if __name__ == "__main__":
    sys.exit(main())
