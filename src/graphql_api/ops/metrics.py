"""Prometheus metrics, scraped at ``/metrics``.

Per-process counters (requests, latency and errors) live in a registry of the app's own, so
several apps in one process (tests) never collide. Figures that live in the database (sync
checkpoints, quarantine, votes) are read when scraped, so every replica reports the same.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from tortoise.functions import Count, Sum

from verdict.models.sync import QuarantinedEntry, SyncCheckpoint
from verdict.models.votes import VoteTally

_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_LABELS = 200
"""Distinct operation names reported; later ones count as ``other`` (clients choose names).
Only operations that ran get a label (the view passes None for one refused before running),
and the operations of the trusted-documents manifest always keep theirs."""
DATABASE_REFRESH_SECONDS = 15.0
"""The database figures are read at most this often, however often /metrics is scraped."""


class Metrics:
    def __init__(
        self,
        known_operations: frozenset[str] = frozenset(),
        *,
        token: str | None = None,
        public: bool = True,
    ) -> None:
        """``known_operations`` always get a label. With ``token``, /metrics wants
        ``Authorization: Bearer <token>``; without one it answers only when ``public`` (dev)."""
        self._known = known_operations
        self._token = token
        self._public = public
        self._refreshed_at = float("-inf")
        self.registry = CollectorRegistry()
        self._per_operation: dict[str, tuple[Counter, Histogram]] = {}
        r = self.registry
        self.requests = Counter(
            "verdict_graphql_requests",
            "GraphQL operations run, by operation name.",
            ["operation"],
            registry=r,
        )
        self.latency = Histogram(
            "verdict_graphql_request_seconds",
            "Time to answer a GraphQL operation.",
            ["operation"],
            registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.errors = Counter(
            "verdict_graphql_errors",
            "Errors returned to clients, by extensions.code.",
            ["code"],
            registry=r,
        )
        self.cache = Counter(
            "verdict_response_cache_lookups",
            "Response cache lookups, by result.",
            ["result"],
            registry=r,
        )
        self.sync_last_success = Gauge(
            "verdict_sync_last_success_timestamp_seconds",
            "When the sync last committed a page or a pass (any collection), Unix time.",
            registry=r,
        )
        self.sync_lag = Gauge(
            "verdict_sync_lag_seconds", "Seconds since the sync last committed.", registry=r
        )
        self.quarantined = Gauge(
            "verdict_sync_quarantined_entries",
            "CMS entries the sync set aside, by reason.",
            ["reason"],
            registry=r,
        )
        self.votes = Gauge(
            "verdict_votes",
            "Community votes counted in the tallies (all comparisons).",
            registry=r,
        )
        self.edge_entries = Gauge(
            "verdict_edge_cache_entries", "Answers held by this process's edge cache.", registry=r
        )
        self.edge_bytes = Gauge(
            "verdict_edge_cache_bytes",
            "Memory held by this process's edge cache (bodies, headers and keys).",
            registry=r,
        )
        self._operations: set[str] = set()

    def watch_edge_cache(self, size: Callable[[], tuple[int, int]]) -> None:
        """Report the edge cache's size when scraped (``size`` gives entries and bytes)."""
        self.edge_entries.set_function(lambda: size()[0])
        self.edge_bytes.set_function(lambda: size()[1])

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.match(name):
            return "other"
        if name in self._known:
            return name
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATION_LABELS:
                return "other"
            self._operations.add(name)
        return name

    def observe(self, operation: str | None, seconds: float, codes: Iterable[str]) -> None:
        label = self.operation_label(operation)
        children = self._per_operation.get(label)
        if children is None:  # labels() takes a lock and builds a key: once per operation name
            children = self._per_operation[label] = (
                self.requests.labels(label),
                self.latency.labels(label),
            )
        children[0].inc()
        children[1].observe(seconds)
        for code in codes:
            self.errors.labels(code).inc()

    async def refresh_from_database(self) -> None:
        last = (
            await SyncCheckpoint.all()
            .order_by("-updated_at")
            .limit(1)
            .values_list("updated_at", flat=True)
        )
        stamp = last[0] if last and isinstance(last[0], datetime) else None
        if stamp is not None:
            self.sync_last_success.set(stamp.timestamp())
            self.sync_lag.set(max(0.0, datetime.now(UTC).timestamp() - stamp.timestamp()))
        self.quarantined.clear()
        rows = (
            await QuarantinedEntry.all()
            .annotate(n=Count("id"))
            .group_by("reason_code")
            .values_list("reason_code", "n")
        )
        for reason, count in rows:
            self.quarantined.labels(str(reason)).set(int(count))
        total = await VoteTally.annotate(total=Sum("count")).first().values("total")
        self.votes.set(int((total or {}).get("total") or 0))

    async def endpoint(self, request: Request) -> Response:
        if self._token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not (given.isascii() and hmac.compare_digest(given, self._token)):
                return Response("metrics need VERDICT_METRICS_TOKEN as a Bearer token\n", 401)
        elif not self._public:
            return Response("Not Found\n", 404)
        if time.monotonic() - self._refreshed_at >= DATABASE_REFRESH_SECONDS:
            self._refreshed_at = time.monotonic()
            await self.refresh_from_database()
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


def now() -> float:
    return time.perf_counter()
