"""The bot-check hook against a loopback stand-in answering in siteverify's documented shape.

Turnstile and hCaptcha take a form POST (``secret``, ``response``, ``remoteip``) and answer
``{"success": bool, "error-codes": [...], "challenge_ts": ..., "hostname": ...}``. The real
providers are not reachable from tests; this stand-in checks what they would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp.web
import pytest

from graphql_api.votes.voter_settings import BotCheckSettings, VoterSettings
from tests.support.votes import LEFT, AppFactory, cast

SECRET = "0x4AAAAAAA-test-secret"
GOOD = "XXXX.DUMMY.TOKEN.XXXX"


@dataclass
class StandIn:
    url: str
    seen: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
async def siteverify() -> AsyncIterator[StandIn]:
    standin = StandIn("")

    async def verify(request: aiohttp.web.Request) -> aiohttp.web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        standin.seen.append(form)
        if form.get("secret") != SECRET:
            body = {"success": False, "error-codes": ["invalid-input-secret"]}
        elif form.get("response") != GOOD:
            body = {"success": False, "error-codes": ["invalid-input-response"]}
        else:
            body = {
                "success": True,
                "error-codes": [],
                "challenge_ts": "2026-12-04T13:00:00.000Z",
                "hostname": "verdict.test",
            }
        return aiohttp.web.json_response(body)

    app = aiohttp.web.Application()
    app.router.add_post("/siteverify", verify)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    standin.url = f"http://127.0.0.1:{port}/siteverify"
    yield standin
    await runner.cleanup()


async def test_minting_needs_the_providers_word(
    vote_client: AppFactory, siteverify: StandIn
) -> None:
    settings = VoterSettings(botcheck=BotCheckSettings(siteverify.url, SECRET))
    http = await vote_client(ip="198.51.100.8", voters=settings)
    assert (await http.get("/voter/challenge")).json()["botCheck"] is True
    missing = await http.post("/voter", json={})
    assert missing.status_code == 403
    refused = await http.post("/voter", json={"botCheckToken": "forged"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "BOT_CHECK_FAILED"
    assert "invalid-input-response" in refused.json()["error"]["message"]
    minted = await http.post("/voter", json={"botCheckToken": GOOD})
    assert minted.status_code == 201
    assert minted.json()["voterKind"] == "botcheck"
    assert siteverify.seen[-1] == {"secret": SECRET, "response": GOOD, "remoteip": "198.51.100.8"}
    assert (await cast(http, minted.json()["token"], LEFT))["__typename"] == "VoteSuccess"


async def test_an_unreachable_provider_is_a_503_not_a_crash(vote_client: AppFactory) -> None:
    settings = VoterSettings(
        botcheck=BotCheckSettings("http://127.0.0.1:9/siteverify", SECRET, timeout_seconds=2)
    )
    http = await vote_client(voters=settings)
    response = await http.post("/voter", json={"botCheckToken": GOOD})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "BOT_CHECK_FAILED"
