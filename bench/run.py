"""The benchmark harness (not a test): ``scripts/bench`` or ``python -m bench.run``.

For each dataset size it builds a fresh PostgreSQL database (``verdict migrate`` + COPY), starts
``verdict serve`` as in production, and drives it with wrk at 32 connections after a warm-up:
the comparison page over POST (uncached, slug varied per request), the same query as an APQ
persisted GET (cached), a 20-item listing and castVote (a fresh voter per request). In the same
run it measures the ceilings (``bench.ceiling``: the same page and the same listing from a plain
Starlette handler, the same handlers on the API's compiled statements, and a static in-memory
JSON response) on the same server, in alternating rounds with the page and the listing, and
once, on the smallest size, the
same page from Directus's own GraphQL API. It records the API's peak RSS under load and the SQL
statements per request, and profiles the uncached page with py-spy. Once every size has had its
pass, it starts one API per size (the databases are kept until then) and measures the listing
and the page at every size in alternating rounds, for the flatness targets. It writes
``bench/results/<date>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import redis

from bench import dataset, probes, report, servers, wrk
from bench import profile as profiler
from cms_sync.directus.server import free_port
from devtools import pg_admin
from graphql_api.votes.voter import VoterSigner
from tests.support.queries import COMPARISON_LISTING, COMPARISON_PAGE
from verdict_cli.serving import SERVERS

MARKER = "VARYING-LINE"
SECRET = secrets.token_urlsafe(32)  # prod mode refuses a guessable secret
RESULTS = Path(__file__).resolve().parent / "results"
CAST = (
    "mutation Cast($i: CastVoteInput!) { castVote(input: $i) { __typename "
    "... on VoteSuccess { tally { totalVotes } } } }"
)


def _post_body(query: str, variable: str) -> tuple[str, str]:
    """Prefix and suffix of a JSON body whose ``variable`` string is the varying line."""
    body = json.dumps({"query": query, "variables": {variable: MARKER}})
    prefix, _, suffix = body.partition(MARKER)
    return prefix, suffix


def _load_lines(slugs: list[str], count: int = 5000) -> list[str]:
    rng = random.Random(11)
    return [rng.choice(slugs) for _ in range(count)]


async def _create_database(server_url: str, size: int) -> str:
    return await pg_admin.create_database(
        server_url, f"verdict_bench_{size}_{uuid.uuid4().hex[:6]}"
    )


async def _drop_database(server_url: str, url: str) -> None:
    await pg_admin.drop_database(server_url, url.rpartition("/")[2])


async def _count_votes(url: str) -> int:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return int(await conn.fetchval("SELECT COUNT(*) FROM vote"))
    finally:
        await conn.close()


def _measure(
    base: str, name: str, load: wrk.Load, args: argparse.Namespace, path: str = "/graphql"
) -> dict[str, Any]:
    result = wrk.run(base + path, load, args.seconds, warmup=args.warmup)
    print(
        f"  {name}: {result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms"
        + (f", {result.non_2xx} non-2xx" if result.non_2xx else "")
        + (f", {result.errors} socket errors" if result.errors else "")
        + (f", {result.graphql_errors} GraphQL error bodies" if result.graphql_errors else "")
        + (f", {result.edge_hit_ratio:.1%} edge cache hits" if result.edge_hits else ""),
        flush=True,
    )
    return result.as_dict()


async def measure_size(
    size: int, args: argparse.Namespace, profile: bool
) -> tuple[dict[str, Any], str, dataset.Dataset]:
    """This size's figures, and its database (left for the flatness rounds) and dataset."""
    print(f"== {size:,} comparisons", flush=True)
    out: dict[str, Any] = {"comparisons": size, "load_at_start": _load_average()}
    data = dataset.build(size)
    url = await _create_database(args.postgres, size)
    try:
        await asyncio.to_thread(dataset.migrate, url)
        out["copy_seconds"] = round(await dataset.load_postgres(url, data), 2)
        out["rows"] = {
            "tools": len(data.tools),
            "reviewers": len(data.reviewers),
            "reviews": len(data.reviews),
            "comparison_sides": len(data.sides),
            "vote_tallies": len(data.tallies),
        }
        print(f"  dataset: {out['rows']} copied in {out['copy_seconds']} s", flush=True)
        slug = data.slugs[len(data.slugs) // 2]
        out["sql_queries"] = await probes.sql_and_parity(url, slug)
        print(f"  SQL statements per request: {out['sql_queries']}", flush=True)
        out["listing_plans"] = await probes.listing_plans(url)
        print(f"  the listing's statement on PostgreSQL: {out['listing_plans']}", flush=True)
        out["measurements"] = await asyncio.to_thread(_measure_servers, url, data, args, profile)
        out["votes_recorded"] = await _count_votes(url)
    except BaseException:
        if not args.keep:
            await _drop_database(args.postgres, url)
        raise
    return out, url, data


def _empty_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _server_env(url: str, data: dataset.Dataset, args: argparse.Namespace) -> dict[str, str]:
    """The environment the API and the ceiling are served with, on database ``url``."""
    return {
        "DATABASE_URL": url,
        "VERDICT_MODE": "prod",
        "VERDICT_SECRET_KEY": SECRET,
        "VERDICT_VOTE_LIMIT_PER_VOTER": "0",
        "VERDICT_VOTE_LIMIT_PER_IP": "0",
        "VERDICT_BENCH_STATIC_SLUG": data.slugs[0],
        # As in production with several workers: APQ registrations, the response cache, rate
        # limits and vote events are shared through Redis (a database of the bench's own).
        "REDIS_URL": args.redis,
    }


def _page_load(lines: list[str], reader: dict[str, str]) -> wrk.Load:
    """The comparison page over POST, one slug of ``lines`` per request."""
    prefix, suffix = _post_body(COMPARISON_PAGE, "slug")
    return wrk.Load("post", lines, prefix, suffix, reader)


def _listing_load(reader: dict[str, str]) -> wrk.Load:
    """The 20 newest comparisons over POST."""
    prefix, suffix = _post_body(COMPARISON_LISTING, "orderBy")
    return wrk.Load("post", ["NEWEST"], prefix, suffix, reader)


def _reader() -> dict[str, str]:
    """The headers of a returning visitor (a signed voter token)."""
    return {"X-Verdict-Voter": VoterSigner.from_secret(SECRET).issue()[1]}


def _measure_servers(
    url: str, data: dataset.Dataset, args: argparse.Namespace, profile: bool
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    lines = _load_lines(data.slugs)
    signer = VoterSigner.from_secret(SECRET)
    reader = _reader()
    env = _server_env(url, data, args)
    _empty_redis(args.redis)
    port, ceiling_port = free_port(), free_port()
    while ceiling_port == port:
        ceiling_port = free_port()
    command = servers.api_command(port, args.server, args.workers)
    ceiling_command = servers.ceiling_command(ceiling_port, args.server, args.workers)
    with (
        servers.start(command, env, port, "/healthz") as api,
        servers.start(ceiling_command, env, ceiling_port, "/static") as ceiling,
    ):
        sampler = servers.RssSampler(api)
        with sampler.running():
            listing = _listing_load(reader)
            # The page, the listing and their no-GraphQL ceilings in alternating rounds, both
            # servers up (the idle one costs nothing), so the machine's drift during a run
            # weighs on all alike; each figure is its median round.
            loads: dict[str, tuple[str, str, wrk.Load]] = {
                "page_post": (api.base, "comparison page, POST", _page_load(lines, reader)),
                "ceiling_page": (
                    ceiling.base,
                    "no-GraphQL ceiling",
                    wrk.Load("get", lines, "/page/", "", None),
                ),
                "ceiling_statements": (
                    ceiling.base,
                    "same handler, compiled statements",
                    wrk.Load("get", lines, "/page-statements/", "", None),
                ),
                "listing": (api.base, "listing (20)", listing),
                "ceiling_listing": (
                    ceiling.base,
                    "listing, no-GraphQL ceiling",
                    wrk.Load("get", ["listing"], "/", "", None),
                ),
                "ceiling_listing_statements": (
                    ceiling.base,
                    "listing, same handler on compiled statements",
                    wrk.Load("get", ["listing-statements"], "/", "", None),
                ),
            }
            rounds: dict[str, list[dict[str, Any]]] = {key: [] for key in loads}
            for number in range(1, args.rounds + 1):
                for key, (base, name, load) in loads.items():
                    where = "/graphql" if base == api.base else ""  # the ceilings: full paths
                    rounds[key].append(_measure(base, f"{name} ({number})", load, args, where))
            for key, measured in rounds.items():
                results[key] = _median_round(measured)
            page = loads["page_post"][2]
            unsupported = probes.persisted_get_support(api.base, data.slugs[0], reader)
            if unsupported is None:
                path = probes.apq_url("", COMPARISON_PAGE, {"slug": MARKER}, with_query=False)
                before, _, after = path.partition(MARKER)
                load = wrk.Load("get", lines, before, after, reader)
                # "Cached": every distinct URL answered once by every worker first.
                spent, ratio = wrk.prime(api.base, load, target=0.99, step=2, limit=90)
                print(f"  edge cache primed in {spent:g} s ({ratio:.1%} hits)", flush=True)
                results["page_persisted_get"] = _measure(
                    api.base, "comparison page, persisted GET", load, args, path=""
                )
                results["page_persisted_get"]["primed_seconds"] = spent
            else:
                results["page_persisted_get"] = {"unavailable": unsupported}
                print(f"  persisted GET unavailable: {unsupported}", flush=True)
            sides = data.side_tool_slugs()
            rng = random.Random(5)
            votes = []
            slugs = data.slugs  # built per call: once, not per vote (40,000 x 100,000 at 100k)
            for _ in range(args.votes):
                comparison = rng.choice(slugs)
                votes.append(f"{signer.issue()[1]} {comparison} {rng.choice(sides[comparison])}")
            vote_prefix = json.dumps({"query": CAST})[:-1] + ', "variables": {"i": '
            cast = wrk.Load("vote", votes, vote_prefix)
            results["cast_vote"] = _measure(api.base, "castVote", cast, args)
        results["rss"] = sampler.summary()
        print(f"  API RSS under load: {results['rss']}", flush=True)
        static = wrk.Load("get", ["static"], "/", "", None)
        results["static"] = _measure(ceiling.base, "HTTP ceiling (static)", static, args, "")
        if profile:
            results["profile"] = _profile(api, page, args)
            results["profile_listing"] = _profile(api, listing, args)
    results["cpu"] = _cpu(url)
    return results


def _cpu(url: str) -> dict[str, Any]:
    """``bench.cpu`` on this size's database (its own process: it answers from memory): the
    Python each request costs, page and listing and their ceilings, fastest blocks."""
    command = [sys.executable, "-m", "bench.cpu", "--database", url, "--blocks", "12", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        return {"unavailable": done.stderr[-500:]}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    best: dict[str, Any] = figures["best_us"]
    print(f"  Python CPU per request (bench.cpu, µs): {best}", flush=True)
    return {**best, "median_us": figures["median_us"]}


def _measure_flatness(
    databases: list[tuple[int, str, dataset.Dataset]], args: argparse.Namespace
) -> dict[str, Any]:
    """The listing and the uncached page at every size, in alternating rounds with one API per
    size up at once, so the machine's drift weighs on every size alike (each size's own pass
    above is minutes apart from the next). Per size and load: the median round, and every
    round's req/s."""
    print("== flatness: every size in alternating rounds", flush=True)
    reader = _reader()
    with contextlib.ExitStack() as stack:
        apis = []
        for size, url, data in databases:
            port = free_port()
            command = servers.api_command(port, args.server, args.workers)
            env = _server_env(url, data, args)
            api = stack.enter_context(servers.start(command, env, port, "/healthz"))
            loads = {
                "listing": _listing_load(reader),
                "page_post": _page_load(_load_lines(data.slugs), reader),
            }
            apis.append((size, api, loads))
        rounds: dict[int, dict[str, list[dict[str, Any]]]] = {
            size: {"listing": [], "page_post": []} for size, _api, _loads in apis
        }
        for number in range(1, args.rounds + 1):
            for size, api, loads in apis:
                for key, load in loads.items():
                    rounds[size][key].append(
                        _measure(api.base, f"{key} at {size:,} ({number})", load, args)
                    )
    return {
        str(size): {key: _median_round(measured) for key, measured in by_key.items()}
        for size, by_key in rounds.items()
    }


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median throughput (its own p50 and p99), with every round's req/s."""
    ordered = sorted(rounds, key=lambda r: float(r["requests_per_second"]))
    median = dict(ordered[len(ordered) // 2])
    median["rounds_requests_per_second"] = [r["requests_per_second"] for r in rounds]
    return median


def _profile(api: servers.Server, page: wrk.Load, args: argparse.Namespace) -> dict[str, Any]:
    """py-spy over the API's processes while wrk drives the uncached comparison page."""
    RESULTS.mkdir(exist_ok=True)
    raw_path = Path(tempfile.gettempdir()) / f"verdict-profile-{uuid.uuid4().hex[:6]}.txt"
    import threading

    holder: dict[str, str | None] = {}
    thread = threading.Thread(
        target=lambda: holder.update(raw=profiler.record(api.process.pid, 8, raw_path))
    )
    thread.start()
    wrk.run(api.base + "/graphql", page, 10)
    thread.join()
    raw = holder.get("raw")
    if not raw:
        return {"unavailable": "py-spy could not sample the API process"}
    return {
        "by_component": profiler.summarise(raw),
        "inclusive": {
            "strawberry + graphql-core on the stack": profiler.inclusive(
                raw, lambda f: "/graphql/" in f or "/strawberry/" in f
            ),
            "Tortoise (incl. pypika, asyncpg) on the stack": profiler.inclusive(
                raw, lambda f: "/tortoise/" in f
            ),
            "asyncpg on the stack": profiler.inclusive(raw, lambda f: "/asyncpg/" in f),
            "graphql-core validation": profiler.inclusive(
                raw, lambda f: "/graphql/validation/" in f
            ),
            "graphql-core parsing": profiler.inclusive(
                raw, lambda f: "/graphql/language/parser" in f or "/graphql/language/lexer" in f
            ),
            "JSON encoding": profiler.inclusive(raw, lambda f: "encode_json" in f or "orjson" in f),
        },
        "raw_file": str(raw_path),
    }


async def measure_directus(size: int, args: argparse.Namespace) -> dict[str, Any]:
    from bench import directus

    print(f"== Directus GraphQL, {size:,} comparisons", flush=True)
    data = dataset.build(size)
    try:
        async with directus.running(data, args.postgres) as (server, load_seconds):
            print(f"  loaded through the REST API in {load_seconds:.1f} s", flush=True)
            await directus.page(server, data.slugs[len(data.slugs) // 2])
            prefix, suffix = _post_body(directus.PAGE_QUERY, "slug")
            headers = {"Authorization": f"Bearer {server.admin_token}"}
            load = wrk.Load("post", _load_lines(data.slugs), prefix, suffix, headers)
            result = await asyncio.to_thread(
                _measure, server.url, "Directus GraphQL page", load, args
            )
            return {"comparisons": size, "load_seconds": round(load_seconds, 1), **result}
    except Exception as exc:  # a failed Directus leaves the rest of the run standing
        print(f"  Directus measurement failed: {exc}", file=sys.stderr, flush=True)
        return {"comparisons": size, "unavailable": str(exc)[:500]}


def _load_average() -> list[float]:
    """The machine's load average over 1, 5 and 15 minutes (other work shares the CPUs)."""
    return [round(value, 2) for value in os.getloadavg()]


async def main(args: argparse.Namespace) -> int:
    wrk.ensure_wrk()
    started = dt.datetime.now(dt.UTC)
    sizes = [int(s) for s in args.sizes.split(",")]
    run: dict[str, Any] = {
        "date": started.date().isoformat(),
        "started_at": started.isoformat(timespec="seconds"),
        "server": args.server,
        "workers": args.workers,
        "connections": wrk.CONNECTIONS,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "cpus": os.cpu_count(),
        "load_at_start": _load_average(),
        "sizes": [],
    }
    profile_size = sizes[min(1, len(sizes) - 1)]
    databases: list[tuple[int, str, dataset.Dataset]] = []
    try:
        for size in sizes:
            figures, url, data = await measure_size(size, args, profile=size == profile_size)
            figures["load_at_end"] = _load_average()
            run["sizes"].append(figures)
            databases.append((size, url, data))
        if len(databases) > 1:
            run["flatness"] = await asyncio.to_thread(_measure_flatness, databases, args)
    finally:
        if not args.keep:
            for _size, url, _data in databases:
                await _drop_database(args.postgres, url)
    run["directus"] = await measure_directus(min(sizes), args) if not args.skip_directus else None
    run["load_at_end"] = _load_average()
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / (args.name or run["date"])
    stem.with_suffix(".json").write_text(json.dumps(run, indent=2) + "\n")
    table = report.markdown(run)
    stem.with_suffix(".md").write_text(table)
    print(table)
    print(f"written: {stem.with_suffix('.json')} and {stem.with_suffix('.md')}")
    return 0


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VERDICT_BENCH_POSTGRES_URL")
        or os.environ.get("VERDICT_TEST_POSTGRES_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server URL whose user may create databases",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("VERDICT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        help="a Redis database the API may use and the bench empties (default db 9)",
    )
    parser.add_argument("--server", choices=SERVERS, default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10, help="per measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds of the page and its ceiling"
    )
    parser.add_argument("--warmup", type=float, default=3, help="warm-up before each")
    parser.add_argument("--votes", type=int, default=40_000, help="distinct voters minted")
    parser.add_argument("--skip-directus", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--name", help="results file stem (default: the date)")
    sys.exit(asyncio.run(main(parser.parse_args())))


if __name__ == "__main__":
    cli()
