"""Voter identity: minted deliberately, kept by cookie or header, forgeries and plants refused."""

from __future__ import annotations

from graphql_api.votes.voter import COOKIE_NAME, DEV_COOKIE_NAME, VoterSigner
from tests.support.votes import CAST, LEFT, PAGE, SEED, AppFactory, cast, gql, new_voter
from verdict.settings import DEV_SECRET_KEY

VOTE = {"input": {"comparisonSlug": SEED, "toolSlug": LEFT}}


async def test_no_request_mints_a_voter_by_itself(vote_client: AppFactory) -> None:
    http = await vote_client()
    for _ in range(3):  # a script dropping cookies gets nothing for free
        response = await http.post("/graphql", json={"query": CAST, "variables": VOTE})
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        assert "x-verdict-voter" not in response.headers
        assert response.json()["data"]["castVote"]["__typename"] == "VoterRequired"
    retract_query = (
        f'mutation {{ retractVote(input: {{comparisonSlug: "{SEED}"}}) {{ __typename }} }}'
    )
    retract = await http.post("/graphql", json={"query": retract_query})
    assert retract.json()["data"]["retractVote"]["__typename"] == "VoterRequired"
    page = await gql(http, PAGE, {"slug": SEED})
    assert [s["voteCount"] for s in page["comparison"]["sides"]] == [0, 0]


async def test_minting_sets_a_host_prefixed_secure_cookie_and_header(
    vote_client: AppFactory,
) -> None:
    http = await vote_client()
    response = await http.post("/voter")
    assert response.status_code == 201
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=v2.")
    lowered = cookie.lower()
    assert "httponly" in lowered
    assert "secure" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert "domain" not in lowered  # __Host- forbids it
    assert response.headers["x-verdict-voter"] == http.cookies[COOKIE_NAME]
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["voterKind"] == "minted"
    # The browser votes with the cookie and keeps its vote; minting again returns the same voter.
    first = await http.post("/graphql", json={"query": CAST, "variables": VOTE})
    assert first.json()["data"]["castVote"]["__typename"] == "VoteSuccess"
    again = await http.post("/voter")
    assert again.status_code == 200
    assert "set-cookie" not in again.headers
    page = await http.post("/graphql", json={"query": PAGE, "variables": {"slug": SEED}})
    assert "set-cookie" not in page.headers
    assert page.json()["data"]["comparison"]["myVote"] == LEFT


async def test_dev_over_plain_http_keeps_identity_without_secure(
    vote_client: AppFactory,
) -> None:
    http = await vote_client(base_url="http://127.0.0.1:8000")
    response = await http.post("/voter")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{DEV_COOKIE_NAME}=v2.")
    assert "secure" not in cookie.lower()
    # A non-browser client on loopback sends it back over http and keeps its vote.
    voted = await http.post("/graphql", json={"query": CAST, "variables": VOTE})
    assert voted.json()["data"]["castVote"]["myVote"] == LEFT
    page = await http.post("/graphql", json={"query": PAGE, "variables": {"slug": SEED}})
    assert page.json()["data"]["comparison"]["myVote"] == LEFT


async def test_mobile_voter_keeps_identity_by_header(vote_client: AppFactory) -> None:
    http = await vote_client()
    token = await new_voter(http)
    assert (await cast(http, token, LEFT))["myVote"] == LEFT
    page = await gql(http, PAGE, {"slug": SEED}, voter=token)
    assert page["comparison"]["myVote"] == LEFT
    stranger = await new_voter(http)
    assert (await gql(http, PAGE, {"slug": SEED}, voter=stranger))["comparison"]["myVote"] is None


async def test_legacy_v1_tokens_still_verify(vote_client: AppFactory) -> None:
    http = await vote_client()
    legacy = VoterSigner.from_secret(DEV_SECRET_KEY).legacy.sign("an-old-voter-id")
    assert (await cast(http, legacy, LEFT))["myVote"] == LEFT


async def test_a_planted_sibling_cookie_never_displaces_a_valid_one(
    vote_client: AppFactory,
) -> None:
    http = await vote_client()
    token = await new_voter(http)
    assert (await cast(http, token, LEFT))["myVote"] == LEFT
    planted = VoterSigner.from_secret("x" * 40).issue()[1]
    for cookie in (
        f"{DEV_COOKIE_NAME}={planted}; {COOKIE_NAME}={token}",  # planted first, other name
        f"{COOKIE_NAME}=garbage; {COOKIE_NAME}={token}",  # planted first, same name
        f"{COOKIE_NAME}={token}; {DEV_COOKIE_NAME}=garbage",
    ):
        response = await http.post(
            "/graphql",
            json={"query": PAGE, "variables": {"slug": SEED}},
            headers={"cookie": cookie},
        )
        assert response.status_code == 200, cookie
        assert "set-cookie" not in response.headers, cookie  # the valid one is never cleared
        assert response.json()["data"]["comparison"]["myVote"] == LEFT, cookie
    # A valid voter of another browser planted beside ours does not win over ours either.
    other = await new_voter(http)
    response = await http.post(
        "/graphql",
        json={"query": PAGE, "variables": {"slug": SEED}},
        headers={"cookie": f"{DEV_COOKIE_NAME}={other}; {COOKIE_NAME}={token}"},
    )
    assert response.json()["data"]["comparison"]["myVote"] == LEFT


async def test_forged_and_tampered_tokens_are_refused(vote_client: AppFactory) -> None:
    http = await vote_client()
    token = await new_voter(http)
    version, payload, signature = token.split(".")
    other_key = VoterSigner.from_secret("x" * 40).issue()[1]
    forged = [
        f"{version}.{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}.{signature}",
        f"{version}.{payload}.{signature[:-2]}",
        other_key,
        "not-a-token",
        f"v9.{payload}.{signature}",
        f"v1.{payload}.{signature}",
    ]
    for bad in forged:
        response = await http.post(
            "/graphql",
            json={"query": CAST, "variables": VOTE},
            headers={"x-verdict-voter": bad},
        )
        assert response.status_code == 401, bad
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_VOTER_TOKEN"
    # A tampered cookie with no valid sibling is refused, and cleared so the browser can start over.
    http.cookies.set(COOKIE_NAME, forged[0], domain="verdict.test")
    response = await http.post("/graphql", json={"query": CAST, "variables": VOTE})
    assert response.status_code == 401
    cleared = response.headers.get_list("set-cookie")
    assert any(c.startswith(f'{COOKIE_NAME}=""') and "max-age=0" in c.lower() for c in cleared)
    # Nothing was counted by any of them.
    page = await gql(http, PAGE, {"slug": SEED}, voter=token)
    assert [s["voteCount"] for s in page["comparison"]["sides"]] == [0, 0]
