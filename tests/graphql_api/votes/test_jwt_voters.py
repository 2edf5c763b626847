"""Bring your own identity: a verified JWT's subject is the voter, on every device."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp.web
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from graphql_api.votes.jwt_voters import JwtVoters, voter_id_for
from graphql_api.votes.voter import InvalidVoterTokenError, VoterKind
from graphql_api.votes.voter_settings import JwtSettings, VoterSettings
from tests.support.votes import CAST, LEFT, PAGE, RIGHT, SEED, AppFactory
from verdict.env_values import ConfigError

ISSUER, AUDIENCE = "https://accounts.example.test/", "verdict-votes"
SECRET = "s" * 48


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-42", "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs_settings() -> JwtSettings:
    return JwtSettings(algorithms=("HS256",), issuer=ISSUER, audience=AUDIENCE, secret=SECRET)


async def _vote(http: Any, token: str, tool: str) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": CAST, "variables": {"input": {"comparisonSlug": SEED, "toolSlug": tool}}},
        headers={"authorization": f"Bearer {token}"},
    )
    return response


async def test_one_account_is_one_voter_across_devices(vote_client: AppFactory) -> None:
    settings = VoterSettings(jwt=hs_settings())
    phone, laptop = await vote_client(voters=settings), await vote_client(voters=settings)
    token = jwt.encode(claims(), SECRET, algorithm="HS256")
    first = (await _vote(phone, token, LEFT)).json()["data"]["castVote"]
    assert first["tally"]["totalVotes"] == 1
    later = jwt.encode(claims(iat=int(time.time()) + 1), SECRET, algorithm="HS256")
    moved = (await _vote(laptop, later, RIGHT)).json()["data"]["castVote"]
    assert moved["myVote"] == RIGHT
    assert moved["tally"]["totalVotes"] == 1  # moved, not counted twice
    page = await laptop.post(
        "/graphql",
        json={"query": PAGE, "variables": {"slug": SEED}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert page.json()["data"]["comparison"]["myVote"] == RIGHT


async def test_bad_tokens_are_refused(vote_client: AppFactory) -> None:
    http = await vote_client(voters=VoterSettings(jwt=hs_settings()))
    good = jwt.encode(claims(), SECRET, algorithm="HS256")
    header, payload, signature = good.split(".")
    # PyJWT types the key as required; "none" tokens are made without one.
    unsigned = jwt.encode(claims(), None, algorithm="none")  # type: ignore[arg-type]
    bad = {
        "expired": jwt.encode(claims(exp=int(time.time()) - 120), SECRET, algorithm="HS256"),
        "wrong audience": jwt.encode(claims(aud="someone-else"), SECRET, algorithm="HS256"),
        "wrong issuer": jwt.encode(claims(iss="https://evil.test/"), SECRET, algorithm="HS256"),
        "alg none": unsigned,
        "tampered": f"{header}.{payload}.{signature[:-4]}AAAA",
        "other key": jwt.encode(claims(), "o" * 48, algorithm="HS256"),
        "no sub": jwt.encode(claims(sub=None), SECRET, algorithm="HS256"),
        "no exp": jwt.encode(claims(exp=None), SECRET, algorithm="HS256"),
        "garbage": "a.b.c",
    }
    for name, token in bad.items():
        response = await _vote(http, token, LEFT)
        assert response.status_code == 401, name
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_VOTER_TOKEN", name
    # Within the leeway an expired token still passes.
    late = jwt.encode(claims(exp=int(time.time()) - 5), SECRET, algorithm="HS256")
    assert (await _vote(http, late, LEFT)).status_code == 200


def _jwks(*keys: tuple[str, Any]) -> str:
    listed = []
    for kid, key in keys:
        algorithm = RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm
        jwk = json.loads(algorithm.to_jwk(key.public_key()))
        listed.append({**jwk, "kid": kid})
    return json.dumps({"keys": listed})


async def test_jwks_file_rotation(tmp_path: Path) -> None:
    old, new = rsa.generate_private_key(65537, 2048), rsa.generate_private_key(65537, 2048)
    keys = tmp_path / "jwks.json"
    keys.write_text(_jwks(("old", old)))
    voters = JwtVoters(
        JwtSettings(algorithms=("RS256",), issuer=ISSUER, audience=AUDIENCE, jwks=str(keys))
    )
    by_old = jwt.encode(claims(), old, algorithm="RS256", headers={"kid": "old"})
    voter = await voters.identify(by_old)
    assert voter.kind is VoterKind.JWT
    assert voter.id == voter_id_for(ISSUER, "user-42")
    by_new = jwt.encode(claims(), new, algorithm="RS256", headers={"kid": "new"})
    with pytest.raises(InvalidVoterTokenError):
        await voters.identify(by_new)
    keys.write_text(_jwks(("new", new)))  # rotated: the old key is withdrawn
    assert (await voters.identify(by_new)).id == voter.id
    with pytest.raises(InvalidVoterTokenError):
        await voters.identify(by_old)
    # An HS256 token "signed" with the public key is not an RS256 token.
    forged = jwt.encode(claims(), "x" * 48, algorithm="HS256", headers={"kid": "new"})
    with pytest.raises(InvalidVoterTokenError):
        await voters.identify(forged)


@pytest.fixture
async def jwks_server() -> AsyncIterator[tuple[str, dict[str, str]]]:
    served = {"body": "{}"}

    async def keys(_: aiohttp.web.Request) -> aiohttp.web.Response:
        return aiohttp.web.Response(text=served["body"], content_type="application/json")

    app = aiohttp.web.Application()
    app.router.add_get("/.well-known/jwks.json", keys)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/.well-known/jwks.json", served
    await runner.cleanup()


async def test_jwks_url_rotation(jwks_server: tuple[str, dict[str, str]]) -> None:
    url, served = jwks_server
    first, second = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    served["body"] = _jwks(("k1", first))
    voters = JwtVoters(
        JwtSettings(algorithms=("ES256",), issuer=ISSUER, audience=AUDIENCE, jwks=url),
        jwks_cooldown_seconds=0,
    )
    token = jwt.encode(claims(), first, algorithm="ES256", headers={"kid": "k1"})
    assert (await voters.identify(token)).kind is VoterKind.JWT
    served["body"] = _jwks(("k1", first), ("k2", second))
    rotated = jwt.encode(claims(sub="user-7"), second, algorithm="ES256", headers={"kid": "k2"})
    assert (await voters.identify(rotated)).id == voter_id_for(ISSUER, "user-7")


def test_settings_refuse_unsafe_configurations(tmp_path: Path) -> None:
    base = {"VERDICT_VOTER_JWT_ISSUER": ISSUER, "VERDICT_VOTER_JWT_AUDIENCE": AUDIENCE}
    for env in (
        {**base, "VERDICT_VOTER_JWT_ALGORITHMS": "none"},
        {**base, "VERDICT_VOTER_JWT_ALGORITHMS": "HS256", "VERDICT_VOTER_JWT_SECRET": "short"},
        {**base, "VERDICT_VOTER_JWT_ALGORITHMS": "HS256,RS256", "VERDICT_VOTER_JWT_SECRET": SECRET},
        {**base, "VERDICT_VOTER_JWT_ALGORITHMS": "RS256"},
        {"VERDICT_VOTER_JWT_ALGORITHMS": "HS256", "VERDICT_VOTER_JWT_SECRET": SECRET},
    ):
        with pytest.raises(ConfigError):
            JwtSettings.from_env(env)
    keys = tmp_path / "k.json"
    keys.write_text("{}")
    parsed = JwtSettings.from_env(
        {**base, "VERDICT_VOTER_JWT_ALGORITHMS": "RS256", "VERDICT_VOTER_JWT_JWKS": str(keys)}
    )
    assert parsed is not None
    assert parsed.jwks == str(keys)
    assert JwtSettings.from_env({}) is None
