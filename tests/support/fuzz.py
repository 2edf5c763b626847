"""Schema-aware query generation (hypothesis-graphql), for the fuzz and executor tests."""

from __future__ import annotations

import hypothesis
from hypothesis import HealthCheck, given
from hypothesis_graphql import from_schema

from verdict.settings import PROJECT_ROOT

SCHEMA = (PROJECT_ROOT / "schema" / "schema.graphql").read_text()


def generate(count: int) -> list[str]:
    """``count`` queries, reproducibly (derandomised), generated from the schema."""
    queries: list[str] = []

    @hypothesis.settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(from_schema(SCHEMA))
    def collect(query: object) -> None:
        queries.append(str(query))

    collect()
    return queries
