"""Ballot stuffing: an attacker tries every trick for 60 s while 200 honest browsers vote once.

Not a test. Runs a real `verdict serve` on a scratch PostgreSQL database (VERDICT_BENCH_POSTGRES_URL
or VERDICT_TEST_POSTGRES_URL) behind a reverse proxy that behaves like the shipped nginx
(X-Forwarded-For set from its peer, never appended to), all on loopback: the proxy reaches the
API from 127.0.0.2, the only trusted proxy (VERDICT_TRUSTED_PROXIES); every client binds a
loopback source address of its own, so each has a real, distinct IP.

- 200 honest voters, from 100 networks (127.20.N.0/24, two each), arrive over the run; each
  does what the demo page does (GET /voter/challenge, the proof of work if asked, POST /voter,
  castVote with the cookie it got), some with a planted invalid sibling cookie.
- The attacker, from 127.66.0.1 (and, in its second phase, from nine more addresses of its /24),
  loops for the whole run over: votes without a voter, forged and tampered tokens, a forged
  JWT with alg=none, minting through the proxy with spoofed X-Forwarded-For, minting directly
  with spoofed X-Forwarded-For (an untrusted peer), replaying a solved challenge, and voting
  with every voter it got, again and again.

Reports the attacker's counted votes (target: at most the per-network mint allowance), honest
votes lost (target: 0), and whether the tallies equal the vote rows.

    .venv/bin/python -m bench.stuffing [--seconds 60] [--pow-bits 0]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
import random
import secrets
import sys
import time
import uuid
from collections import Counter

import aiohttp
import aiohttp.web
import asyncpg
from tortoise import Tortoise

from cms_sync.directus.server import free_port
from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from devtools.pg_admin import create_database, drop_database
from graphql_api.votes.pow import solve
from graphql_api.votes.voter_settings import VoterSettings
from tests.support.servers import serve
from verdict.db import migrate, tortoise_config
from verdict.settings import PROJECT_ROOT, Settings

SLUG, HONEST_TOOL, TARGET = "code-llama-4-vs-mistral-code", "code-llama-4", "mistral-code"
CAST = (
    "mutation C($i: CastVoteInput!) { castVote(input: $i) { __typename "
    "... on VoteSuccess { myVote } } }"
)
SECRET = secrets.token_urlsafe(32)  # prod mode refuses a guessable secret
PROXY_SOURCE = "127.0.0.2"
ATTACKER = "127.66.0.1"
ATTACKER_NETWORK = [f"127.66.0.{n}" for n in range(1, 11)]
HONEST = 200
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


async def start_proxy(upstream: str) -> tuple[aiohttp.web.AppRunner, str]:
    """A reverse proxy like deploy/nginx.conf: X-Forwarded-For is the peer, set, not appended."""
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(PROXY_SOURCE, 0), limit=200),
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
    )

    async def forward(request: aiohttp.web.Request) -> aiohttp.web.StreamResponse:
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in HOP_HEADERS and k.lower() != "x-forwarded-for"
        }
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = "http"
        async with session.request(
            request.method, upstream + request.path_qs, headers=headers, data=await request.read()
        ) as answer:
            body = await answer.read()
            out = [(k, v) for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS]
        response = aiohttp.web.Response(status=answer.status, body=body)
        for k, v in out:
            response.headers.add(k, v)
        return response

    app = aiohttp.web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    app.on_cleanup.append(lambda _: session.close())
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


def client(source: str) -> aiohttp.ClientSession:
    """A client with a loopback source address of its own (its IP as the API sees it)."""
    # unsafe=True: keep cookies of an IP-addressed host, as a browser does.
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(source, 0)),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
    )


async def mint(
    http: aiohttp.ClientSession, base: str, headers: dict[str, str] | None = None
) -> tuple[int, str | None]:
    """What the page does; returns the status and the token (None when refused)."""
    async with http.get(f"{base}/voter/challenge", headers=headers) as answer:
        asked = await answer.json()
    body: dict[str, str] = {}
    if asked["proofOfWork"]:
        challenge = asked["proofOfWork"]["challenge"]
        body = {
            "challenge": challenge,
            "nonce": await asyncio.to_thread(solve, challenge, asked["proofOfWork"]["bits"]),
        }
    async with http.post(f"{base}/voter", json=body, headers=headers) as answer:
        status = answer.status
        token = answer.headers.get("x-verdict-voter")
    return status, token


async def cast(
    http: aiohttp.ClientSession, base: str, tool: str, headers: dict[str, str] | None = None
) -> str:
    variables = {
        "i": {"comparisonSlug": SLUG, "toolSlug": tool, "idempotencyKey": uuid.uuid4().hex}
    }
    async with http.post(
        f"{base}/graphql", json={"query": CAST, "variables": variables}, headers=headers
    ) as answer:
        if answer.status != 200:
            return f"HTTP {answer.status}"
        body = await answer.json()
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code", "error"))
    return str(body["data"]["castVote"]["__typename"])


def voter_id(token: str) -> str:
    return token.split(".")[1].split("~")[0]


async def honest_voter(
    n: int, proxy: str, seconds: float, outcomes: Counter[str], voters: dict[str, str]
) -> None:
    await asyncio.sleep(random.uniform(0, seconds * 0.9))
    async with client(f"127.20.{n // 2}.{n % 2 + 1}") as http:
        status, token = await mint(http, proxy)
        if token is None:
            outcomes[f"mint refused (HTTP {status})"] += 1
            return
        headers = None
        if n % 10 == 0:  # a planted, invalid sibling cookie sent first
            jar = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
            headers = {"Cookie": f"verdict_voter=v2.planted~0~minted.AAAA; {jar}"}
        result = await cast(http, proxy, HONEST_TOOL, headers)
        outcomes[result] += 1
        voters[voter_id(token)] = result


def forged_tokens(real: str | None) -> list[str]:
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = (
        base64.urlsafe_b64encode(json.dumps({"sub": "x", "exp": 2**31}).encode())
        .rstrip(b"=")
        .decode()
    )
    forged = [f"v2.{uuid.uuid4().hex}~0~jwt.AAAA", f"v1.{uuid.uuid4().hex}.AAAA", "garbage"]
    if real:
        head, payload, signature = real.split(".")
        forged.append(f"{head}.{payload[:-1]}Z.{signature}")
    forged.append(f"Bearer {none_header}.{claims}.")
    return forged


async def attacker(
    proxy: str,
    api: str,
    sources: list[str],
    deadline: float,
    tally: Counter[str],
    tokens: list[str],
) -> None:
    sessions = [client(s) for s in sources]
    try:
        for http in itertools.cycle(sessions):
            if time.monotonic() >= deadline:
                return
            spoof = {"X-Forwarded-For": f"{random.randint(1, 223)}.{random.randint(0, 255)}.0.1"}
            http.cookie_jar.clear()
            # 1. Vote with no voter at all, through the proxy and directly.
            tally["no voter: " + await cast(http, proxy, TARGET, spoof)] += 1
            tally["no voter, direct: " + await cast(http, api, TARGET, spoof)] += 1
            # 2. Forged, tampered and alg=none credentials.
            for fake in forged_tokens(tokens[-1] if tokens else None):
                header = (
                    {"Authorization": fake}
                    if fake.startswith("Bearer")
                    else {"X-Verdict-Voter": fake}
                )
                tally["forged: " + await cast(http, proxy, TARGET, {**spoof, **header})] += 1
            # 3. Mint through the proxy with a spoofed header, then directly with one.
            for base, route in ((proxy, "proxy"), (api, "direct")):
                http.cookie_jar.clear()
                status, token = await mint(http, base, spoof)
                tally[f"mint via {route}: HTTP {status}"] += 1
                if token:
                    tokens.append(token)
            # 4. Vote with every voter minted so far (moves count once; limits per voter).
            for token in tokens[-5:]:
                http.cookie_jar.clear()
                result = await cast(http, proxy, TARGET, {"X-Verdict-Voter": token, **spoof})
                tally["own voter: " + result] += 1
    finally:
        for http in sessions:
            await http.close()


async def replay_challenge(proxy: str, tally: Counter[str], tokens: list[str]) -> None:
    """With proof of work on: one solved challenge, presented again and again (from an
    eleventh address of the attacker's /24)."""
    async with client("127.66.0.11") as http:
        async with http.get(f"{proxy}/voter/challenge") as answer:
            asked = await answer.json()
        if not asked["proofOfWork"]:
            return
        challenge = asked["proofOfWork"]["challenge"]
        body = {"challenge": challenge, "nonce": solve(challenge, asked["proofOfWork"]["bits"])}
        for _ in range(20):
            http.cookie_jar.clear()
            async with http.post(f"{proxy}/voter", json=body) as answer:
                tally[f"challenge replay: HTTP {answer.status}"] += 1
                if answer.headers.get("x-verdict-voter"):
                    tokens.append(answer.headers["x-verdict-voter"])


async def run(seconds: float, pow_bits: int) -> int:
    server = os.environ.get("VERDICT_BENCH_POSTGRES_URL") or os.environ.get(
        "VERDICT_TEST_POSTGRES_URL"
    )
    if not server:
        print("set VERDICT_BENCH_POSTGRES_URL to a PostgreSQL server URL", file=sys.stderr)
        return 2
    name = f"verdict_stuffing_{uuid.uuid4().hex[:8]}"
    url = await create_database(server, name)
    try:
        await migrate(Settings(database_url=url))
        await Tortoise.init(config=tortoise_config(url))
        await SyncEngine(ExportSource(PROJECT_ROOT / "content" / "sample")).run(full=True)
        await Tortoise.close_connections()
        env = {
            "VERDICT_MODE": "dev",  # plain http on loopback: the cookie is not Secure
            "VERDICT_SECRET_KEY": SECRET,
            "VERDICT_TRUSTED_PROXIES": f"{PROXY_SOURCE}/32",
            "VERDICT_VOTER_POW_BITS": str(pow_bits),
        }
        defaults = VoterSettings()
        async with serve(url, **env) as api:
            runner, proxy = await start_proxy(api)
            try:
                honest: Counter[str] = Counter()
                honest_voters: dict[str, str] = {}
                attack: Counter[str] = Counter()
                tokens: list[str] = []
                started = time.monotonic()
                half = started + seconds / 2
                await asyncio.gather(
                    *(
                        honest_voter(n, proxy, seconds, honest, honest_voters)
                        for n in range(HONEST)
                    ),
                    attacker(proxy, api, [ATTACKER], half, attack, tokens),
                    replay_challenge(proxy, attack, tokens),
                )
                # Second phase: the attacker adds nine more addresses of its /24.
                await attacker(proxy, api, ATTACKER_NETWORK, started + seconds, attack, tokens)
                elapsed = time.monotonic() - started
            finally:
                await runner.cleanup()
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch(
                "SELECT voter_id, tool_slug FROM vote WHERE comparison_slug = $1", SLUG
            )
            tallies = dict(
                await conn.fetch(
                    "SELECT tool_slug, count FROM vote_tally WHERE comparison_slug = $1", SLUG
                )
            )
        finally:
            await conn.close()
    finally:
        await drop_database(server, name)
    votes = {str(r["voter_id"]): str(r["tool_slug"]) for r in rows}
    counted_rows = Counter(votes.values())
    exact = all(
        tallies.get(t, 0) == counted_rows.get(t, 0) for t in set(tallies) | set(counted_rows)
    )
    attacker_counted = sum(1 for v in votes if v not in honest_voters)
    honest_lost = HONEST - sum(
        1 for v, tool in votes.items() if honest_voters.get(v) and tool == HONEST_TOOL
    )
    attempts = sum(attack.values())
    print(
        f"run: {elapsed:.0f} s, proof of work {pow_bits} bits, default limits "
        f"(mint {defaults.mint_per_ip}/address, {defaults.mint_per_prefix}/network per "
        f"{defaults.mint_window_seconds} s)"
    )
    print(
        f"attacker: {attempts} attempts, {len(set(tokens))} voters minted, "
        f"{attacker_counted} votes counted (target <= {defaults.mint_per_prefix})"
    )
    for outcome, n in sorted(attack.items()):
        print(f"  {outcome}: {n}")
    print(f"honest: {HONEST} voters, {honest_lost} votes lost (target 0); outcomes {dict(honest)}")
    print(
        f"tallies {dict(tallies)} vs vote rows {dict(counted_rows)}: "
        f"{'exact' if exact else 'MISMATCH'}"
    )
    ok = exact and honest_lost == 0 and attacker_counted <= defaults.mint_per_prefix
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pow-bits", type=int, default=0)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args.seconds, args.pow_bits)))
