"""Reading and bumping content versions (see verdict.models.versions).

Keys: ``<collection>:<id>`` for one tool, reviewer or comparison (a review or a comparison side
bumps the rows it hangs off), ``<collection>`` for any change in a collection (lists and "not
found" answers depend on it), and ``*`` for any change at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence

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


Fetch = Callable[[list[str]], Awaitable[Iterable[Sequence[object]]]]
"""Reads the (key, version) rows of up to ``READ_CHUNK`` keys."""
READ_CHUNK = 500


async def _fetch(keys: list[str]) -> Iterable[Sequence[object]]:
    return await ContentVersion.filter(key__in=keys).values_list("key", "version")


async def read(keys: Iterable[str], fetch: Fetch = _fetch) -> dict[str, str]:
    """The current version of each key (``MISSING`` for keys never bumped), read ``READ_CHUNK``
    keys at a time by ``fetch`` (a query built per call, unless the caller brings a compiled
    one: the API does, ``graphql_api.reads.read_versions``)."""
    wanted = sorted(set(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), READ_CHUNK):
        rows = await fetch(wanted[start : start + READ_CHUNK])
        found.update((str(k), str(v)) for k, v in rows)
    return {k: found.get(k, MISSING) for k in wanted}


async def read_any_change() -> str:
    """The current version of ``*``: it changes with every change at all."""
    return (await read([ANY_CHANGE]))[ANY_CHANGE]
