"""Content versions: a bump gives its keys and ``*`` one fresh version, other keys keep theirs, and
reads cover any number of keys, on SQLite and PostgreSQL."""

from __future__ import annotations

from verdict.content_versions import (
    ANY_CHANGE,
    MISSING,
    bump,
    entity_key,
    read,
    read_any_change,
)
from verdict.settings import Settings


async def test_a_bump_gives_its_keys_and_any_change_a_fresh_version(db: Settings) -> None:
    keys = [entity_key("tools", "1"), "tools", "reviewers", ANY_CHANGE]
    assert await read(keys) == dict.fromkeys(keys, MISSING)
    await bump([entity_key("tools", "1"), "tools"])
    first = await read(keys)
    assert first["tools:1"] == first["tools"] == first[ANY_CHANGE] != MISSING
    assert first["reviewers"] == MISSING
    await bump(["reviewers"])
    second = await read(keys)
    assert second["tools:1"] == first["tools:1"]
    assert second["reviewers"] == second[ANY_CHANGE] not in (MISSING, first[ANY_CHANGE])
    assert await read_any_change() == second[ANY_CHANGE]


async def test_reads_of_many_keys_are_complete(db: Settings) -> None:
    keys = [entity_key("reviews", str(i)) for i in range(1, 1201)]
    await bump(keys[::2])
    versions = await read(keys)
    assert len(versions) == 1200
    assert {versions[k] for k in keys[1::2]} == {MISSING}
    assert len({versions[k] for k in keys[::2]}) == 1
    assert versions[keys[0]] != MISSING
