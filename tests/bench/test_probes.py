"""The harness's probe of the listing's statement on PostgreSQL (bench.probes.statement_plans)
reports how often PostgreSQL planned each form: the compiled statement (its shape written into
the SQL) never afresh, Tortoise's own form (its shape as parameters) on every run it chose to."""

from __future__ import annotations

import pytest
from tortoise import Tortoise

from bench import probes
from verdict.settings import Settings


async def test_the_compiled_listing_is_planned_once(demo_db: Settings) -> None:
    if Tortoise.get_connection("default").capabilities.dialect != "postgres":
        pytest.skip("plans are PostgreSQL's")
    plans = await probes.statement_plans(runs=6)
    assert plans["compiled"]["custom_plans"] == 0
    assert plans["compiled"]["generic_plans"] == plans["compiled"]["runs"] == 12
    built = plans["tortoise"]
    # PostgreSQL plans the parameterised form afresh on its first five runs at least
    assert built["custom_plans"] >= 5
    assert built["custom_plans"] + built["generic_plans"] == built["runs"] == 12
    assert all(figures["ms_per_run"] > 0 for figures in plans.values())
