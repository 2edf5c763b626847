"""The assembler is the only way to a Comparison, and it computes every figure on every path.

The figure tables (``assemble.COMPARISON_FIGURES``, ``assemble.SIDE_FIGURES``) are held to the
schema, so a new figure field that nobody assembles fails here; and the selection asked on every
path is built from those tables, so a new figure is checked on every path without editing this
test."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLObjectType

from graphql_api.comparisons import assemble
from graphql_api.comparisons.types import (
    Assembled,
    ComparisonSideType,
    ComparisonType,
    UnassembledComparisonError,
)
from graphql_api.engine._compat import graphql_schema
from graphql_api.schema import build_schema
from tests.support.clients import AppClient
from tests.support.queries import graphql
from tests.support.votes import cast, tokens

SLUG = "mistral-code-vs-forge-coder"  # the panel favours a side: every figure has a value
TOOL = "mistral-code"
ROOMY_COST = 200_000


def _plain_fields(type_name: str) -> set[str]:
    """The fields of a schema type that are read from the object, not resolved."""
    definition = graphql_schema(build_schema()).type_map[type_name]
    assert isinstance(definition, GraphQLObjectType)
    return {
        name
        for name, field in definition.fields.items()
        if field.extensions["strawberry-definition"].base_resolver is None
    }


def test_every_plain_comparison_field_is_a_row_field_or_an_assembled_figure() -> None:
    assert _plain_fields("Comparison") == assemble.ROW_FIELDS | set(assemble.COMPARISON_FIGURES)


def test_every_side_field_is_an_assembled_figure() -> None:
    assert _plain_fields("ComparisonSide") == set(assemble.SIDE_FIGURES)


def test_figure_tables_name_python_fields_of_the_type() -> None:
    names = {f.name for f in ComparisonType.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    for figure in assemble.COMPARISON_FIGURES.values():
        assert figure.python_name in names


def test_a_comparison_cannot_be_built_outside_the_assembler() -> None:
    with pytest.raises(TypeError):
        Assembled()  # the assembler holds the one proof
    with pytest.raises(TypeError):
        ComparisonType(  # type: ignore[call-arg]  # no proof: refused by the constructor
            id=strawberry.ID("x"),
            db_id="1",
            slug="s",
            title="t",
            headline="h",
            summary=None,
            pricing_read=None,
            voting_open=True,
            published_at=None,
            updated_at=None,  # type: ignore[arg-type]  # never built: refused first
        )
    with pytest.raises(UnassembledComparisonError):
        ComparisonType(
            id=strawberry.ID("x"),
            db_id="1",
            assembled=object(),  # type: ignore[arg-type]
            slug="s",
            title="t",
            headline="h",
            summary=None,
            pricing_read=None,
            voting_open=True,
            published_at=None,
            updated_at=None,  # type: ignore[arg-type]
            sides=[],
            vote_count=0,
            panel_verdict=None,
            reviewer_split=[],
        )
    assert ComparisonSideType.__name__  # sides are only reachable through a comparison


def _selection(type_name: str, depth: int = 0) -> str:
    """Every figure field, with a minimal sub-selection for object fields."""
    sub = {
        "tool": "{ slug }",
        "reviews": "{ verdict reviewer { slug } }",
        "panelVerdict": "{ outcome margin favouredSide { position voteCount panelShipPercent } }",
        "reviewerSplit": "{ reviewer { slug } sides { position verdict quote } }",
    }
    if type_name == "ComparisonSide":
        return " ".join(f"{name} {sub.get(name, '')}" for name in assemble.SIDE_FIGURES)
    parts = ["slug"]
    for name in assemble.COMPARISON_FIGURES:
        if name == "sides":
            parts.append(f"sides {{ {_selection('ComparisonSide')} }}")
        else:
            parts.append(f"{name} {sub.get(name, '')}")
    return " ".join(parts)


def _only(comparisons: list[dict[str, Any]]) -> dict[str, Any]:
    (found,) = [c for c in comparisons if c["slug"] == SLUG]
    return found


async def test_every_figure_is_assembled_on_every_path(app_client: AppClient) -> None:
    # Every figure of up to 50 comparisons (a tool's, a listing's) is estimated at the declared
    # list bounds (verdict.limits), past the default cost limit: this test is about the figures.
    async with app_client(max_cost=ROOMY_COST) as client:
        await _every_path(client)


async def _every_path(client: httpx.AsyncClient) -> None:
    assert (await cast(client, tokens(1)[0], TOOL, SLUG))["__typename"] == "VoteSuccess"
    figures = _selection("Comparison")
    node_id = base64.b64encode(f"Comparison:{SLUG}".encode()).decode()
    paths: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
        "comparison": (
            f'{{ comparison(slug: "{SLUG}") {{ {figures} }} }}',
            lambda d: d["comparison"],
        ),
        "node": (
            f'{{ node(id: "{node_id}") {{ ... on Comparison {{ {figures} }} }} }}',
            lambda d: d["node"],
        ),
        "listing nodes": (
            f"{{ comparisons(first: 50) {{ nodes {{ {figures} }} }} }}",
            lambda d: _only(d["comparisons"]["nodes"]),
        ),
        "listing edges": (
            f"{{ comparisons(first: 50) {{ edges {{ node {{ {figures} }} }} }} }}",
            lambda d: _only([e["node"] for e in d["comparisons"]["edges"]]),
        ),
        "tool": (
            f'{{ tool(slug: "{TOOL}") {{ comparisons {{ {figures} }} }} }}',
            lambda d: _only(d["tool"]["comparisons"]),
        ),
    }
    answers = {}
    for name, (query, pick) in paths.items():
        answers[name] = pick(await graphql(client, query))
    first = answers["comparison"]
    # Assembled, not left at an empty value: the demo comparison has each figure set.
    assert first["sides"]
    assert first["reviewerSplit"]
    assert first["panelVerdict"]
    assert first["voteCount"] == 1 == sum(side["voteCount"] for side in first["sides"])
    for side in first["sides"]:
        assert side["reviews"]
        assert side["panelShipPercent"] is not None
    for name, answer in answers.items():
        assert answer == first, name
