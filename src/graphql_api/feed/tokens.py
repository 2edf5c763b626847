"""Sync tokens: where an app's offline copy stands in the content feed or the tally feed.

A token is signed (see graphql_api.signing) under a key derived for its feed only, so a tally
token never passes as a content token. Its payload is the token space (``public``, or
``preview`` for requests with a preview token: drafts are in that feed, never in the public
one), the position reached, and the origin: where the app's initial pass started (tombstones
from before it are of nothing the app can hold, so they are skipped).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from graphql_api.signing import BadTokenError, PurposeSigner
from verdict.feed_log import Position


class Space(StrEnum):
    PUBLIC = "public"
    PREVIEW = "preview"


class TokenError(Exception):
    """The token is not one of ours, or belongs to another feed or token space."""


@dataclass(frozen=True, slots=True)
class SyncPoint:
    space: Space
    position: Position
    origin: Position


@dataclass(frozen=True, slots=True)
class TokenCodec:
    signer: PurposeSigner

    def issue(self, point: SyncPoint) -> str:
        at, origin = point.position, point.origin
        return self.signer.sign(f"{point.space}_{at.tx}_{at.seq}_{origin.tx}_{origin.seq}")

    def read(self, token: str, space: Space) -> SyncPoint:
        """The point a token stands for; TokenError unless it was issued for ``space``."""
        try:
            payload = self.signer.unsign(token.strip())
        except BadTokenError as exc:
            raise TokenError(f"not a sync token of this feed ({exc})") from None
        name, *numbers = payload.split("_")
        if name not in {s.value for s in Space} or len(numbers) != 4:
            raise TokenError("not a sync token of this feed (malformed)")
        if not all(n.isdigit() and len(n) < 20 for n in numbers):
            raise TokenError("not a sync token of this feed (malformed)")
        if name != space:
            raise TokenError(
                f"this token belongs to the {name} feed; this request reads the {space} one "
                "(a preview token must be sent with every request of a preview feed, or never)"
            )
        tx, seq, otx, oseq = (int(n) for n in numbers)
        return SyncPoint(Space(name), Position(tx, seq), Position(otx, oseq))


@functools.lru_cache(maxsize=8)
def content_codec(secret_key: str) -> TokenCodec:
    return TokenCodec(PurposeSigner.derive(secret_key, b"verdict content sync token v1", "s1"))


@functools.lru_cache(maxsize=8)
def tally_codec(secret_key: str) -> TokenCodec:
    return TokenCodec(PurposeSigner.derive(secret_key, b"verdict tally sync token v1", "t1"))
