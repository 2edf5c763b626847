"""syncIssues holds CMS error texts and slugs: editors only (a preview token)."""

from __future__ import annotations

from graphql_api.preview.tokens import PreviewSigner
from tests.support.apps import app_for, client_for
from verdict.settings import DEV_SECRET_KEY, Mode, Settings

QUERY = "{ syncIssues { cmsId reason } }"
SECRET = "sync-access-secret-0123456789-abcdefghijklm"


async def test_sync_issues_need_a_preview_token(demo_db: Settings) -> None:
    for overrides, key in (
        ({}, DEV_SECRET_KEY),
        ({"mode": Mode.PROD, "secret_key": SECRET}, SECRET),
    ):
        async with app_for(demo_db, overrides) as app, client_for(app) as http:
            anonymous = (await http.post("/graphql", json={"query": QUERY})).json()
            assert anonymous["data"] is None
            assert [e["extensions"]["code"] for e in anonymous["errors"]] == [
                "PREVIEW_TOKEN_REQUIRED"
            ]
            token = PreviewSigner.from_secret(key).issue(1)
            editor = await http.post(
                "/graphql", json={"query": QUERY}, headers={"x-verdict-preview": token}
            )
            body = editor.json()
            assert "errors" not in body, body
            assert isinstance(body["data"]["syncIssues"], list)
