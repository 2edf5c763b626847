"""Reading and bumping content versions (see verdict.models.versions).

Keys: ``<collection>:<id>`` for one tool, reviewer or comparison (a review or a comparison side
bumps the rows it hangs off), ``<collection>`` for any change in a collection (lists and "not
found" answers depend on it), and ``*`` for any change at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from tortoise.backends.base.client import BaseDBAsyncClient

from verdict.models.versions import ContentVersion

ANY_CHANGE = "*"
MISSING = "0"
"""The version of a key that was never bumped."""


def entity_key(collection: str, row_id: str) -> str:
    return f"{collection}:{row_id}"


async def bump(keys: Iterable[str], conn: BaseDBAsyncClient | None = None) -> None:
    """Give every key (and ``*``) a fresh version; call in the transaction of the change."""
    version = secrets.token_hex(8)
    rows = [ContentVersion(key=k, version=version) for k in sorted({*keys, ANY_CHANGE})]
    await ContentVersion.bulk_create(
        rows, on_conflict=["key"], update_fields=["version", "updated_at"], using_db=conn
    )


async def read(keys: Iterable[str]) -> dict[str, str]:
    """The current version of each key (``MISSING`` for keys never bumped)."""
    wanted = sorted(set(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        rows = await ContentVersion.filter(key__in=wanted[start : start + 500]).values_list(
            "key", "version"
        )
        found.update((str(k), str(v)) for k, v in rows)
    return {k: found.get(k, MISSING) for k in wanted}


async def read_any_change() -> str:
    """The current version of ``*``: it changes with every change at all."""
    return (await read([ANY_CHANGE]))[ANY_CHANGE]
