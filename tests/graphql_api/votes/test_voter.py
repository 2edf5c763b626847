"""Voter identity: issued on the first request, kept by cookie or header, forgeries refused."""

from __future__ import annotations

from graphql_api.votes.voter import COOKIE_NAME, VoterSigner
from tests.support.votes import CAST, LEFT, PAGE, SEED, AppFactory, cast, gql, new_voter


async def test_first_request_issues_a_secure_cookie_and_header(vote_client: AppFactory) -> None:
    http = await vote_client()
    response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=v1.")
    lowered = cookie.lower()
    assert "httponly" in lowered
    assert "secure" in lowered
    assert "samesite=lax" in lowered
    assert response.headers["x-verdict-voter"] == http.cookies[COOKIE_NAME]


async def test_browser_votes_on_its_first_request_and_keeps_its_vote(
    vote_client: AppFactory,
) -> None:
    http = await vote_client()
    variables = {"input": {"comparisonSlug": SEED, "toolSlug": LEFT}}
    first = await http.post("/graphql", json={"query": CAST, "variables": variables})
    assert first.json()["data"]["castVote"]["__typename"] == "VoteSuccess"
    assert COOKIE_NAME in http.cookies  # the jar now holds the issued cookie
    page = await http.post("/graphql", json={"query": PAGE, "variables": {"slug": SEED}})
    assert "set-cookie" not in page.headers  # no new identity once it has one
    assert page.json()["data"]["comparison"]["myVote"] == LEFT


async def test_mobile_voter_keeps_identity_by_header(vote_client: AppFactory) -> None:
    http = await vote_client()
    token = await new_voter(http)
    assert (await cast(http, token, LEFT))["myVote"] == LEFT
    page = await gql(http, PAGE, {"slug": SEED}, voter=token)
    assert page["comparison"]["myVote"] == LEFT
    stranger = await new_voter(http)
    assert (await gql(http, PAGE, {"slug": SEED}, voter=stranger))["comparison"]["myVote"] is None


async def test_forged_and_tampered_tokens_are_refused(vote_client: AppFactory) -> None:
    http = await vote_client()
    token = await new_voter(http)
    version, voter_id, signature = token.split(".")
    other_key = VoterSigner.from_secret("x" * 40).issue()[1]
    forged = [
        f"{version}.{voter_id[:-1]}{'A' if voter_id[-1] != 'A' else 'B'}.{signature}",
        f"{version}.{voter_id}.{signature[:-2]}",
        other_key,
        "not-a-token",
        f"v2.{voter_id}.{signature}",
    ]
    variables = {"input": {"comparisonSlug": SEED, "toolSlug": LEFT}}
    for bad in forged:
        response = await http.post(
            "/graphql",
            json={"query": CAST, "variables": variables},
            headers={"x-verdict-voter": bad},
        )
        assert response.status_code == 401, bad
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_VOTER_TOKEN"
    # A tampered cookie is refused too, and cleared so the browser can start over.
    http.cookies.set(COOKIE_NAME, forged[0], domain="verdict.test")
    response = await http.post("/graphql", json={"query": CAST, "variables": variables})
    assert response.status_code == 401
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]
    assert "max-age=0" in response.headers["set-cookie"].lower()
    # Nothing was counted by any of them.
    page = await gql(http, PAGE, {"slug": SEED}, voter=token)
    assert [s["voteCount"] for s in page["comparison"]["sides"]] == [0, 0]
