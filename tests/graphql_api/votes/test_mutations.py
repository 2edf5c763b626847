"""castVote and retractVote: typed results, moving votes, idempotent retries, page fields."""

from __future__ import annotations

from tests.support.votes import (
    LEFT,
    PAGE,
    RETRACT,
    RIGHT,
    SEED,
    AppFactory,
    cast,
    counts,
    gql,
    new_voter,
)
from verdict.models.content import Comparison


async def test_cast_move_and_retract_keep_totals_right(vote_client: AppFactory) -> None:
    http = await vote_client()
    a, b, c = [await new_voter(http) for _ in range(3)]
    await cast(http, a, LEFT)
    await cast(http, b, LEFT)
    result = await cast(http, c, RIGHT)
    assert counts(result) == {LEFT: 2, RIGHT: 1}
    assert result["tally"]["totalVotes"] == 3
    moved = await cast(http, b, RIGHT)
    assert moved["myVote"] == RIGHT
    assert counts(moved) == {LEFT: 1, RIGHT: 2}
    assert counts(await cast(http, b, RIGHT)) == {LEFT: 1, RIGHT: 2}  # same pick: no change
    retracted = (await gql(http, RETRACT, {"input": {"comparisonSlug": SEED}}, voter=a))[
        "retractVote"
    ]
    assert retracted["myVote"] is None
    assert counts(retracted) == {LEFT: 0, RIGHT: 2}
    assert [s["voteShare"] for s in retracted["tally"]["sides"]] == [0, 100]
    page = await gql(http, PAGE, {"slug": SEED}, voter=b)
    assert page["comparison"]["myVote"] == RIGHT
    assert [(s["voteCount"], s["voteShare"]) for s in page["comparison"]["sides"]] == [
        (0, 0),
        (2, 100),
    ]


async def test_share_is_null_without_votes(vote_client: AppFactory) -> None:
    http = await vote_client()
    page = await gql(http, PAGE, {"slug": SEED}, voter=await new_voter(http))
    assert [(s["voteCount"], s["voteShare"]) for s in page["comparison"]["sides"]] == [
        (0, None),
        (0, None),
    ]


async def test_typed_errors(vote_client: AppFactory) -> None:
    http = await vote_client()
    voter = await new_voter(http)
    missing = await cast(http, voter, LEFT, slug="no-such-comparison")
    assert missing["__typename"] == "ComparisonNotFound"
    draft = await cast(http, voter, LEFT, slug="draft-preview-example")
    assert draft["__typename"] == "ComparisonNotFound"
    wrong_tool = await cast(http, voter, "quillmate")
    assert wrong_tool["__typename"] == "ToolNotInComparison"
    assert wrong_tool["toolSlug"] == "quillmate"
    long_slug = await cast(http, voter, "x" * 5000, slug="y" * 5000, key="k" * 5000)
    assert long_slug["__typename"] == "ComparisonNotFound"
    await Comparison.filter(slug=SEED).update(voting_open=False)
    closed = await cast(http, voter, LEFT)
    assert closed["__typename"] == "VotingClosed"
    retract = await gql(http, RETRACT, {"input": {"comparisonSlug": SEED}}, voter=voter)
    assert retract["retractVote"]["__typename"] == "VotingClosed"


async def test_retry_with_same_key_returns_first_result(vote_client: AppFactory) -> None:
    http = await vote_client()
    voter, other = await new_voter(http), await new_voter(http)
    first = await cast(http, voter, LEFT, key="k-1")
    await cast(http, other, RIGHT)
    again = await cast(http, voter, LEFT, key="k-1")
    assert again == first  # the first result, not the tallies now
    assert counts(again) == {LEFT: 1, RIGHT: 0}
    reused = await cast(http, voter, RIGHT, key="k-1")
    assert reused["__typename"] == "IdempotencyKeyReused"
    page = await gql(http, PAGE, {"slug": SEED}, voter=voter)
    assert page["comparison"]["myVote"] == LEFT
    assert [s["voteCount"] for s in page["comparison"]["sides"]] == [1, 1]
    # The same key from another voter is another request.
    assert (await cast(http, other, LEFT, key="k-1"))["__typename"] == "VoteSuccess"
