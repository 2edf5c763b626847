"""Applying one page of a change stream (``StreamSource``), atomically with its resume token.

A stream page mixes collections and names deleted entries by id alone. In one transaction:
the deleted ids are found locally (in whichever collection holds them) and leave with the
children they imply (``cms_sync.cascade``), children first; the upserts go through the same
``apply_page`` as a windowed sync, collection by collection in the content model's sync order
(a review after its tool); then the page's token is stored. A crash between pages loses nothing:
the next pass resumes from the last committed token, and a page is never half-applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from cms_sync.apply import MODELS, PageResult, apply_page
from cms_sync.cascade import delete_aggregates
from cms_sync.source import SourceError, StreamPage
from verdict.models.sync import STREAM_COLLECTION, QuarantinedEntry, SyncCheckpoint


@dataclass(slots=True)
class StreamPageResult:
    applied: dict[str, PageResult] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)


async def load_token(source: str) -> str | None:
    """The token the last committed page left, or None before the first page."""
    checkpoint = await SyncCheckpoint.get_or_none(source=source, collection=STREAM_COLLECTION)
    return None if checkpoint is None else checkpoint.token


async def save_token(source: str, token: str) -> None:
    """Store the stream's resume token; call inside the page's transaction."""
    updated = await SyncCheckpoint.filter(source=source, collection=STREAM_COLLECTION).update(
        token=token
    )
    if not updated:
        await SyncCheckpoint.create(source=source, collection=STREAM_COLLECTION, token=token)


async def apply_stream_page(
    source: str, order: Sequence[str], page: StreamPage, *, keep_token: bool = True
) -> StreamPageResult:
    """Deletions, then upserts in ``order``, then the token: one transaction.

    A full pass re-reads the stream from its start and passes ``keep_token=False``: its pages
    leave the stored token alone, so if it stops early the previous token (and the deletions
    only it would report) stays; the full pass stores its last token when it completes."""
    unknown = sorted(set(page.upserts) - set(order))
    if unknown:
        raise SourceError(f"a stream page holds entries of unknown collections: {unknown}")
    result = StreamPageResult()
    async with in_transaction():
        located = await locate(page.deleted)
        for collection in reversed(order):
            ids = located.get(collection)
            if ids:
                for name, count in (await delete_aggregates(source, collection, ids)).items():
                    result.deleted[name] = result.deleted.get(name, 0) + count
        # A deleted entry that never synced (quarantined) leaves no record behind.
        if page.deleted:
            await QuarantinedEntry.filter(source=source, cms_id__in=sorted(page.deleted)).delete()
        for collection in order:
            entries = page.upserts.get(collection)
            if entries:
                result.applied[collection] = await apply_page(
                    source, collection, entries, cursor=None
                )
        if keep_token:
            await save_token(source, page.token)
    return result


async def locate(ids: Iterable[str]) -> dict[str, set[Any]]:
    """Collection -> the local keys among ``ids`` it holds (a stream's deletion has no type)."""
    keys = _keys(ids)
    found: dict[str, set[Any]] = {}
    if not keys:
        return found
    for collection, model in MODELS.items():
        rows: list[Any] = await model.filter(id__in=keys).values_list("id", flat=True)
        if rows:
            found[collection] = set(rows)
    return found


def local_key(value: Any) -> str:
    """A CMS id as the local primary key: content rows are keyed by the CMS's ids as text."""
    return str(value)


def _keys(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids))
