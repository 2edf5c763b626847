"""Cursors and global ids that decode to something no database query may take."""

from __future__ import annotations

import base64

from tests.support.apps import app_for, client_for
from verdict.settings import Settings


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode("ascii")


async def test_cursor_offset_beyond_64_bits_is_invalid_cursor(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        for offset in (b"99999999999999999999999", b"9223372036854775807", b"+1_0"):
            response = await http.post(
                "/graphql",
                json={
                    "query": "query($a: String) { tools(first: 1, after: $a) { totalCount } }",
                    "variables": {"a": _b64(b"offset:" + offset)},
                },
            )
            assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", offset


async def test_node_id_with_nul_is_invalid_id(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, client_for(app) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { node(id: $id) { id } }",
                "variables": {"id": _b64(b"Tool:a\x00b")},
            },
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_ID"
