"""The tests mirror the package tree: every source module has a test file named after it, or a
one-line reason why not in docs/development.md.

``src/graphql_api/votes/voter.py`` is tested in ``tests/graphql_api/votes/test_voter.py`` and
``cms_sync/pagination.py`` in ``tests/cms_sync/test_pagination.py``. A module without a test file
of its own is listed, as "- `path/module.py`: reason", under the heading below; a listed module
that no longer exists, or that has a test file by now, is a stale entry.
"""

from __future__ import annotations

import re
from pathlib import Path

from verdict.settings import PROJECT_ROOT

PACKAGES = ("src/verdict", "src/verdict_cli", "src/graphql_api", "cms_sync")
NOT_MODULES = {"migrations"}  # Tortoise's migration files: checked by tests/verdict/test_db.py
GUIDE = PROJECT_ROOT / "docs" / "development.md"
HEADING = "### Modules without a test file of their own"
ENTRY = re.compile(r"^- `(?P<module>[^`]+\.py)`: (?P<reason>\S.*)$")


def source_modules() -> list[str]:
    """Every module of the packages, as a path from the project root; ``__init__.py`` skipped."""
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            relative = path.relative_to(PROJECT_ROOT)
            if path.name == "__init__.py" or NOT_MODULES & set(relative.parts):
                continue
            found.append(relative.as_posix())
    return found


def expected_test_file(module: str) -> Path:
    """``src/graphql_api/votes/voter.py`` -> ``tests/graphql_api/votes/test_voter.py``; a private
    module's underscore is dropped (``engine/_compat.py`` -> ``engine/test_compat.py``)."""
    path = Path(module)
    if path.parts[0] == "src":
        path = path.relative_to("src")
    return PROJECT_ROOT / "tests" / path.parent / f"test_{path.name.lstrip('_')}"


def listed_reasons() -> dict[str, str]:
    """The modules listed under HEADING in docs/development.md, with their reasons."""
    text = GUIDE.read_text()
    assert HEADING in text, f"{GUIDE.name} has no {HEADING!r} section"
    section = text.split(HEADING, 1)[1]
    section = re.split(r"^#{1,3} ", section, maxsplit=1, flags=re.MULTILINE)[0]
    reasons: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("- "):
            continue
        entry = ENTRY.match(line)
        assert entry, f"not a '- `path/module.py`: reason' line under {HEADING!r}: {line!r}"
        assert entry["module"] not in reasons, f"listed twice: {entry['module']}"
        reasons[entry["module"]] = entry["reason"]
    return reasons


def test_the_mapping_follows_the_package_path() -> None:
    assert expected_test_file("src/graphql_api/votes/voter.py") == (
        PROJECT_ROOT / "tests" / "graphql_api" / "votes" / "test_voter.py"
    )
    assert expected_test_file("cms_sync/pagination.py") == (
        PROJECT_ROOT / "tests" / "cms_sync" / "test_pagination.py"
    )
    assert expected_test_file("src/graphql_api/engine/_compat.py") == (
        PROJECT_ROOT / "tests" / "graphql_api" / "engine" / "test_compat.py"
    )
    assert "src/verdict/settings.py" in source_modules()
    assert not [m for m in source_modules() if "/migrations/" in m or m.endswith("__init__.py")]


def test_every_module_has_a_test_file_or_a_listed_reason() -> None:
    reasons = listed_reasons()
    missing = [
        f"{module} (expected {expected_test_file(module).relative_to(PROJECT_ROOT)})"
        for module in source_modules()
        if module not in reasons and not expected_test_file(module).is_file()
    ]
    assert not missing, (
        f"modules with neither a test file nor a reason under {HEADING!r} in docs/development.md:"
        "\n  " + "\n  ".join(missing)
    )


def test_every_listed_reason_is_still_needed() -> None:
    modules = set(source_modules())
    stale = [
        f"{module}: no such module" if module not in modules else f"{module}: has a test file"
        for module in listed_reasons()
        if module not in modules or expected_test_file(module).is_file()
    ]
    assert not stale, f"stale entries under {HEADING!r} in docs/development.md:\n  " + "\n  ".join(
        stale
    )
