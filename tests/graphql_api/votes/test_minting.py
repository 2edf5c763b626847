"""POST /voter: minting is limited per address and network, and may cost a proof of work."""

from __future__ import annotations

import time

import httpx
import pytest

from graphql_api.limits.client_ip import parse_networks
from graphql_api.votes.pow import ProofError, ProofOfWork, leading_zero_bits, solve, work
from graphql_api.votes.ratelimit import MemoryCounters
from graphql_api.votes.voter_settings import VoterSettings
from tests.support.votes import LEFT, SEED, AppFactory, cast, unique_ip
from verdict.models.votes import Vote


async def _mint(http: httpx.AsyncClient, client: str = "", **body: str) -> httpx.Response:
    http.cookies.clear()
    headers = {"x-forwarded-for": client} if client else {}
    return await http.post("/voter", json=body, headers=headers)


async def _limits_hold(vote_client: AppFactory, **settings: object) -> None:
    # Clients reach the app through a trusted proxy (127.0.0.1) that names them.
    limits = VoterSettings(
        mint_per_ip=3,
        mint_per_prefix=5,
        mint_window_seconds=60,
        trusted_proxies=parse_networks("127.0.0.1"),
    )
    base = unique_ip().rsplit(".", 1)[0]
    proxy = await vote_client(ip="127.0.0.1", voters=limits, **settings)
    answers = [await _mint(proxy, f"{base}.1") for _ in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    limited = answers[-1]
    assert limited.json()["error"]["code"] == "VOTER_MINT_LIMITED"
    assert int(limited.headers["retry-after"]) >= 1
    # A neighbour in the same /24 shares the network's allowance of 5: the first address used
    # 3 (its refused attempt does not count against the network), so 2 are left.
    statuses = [(await _mint(proxy, f"{base}.2")).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    # Another network is untouched.
    assert (await _mint(proxy, unique_ip())).status_code == 201


async def test_mint_limits_per_address_and_network(vote_client: AppFactory) -> None:
    await _limits_hold(vote_client)


async def test_mint_limits_are_shared_through_redis(
    vote_client: AppFactory, redis_url: str
) -> None:
    await _limits_hold(vote_client, redis_url=redis_url)


async def test_proof_of_work_is_required_checked_and_single_use(vote_client: AppFactory) -> None:
    http = await vote_client(voters=VoterSettings(pow_bits=8, mint_per_ip=0, mint_per_prefix=0))
    missing = await _mint(http)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "VOTER_PROOF_INVALID"
    asked = (await http.get("/voter/challenge")).json()["proofOfWork"]
    assert asked["bits"] == 8
    challenge = asked["challenge"]
    nonce = solve(challenge, 8)
    bad_nonce = next(str(n) for n in range(10_000) if work(challenge, str(n)) < 8)
    assert (await _mint(http, challenge=challenge, nonce=bad_nonce)).status_code == 400
    tampered = challenge[:-3] + ("AAA" if not challenge.endswith("AAA") else "BBB")
    assert (await _mint(http, challenge=tampered, nonce=nonce)).status_code == 400
    minted = await _mint(http, challenge=challenge, nonce=nonce)
    assert minted.status_code == 201
    assert minted.json()["voterKind"] == "pow"
    assert (await cast(http, minted.json()["token"], LEFT))["__typename"] == "VoteSuccess"
    # The vote keeps how its voter was minted, and when, for the audit.
    row = await Vote.get(comparison_slug=SEED)
    assert row.voter_kind == "pow"
    assert row.voter_minted_at is not None
    assert row.voter_minted_at.isoformat() == minted.json()["mintedAt"]
    replay = await _mint(http, challenge=challenge, nonce=nonce)
    assert replay.status_code == 400
    assert "already used" in replay.json()["error"]["message"]


async def test_stale_and_too_easy_challenges_are_refused() -> None:
    proof = ProofOfWork.from_secret("k" * 40, 4, MemoryCounters())
    old = proof.challenge(now=time.time() - 3600)
    with pytest.raises(ProofError, match="expired"):
        await proof.check(old, solve(old, 4))
    easy = ProofOfWork.from_secret("k" * 40, 1, MemoryCounters()).challenge()
    harder = ProofOfWork.from_secret("k" * 40, 12, MemoryCounters())
    with pytest.raises(ProofError, match="too easy"):
        await harder.check(easy, solve(easy, 1))


def test_leading_zero_bits() -> None:
    assert leading_zero_bits(b"\x00\x00\xff") == 16
    assert leading_zero_bits(b"\x00\x10") == 11
    assert leading_zero_bits(b"\x80") == 0


async def test_bad_bodies_are_a_clear_400(vote_client: AppFactory) -> None:
    http = await vote_client()
    for body in (b"[1]", b"{not json", b"x" * 20_000):
        response = await http.post("/voter", content=body)
        assert response.status_code == 400, body[:10]
        assert response.json()["error"]["code"] == "BAD_REQUEST"


async def test_a_spent_challenge_is_refused_by_every_replica(
    vote_client: AppFactory, redis_url: str
) -> None:
    settings = VoterSettings(pow_bits=6, mint_per_ip=0, mint_per_prefix=0)
    one = await vote_client(voters=settings, redis_url=redis_url)
    two = await vote_client(voters=settings, redis_url=redis_url)
    challenge = (await one.get("/voter/challenge")).json()["proofOfWork"]["challenge"]
    nonce = solve(challenge, 6)
    assert (await _mint(one, challenge=challenge, nonce=nonce)).status_code == 201
    replay = await _mint(two, challenge=challenge, nonce=nonce)
    assert replay.status_code == 400
    assert "already used" in replay.json()["error"]["message"]
