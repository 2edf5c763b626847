"""examples/offline_sync.py builds a copy from the API, then keeps it current."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path
from types import ModuleType

from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms
from tests.support.feed_client import served
from verdict.settings import PROJECT_ROOT, Settings


def _example() -> ModuleType:
    path = PROJECT_ROOT / "examples" / "offline_sync.py"
    spec = importlib.util.spec_from_file_location("offline_sync", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _comparisons(db: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    rows = db.execute("SELECT body FROM entry WHERE type = 'COMPARISON'").fetchall()
    bodies = [json.loads(r[0]) for r in rows]
    return {b["slug"]: tuple(s["tool"]["slug"] for s in b["sides"]) for b in bodies}


async def test_the_example_builds_and_updates_its_copy(db: Settings, tmp_path: Path) -> None:
    example = _example()
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.put_comparison(2, (2, 3))
    async with api_client(db) as http:
        copy = example.open_copy(str(tmp_path / "copy.sqlite3"))
        changes, _ = await example.sync(http, copy)
        assert changes == 5  # two comparisons, three tools
        want = await served(http)
        assert _comparisons(copy) == {s: c[1] for s, c in want.comparisons.items()}

        await cms.delete("comparisons", {1})
        await cms.put_comparison(2, (2, 4))
        copy.close()
        reopened = example.open_copy(str(tmp_path / "copy.sqlite3"))  # an app restart
        await example.sync(http, reopened)
        want = await served(http)
        assert _comparisons(reopened) == {s: c[1] for s, c in want.comparisons.items()}
        assert set(_comparisons(reopened)) == {"comparison-2"}
