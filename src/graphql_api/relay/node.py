"""Relay global object identification: the ``Node`` interface and global ids.

A global id is the base64 of ``Type:slug``. Slugs are what the CMS keeps stable, so ids survive
resyncs; clients must still treat ids as opaque.
"""

from __future__ import annotations

import base64
import binascii
import functools

import strawberry

from graphql_api.errors import ErrorCode, user_error

NODE_TYPES = ("Comparison", "Tool", "Reviewer")


@strawberry.interface(
    name="Node",
    description=(
        "An object with a global id. Any such object can be fetched again with `node(id:)`, "
        "which is what Relay-style clients use to refresh it."
    ),
)
class Node:
    id: strawberry.ID = strawberry.field(
        description="Globally unique, opaque id. Stable across content syncs; do not parse it."
    )


@functools.lru_cache(maxsize=16_384)  # built for every tool and reviewer on every page
def encode_id(type_name: str, slug: str) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{slug}".encode()).decode("ascii"))


def decode_id(global_id: str) -> tuple[str, str]:
    """Split a global id into (type name, slug); raise an INVALID_ID error for anything else."""
    try:
        text = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    type_name, _, slug = text.partition(":")
    # A NUL is in no slug, and PostgreSQL refuses it in any text parameter.
    if type_name not in NODE_TYPES or not slug or "\x00" in slug:
        raise user_error(f"{global_id!r} is not a global id of this API.", ErrorCode.INVALID_ID)
    return type_name, slug
