"""The markdown summary of a run: every figure with its ratios, and issues 7 and 22's targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LABELS = {
    "page_post": "comparison page, uncached POST",
    "page_persisted_get": "comparison page, cached persisted GET",
    "listing": "listing, 20 comparisons",
    "cast_vote": "castVote",
    "ceiling_page": "no-GraphQL ceiling (Starlette + Tortoise)",
    "ceiling_statements": "same handler on the API's compiled statements (not a target)",
    "ceiling_listing": "listing's no-GraphQL ceiling (Starlette + Tortoise)",
    "ceiling_listing_statements": "listing's handler on the API's compiled statements",
    "static": "HTTP ceiling (static JSON)",
}
LISTING_KEYS = ("listing", "ceiling_listing", "ceiling_listing_statements")
"""Rows whose "vs no-GraphQL ceiling" is the listing's own ceiling (when the run has one)."""


def _failed(figures: dict[str, Any]) -> str | None:
    """Why a measurement does not count: answers that were errors are not throughput."""
    bad = figures.get("graphql_errors", 0) + figures.get("non_2xx", 0)
    if bad:
        return f"{bad:,} of {figures.get('requests', 0):,} answers were errors"
    return None


def _rps(figures: dict[str, Any] | None) -> float | None:
    if not figures or "requests_per_second" not in figures or _failed(figures):
        return None
    value: float = figures["requests_per_second"]
    return value


def _ratio(a: float | None, b: float | None) -> str:
    return f"{100 * a / b:.0f}%" if a and b else "n/a"


def _directus_rps(run: dict[str, Any]) -> float | None:
    return _rps(run.get("directus"))


def _size_rows(size: dict[str, Any], directus: float | None, same_size: bool) -> list[str]:
    m = size["measurements"]
    page_ceiling, static = _rps(m["ceiling_page"]), _rps(m["static"])
    listing_ceiling = _rps(m.get("ceiling_listing"))
    rows = []
    for key, label in LABELS.items():
        if key not in m:
            continue  # a run from before this measurement existed
        figures = m[key] or {}
        rps = _rps(figures)
        ceiling = page_ceiling
        if key in LISTING_KEYS and "ceiling_listing" in m:
            ceiling = listing_ceiling
        if rps is None:
            reason = _failed(figures) or figures.get("unavailable", "not measured")
            rows.append(f"| {label} | unavailable: {reason[:90]} | | | | | |")
            continue
        vs_directus = f"{rps / directus:.1f}x" if directus and same_size else ""
        rows.append(
            f"| {label} | {rps:,.0f} | {figures['p50_ms']:.2f} | {figures['p99_ms']:.2f} | "
            f"{_ratio(rps, ceiling)} | {_ratio(rps, static)} | {vs_directus} |"
        )
    return rows


def _shares(page: list[float], other: list[float]) -> str:
    """``page / other`` per round, as percentages."""
    return ", ".join(f"{100 * a / b:.0f}%" for a, b in zip(page, other, strict=True) if b)


def _each(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values)


def _rounds(m: dict[str, Any]) -> list[str]:
    """The alternating rounds of the page and its ceiling (each row above is the median)."""
    page = m["page_post"].get("rounds_requests_per_second")
    ceiling = m["ceiling_page"].get("rounds_requests_per_second")
    if not page or not ceiling:
        return []
    lines = [
        f"Uncached page and no-GraphQL ceiling in {len(page)} alternating rounds (the rows above "
        f"are the median rounds): page {_each(page)} req/s, ceiling {_each(ceiling)} req/s; "
        f"page / ceiling per round: {_shares(page, ceiling)}.",
        "",
    ]
    same = (m.get("ceiling_statements") or {}).get("rounds_requests_per_second")
    if same:
        lines += [
            "The API builds its SQL once per query shape (`verdict.statements`) where a plain "
            "handler has Tortoise build it per request; the same handler on those compiled "
            f"statements answered {_each(same)} req/s, so what GraphQL itself costs shows as "
            f"page / that handler per round: {_shares(page, same)}.",
            "",
        ]
    listing = (m.get("listing") or {}).get("rounds_requests_per_second")
    own = (m.get("ceiling_listing") or {}).get("rounds_requests_per_second")
    on_statements = (m.get("ceiling_listing_statements") or {}).get("rounds_requests_per_second")
    if listing and own and on_statements:
        lines += [
            f"The listing in the same rounds: listing {_each(listing)} req/s, its no-GraphQL "
            f"ceiling {_each(own)} req/s, the same handler on compiled statements "
            f"{_each(on_statements)} req/s; listing / ceiling per round: {_shares(listing, own)}; "
            f"listing / handler on statements: {_shares(listing, on_statements)}; listing / page: "
            f"{_shares(listing, page)}.",
            "",
        ]
    cpu = m.get("cpu")
    if cpu and "listing" in cpu:
        lines += [
            "Python CPU per request in process (`bench.cpu`, fastest blocks): page "
            f"{cpu['page']:.0f} µs (its ceiling {cpu['ceiling']:.0f}, on statements "
            f"{cpu['statements']:.0f}); listing {cpu['listing']:.0f} µs (its ceiling "
            f"{cpu['listing ceiling']:.0f}, on statements {cpu['listing statements']:.0f}); "
            f"listing / page {cpu['listing'] / cpu['page']:.2f}.",
            "",
        ]
    if cpu and "listing, votes moving" in cpu:
        lines += [
            "With a new vote in every answer of the listing's statement (nothing built from the "
            f"last answer used again): listing {cpu['listing, votes moving']:.0f} µs, on "
            f"statements {cpu['listing statements, votes moving']:.0f} µs.",
            "",
        ]
    return lines


def _targets(run: dict[str, Any]) -> list[str]:
    sizes = run["sizes"]
    rows = ["| target | measured | holds |", "|---|---|---|"]

    def add(name: str, measured: str, holds: bool | None) -> None:
        mark = "n/a" if holds is None else ("yes" if holds else "**no**")
        rows.append(f"| {name} | {measured} | {mark} |")

    for size in sizes:
        m, n = size["measurements"], size["comparisons"]
        page, ceiling = _rps(m["page_post"]), _rps(m["ceiling_page"])
        share = page / ceiling if page and ceiling else None
        add(
            f"uncached POST ≥ 80% of no-GraphQL ceiling ({n:,})",
            f"{100 * share:.0f}%" if share else "n/a",
            share >= 0.8 if share else None,
        )
    for size in sizes:
        m, n = size["measurements"], size["comparisons"]
        get = m.get("page_persisted_get") or {}
        cached, static = _rps(get), _rps(m["static"])
        share = cached / static if cached and static else None
        hits = (
            f" ({100 * get['edge_hits'] / get['requests']:.1f}% edge cache hits, "
            f"primed {get.get('primed_seconds', 0):g} s)"
            if get.get("requests") and "edge_hits" in get
            else ""
        )
        add(
            f"cached persisted GET ≥ 30% of HTTP ceiling ({n:,})",
            f"{100 * share:.0f}%{hits}" if share else "unavailable (see its row)",
            share >= 0.3 if share else None,
        )
    directus = run.get("directus") or {}
    d_rps = _rps(directus)
    same = next((s for s in sizes if s["comparisons"] == directus.get("comparisons")), None)
    page = _rps(same["measurements"]["page_post"]) if same else None
    add(
        f"uncached ≥ 3x Directus GraphQL ({directus.get('comparisons', 0):,})",
        f"{page / d_rps:.1f}x" if page and d_rps else "n/a",
        page / d_rps >= 3 if page and d_rps else None,
    )
    first, last = sizes[0], sizes[-1]
    flatness = run.get("flatness") or {}
    for key, label in (("page_post", "comparison page"), ("listing", "listing")):
        small = flatness.get(str(first["comparisons"]), {}).get(key)
        large = flatness.get(str(last["comparisons"]), {}).get(key)
        how = " (alternating rounds)"
        if not (small and large):  # a run without the flatness rounds: the per-size passes
            small, large = first["measurements"][key], last["measurements"][key]
            how = ""
        a, b = _rps(small), _rps(large)
        rise = a / b - 1 if a and b else None
        add(
            f"{label} per-request cost rise {first['comparisons']:,} → "
            f"{last['comparisons']:,} ≤ 20%",
            f"{100 * rise:+.0f}%{how}" if rise is not None else "n/a",
            rise <= 0.2 if rise is not None else None,
        )
    worst_sql = max(s["sql_queries"]["comparison_page"] for s in sizes)
    add("SQL queries per uncached comparison page ≤ 3", str(worst_sql), worst_sql <= 3)
    _listing_targets(sizes, add)
    worst_rss = max(s["measurements"]["rss"]["max_process_mb"] for s in sizes)
    add("API process RSS under load < 250 MB", f"{worst_rss:.0f} MB", worst_rss < 250)
    return rows


def _listing_targets(
    sizes: list[dict[str, Any]], add: Callable[[str, str, bool | None], None]
) -> None:
    """Issue 22's targets for the listing, each added through ``add``."""
    for size in sizes:
        m, n = size["measurements"], size["comparisons"]
        if "ceiling_listing" not in m:
            return  # a run from before the listing had a ceiling
        listing = _rps(m["listing"])
        for key, floor, name in (
            ("ceiling_listing", 1.5, "listing ≥ 150% of its no-GraphQL ceiling"),
            ("ceiling_listing_statements", 0.6, "listing ≥ 60% of its handler on statements"),
            ("page_post", 0.6, "listing req/s ÷ page req/s ≥ 0.6"),
        ):
            other = _rps(m[key])
            share = listing / other if listing and other else None
            shown = (
                (f"{share:.2f}" if key == "page_post" else f"{100 * share:.0f}%") if share else ""
            )
            add(f"{name} ({n:,})", shown or "n/a", share >= floor if share else None)
    worst = max(s["sql_queries"]["listing"] for s in sizes)
    add("SQL statements per listing ≤ 3", str(worst), worst <= 3)


def _flatness(run: dict[str, Any]) -> list[str]:
    """The listing and the page at every size, measured in alternating rounds."""
    flatness = run.get("flatness")
    if not flatness:
        return []
    lines = [
        "## Flatness: every size in alternating rounds",
        "",
        "One API per size, all up at once; each round measures the listing and the uncached "
        "page at every size in turn, so drift during the run weighs on every size alike. The "
        "flatness targets use these figures (the median round).",
        "",
        "| comparisons | listing req/s (median) | listing rounds | page req/s (median) | "
        "page rounds |",
        "|---|---|---|---|---|",
    ]
    for size, by_key in flatness.items():
        cells = []
        for key in ("listing", "page_post"):
            figures = by_key.get(key) or {}
            rps = _rps(figures)
            each = ", ".join(f"{v:,.0f}" for v in figures.get("rounds_requests_per_second", []))
            cells += [f"{rps:,.0f}" if rps else "n/a", each]
        lines.append(f"| {int(size):,} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _load(figures: list[float] | None) -> str:
    return " / ".join(f"{value:.2f}" for value in figures) if figures else "n/a"


def markdown(run: dict[str, Any]) -> str:
    directus = _directus_rps(run)
    d_size = (run.get("directus") or {}).get("comparisons")
    lines = [
        f"# Benchmark {run['date']}",
        "",
        f"`python -m bench.run`: PostgreSQL, `verdict serve --server {run['server']} --workers "
        f"{run['workers']}` (VERDICT_MODE=prod), wrk over loopback, {run['connections']} "
        f"connections, {run['warmup']:g} s warm-up then {run['seconds']:g} s per figure, "
        f"{run['cpus']} CPUs shared with PostgreSQL and wrk. Ratios hold within one run; "
        "absolute figures vary between runs.",
        "",
    ]
    if "load_at_start" in run:
        lines += [
            "Load average of the machine (1, 5, 15 min; other work shares the CPUs): "
            f"{_load(run['load_at_start'])} at the start, {_load(run.get('load_at_end'))} at "
            "the end; per size below.",
            "",
        ]
    for size in run["sizes"]:
        n = size["comparisons"]
        rows = size["rows"]
        lines += [
            f"## {n:,} comparisons",
            "",
            f"{rows['tools']:,} tools, {rows['reviewers']} reviewers, {rows['reviews']:,} "
            f"reviews, {rows['comparison_sides']:,} sides, {rows['vote_tallies']:,} tallies "
            f"(COPY {size['copy_seconds']} s). SQL statements per request: comparison page "
            f"{size['sql_queries']['comparison_page']}, listing {size['sql_queries']['listing']}."
            f" API peak RSS under load: {size['measurements']['rss']['max_process_mb']:.0f} MB "
            f"per process ({size['measurements']['rss']['total_mb']:.0f} MB all processes)."
            + (
                f" Load average: {_load(size['load_at_start'])} before this size, "
                f"{_load(size.get('load_at_end'))} after."
                if "load_at_start" in size
                else ""
            ),
            "",
            "| measurement | req/s | p50 ms | p99 ms | vs no-GraphQL ceiling | vs HTTP ceiling "
            "| vs Directus |",
            "|---|---|---|---|---|---|---|",
            *_size_rows(size, directus, d_size == n),
            "",
            *_rounds(size["measurements"]),
            *_plans(size.get("listing_plans")),
        ]
    d = run.get("directus") or {}
    if directus:
        lines += [
            f"Directus GraphQL (same page data, nested query, {d['comparisons']:,} comparisons, "
            f"on PostgreSQL, admin token): {directus:,.0f} req/s, p50 {d['p50_ms']:.2f} ms, "
            f"p99 {d['p99_ms']:.2f} ms.",
            "",
        ]
    elif d:
        lines += [f"Directus: unavailable ({d.get('unavailable', '')[:200]}).", ""]
    lines += _flatness(run)
    issues = (
        "issues 7 and 22" if "ceiling_listing" in run["sizes"][0]["measurements"] else "issue 7"
    )
    lines += [f"## Targets ({issues})", "", *_targets(run), ""]
    for size in run["sizes"]:
        for key, what in (("profile", "uncached comparison page"), ("profile_listing", "listing")):
            lines += _profile(size["measurements"].get(key), what, size["comparisons"])
    return "\n".join(lines)


def _plans(plans: dict[str, dict[str, Any]] | None) -> list[str]:
    """The listing's statement on PostgreSQL alone (``probes.listing_plans``)."""
    if not plans:
        return []
    built, compiled = plans["tortoise"], plans["compiled"]

    def plans_of(figures: dict[str, Any]) -> str:
        return (
            f"planned afresh {figures['custom_plans']} times, its one plan reused "
            f"{figures['generic_plans']} times"
        )

    return [
        f"The listing's statement alone on one PostgreSQL connection, {built['runs']} runs each: "
        f"as Tortoise builds it (the no-GraphQL ceiling's) {built['ms_per_run']:.3f} ms per run, "
        f"{plans_of(built)}; as the API compiles it (its shape written into the SQL) "
        f"{compiled['ms_per_run']:.3f} ms per run, {plans_of(compiled)}.",
        "",
    ]


def _profile(prof: dict[str, Any] | None, what: str, comparisons: int) -> list[str]:
    if not prof or "by_component" not in prof:
        return []
    return [
        f"## Profile: {what}, {comparisons:,} comparisons (py-spy)",
        "",
        "Samples by the innermost component on the stack:",
        "",
        "| component | share of samples |",
        "|---|---|",
        *(f"| {k} | {v}% |" for k, v in prof["by_component"].items()),
        "",
        "On the stack at all (inclusive):",
        "",
        *(f"- {k}: {v}%" for k, v in prof["inclusive"].items()),
        "",
    ]
