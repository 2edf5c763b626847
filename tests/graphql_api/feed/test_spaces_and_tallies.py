"""Drafts only in the preview feed, whose tokens are their own; tallies on their own clock."""

from __future__ import annotations

from graphql_api.preview.tokens import PreviewSigner
from graphql_api.votes.voter import VoterSigner
from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms
from tests.support.feed_client import CONTENT_CHANGES, TALLY_CHANGES, OfflineCopy, post
from verdict.settings import DEV_SECRET_KEY, Settings

CAST = "mutation C($input: CastVoteInput!) { castVote(input: $input) { __typename } }"


async def test_drafts_only_with_a_preview_token_in_their_own_token_space(db: Settings) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.put_comparison(2, (1, 2), status="draft")
    preview = {"x-verdict-preview": PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)}
    async with api_client(db) as http:
        public, editor = OfflineCopy(first=10), OfflineCopy(headers=preview, first=10)
        await public.catch_up(http)
        await editor.catch_up(http)
        assert set(public.state().comparisons) == {"comparison-1"}
        assert set(editor.state().comparisons) == {"comparison-1", "comparison-2"}
        crossed = await post(http, CONTENT_CHANGES, {"since": public.token}, preview)
        assert crossed["contentChanges"]["__typename"] == "SyncTokenInvalid"
        crossed = await post(http, CONTENT_CHANGES, {"since": editor.token})
        assert crossed["contentChanges"]["__typename"] == "SyncTokenInvalid"
        tally_as_content = await post(http, CONTENT_CHANGES, {"since": public.tally_token})
        assert tally_as_content["contentChanges"]["__typename"] == "SyncTokenInvalid"


async def test_votes_move_tallies_not_content(db: Settings) -> None:
    cms = MemoryCms()
    for comparison in (1, 2, 3):
        await cms.put_comparison(comparison, (1, 2))
    voters = VoterSigner.from_secret(DEV_SECRET_KEY)
    async with api_client(db) as http:
        copy = OfflineCopy(first=10)
        await copy.catch_up(http)
        for tool in ("tool-1", "tool-2", "tool-2"):
            variables = {"input": {"comparisonSlug": "comparison-2", "toolSlug": tool}}
            await post(http, CAST, variables, {"x-verdict-voter": voters.issue()[1]})
        content = await post(http, CONTENT_CHANGES, {"since": copy.token})
        assert content["contentChanges"]["changes"] == []
        tallies = await post(http, TALLY_CHANGES, {"since": copy.tally_token})
        page = tallies["tallyChanges"]
        assert page["tallies"] == [
            {
                "comparisonSlug": "comparison-2",
                "sides": [
                    {"toolSlug": "tool-1", "voteCount": 1},
                    {"toolSlug": "tool-2", "voteCount": 2},
                ],
            }
        ]
