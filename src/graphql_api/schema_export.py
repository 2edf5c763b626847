"""Write the schema's SDL to ``schema/schema.graphql``, or check that the file is up to date.

Run ``python -m graphql_api.schema_export`` after changing the schema; CI runs it with ``--check``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from graphql_api.schema import build_schema
from verdict.settings import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema" / "schema.graphql"


def render() -> str:
    return build_schema().as_str().rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument("--path", type=Path, default=SCHEMA_FILE)
    args = parser.parse_args(argv)
    current = render()
    if args.check:
        committed = args.path.read_text() if args.path.exists() else ""
        if committed == current:
            print(f"{args.path.name} is up to date")
            return 0
        diff = difflib.unified_diff(
            committed.splitlines(keepends=True),
            current.splitlines(keepends=True),
            fromfile=f"{args.path.name} (committed)",
            tofile=f"{args.path.name} (from code)",
        )
        sys.stdout.writelines(diff)
        print(
            f"\n{args.path.name} is out of date: run `python -m graphql_api.schema_export`",
            file=sys.stderr,
        )
        return 1
    args.path.write_text(current)
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
