"""Compiled reads (graphql_api.engine.statements) answer exactly what Tortoise's own queries answer.

Every loader read is checked on the demo content, on SQLite and PostgreSQL, for both shapes a
request can have (public, preview) and several key counts: the SQL and parameters a compiled
statement binds equal those Tortoise renders for the same keys, and so do the rows. The cases
a statement must not compile fall back to Tortoise's own query. A statement that writes its
shape's values into its SQL (``inline``) binds Tortoise's SQL with exactly those values written
in, keeps its keys and any other value as parameters, and answers the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from tortoise import Model, Tortoise
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from graphql_api import reads
from graphql_api.engine._compat import make_query, parameterized_sql
from graphql_api.engine.statements import (
    KEPT_PER_ANSWER,
    Answer,
    Key,
    Statement,
    inlinable,
    rows_bytes,
)
from graphql_api.reads import PREVIEW, PUBLIC, visible
from verdict import content_versions
from verdict.models.content import Comparison, Reviewer, Status, Tool
from verdict.models.versions import ContentVersion
from verdict.models.votes import Vote, VoteTally
from verdict.settings import Settings


def _column(model: type[Model], field: str) -> Callable[[], Awaitable[list[Any]]]:
    """Reads one column of every row, in id order: keys to bind."""

    async def read() -> list[Any]:
        return list(await model.all().order_by("id").values_list(field, flat=True))

    return read


_tool_ids, _tool_slugs = _column(Tool, "id"), _column(Tool, "slug")
_reviewer_ids, _reviewer_slugs = _column(Reviewer, "id"), _column(Reviewer, "slug")
_comparison_ids, _comparison_slugs = _column(Comparison, "id"), _column(Comparison, "slug")


READS: dict[str, tuple[Statement, Callable[[], Any]]] = {
    "tools by id": (reads.TOOLS_BY_ID, _tool_ids),
    "tools by slug": (reads.TOOLS_BY_SLUG, _tool_slugs),
    "reviewers by slug": (reads.REVIEWERS_BY_SLUG, _reviewer_slugs),
    "reviews by tool": (reads.REVIEWS_BY_TOOL, _tool_ids),
    "panel counts by tool": (reads.PANEL_COUNTS_BY_TOOL, _tool_ids),
    "reviews by reviewer": (reads.REVIEWS_BY_REVIEWER, _reviewer_ids),
    "comparisons by slug": (reads.COMPARISONS_BY_SLUG, _comparison_slugs),
    "sides by comparison": (reads.SIDES_BY_COMPARISON, _comparison_ids),
    "comparisons by tool": (reads.COMPARISONS_BY_TOOL, _tool_ids),
    "tallies by comparison": (reads.TALLIES_BY_COMPARISON, _comparison_slugs),
    "versions by key": (reads.VERSIONS_BY_KEY, lambda: _version_keys()),
}


async def _version_keys() -> list[Any]:
    """The keys of the content versions but ``*``, which pypika never makes a parameter (it
    writes it into Tortoise's SQL; a statement binds it: the same rows, see
    ``test_versions_read_through_the_statement_are_the_core_s_read``)."""
    keys = await _column(ContentVersion, "key")()
    return [key for key in keys if key != content_versions.ANY_CHANGE]


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=repr)


async def _tortoise(statement: Statement, shape: Any, *keys: Sequence[Key]) -> Any:
    """What Tortoise itself renders and answers for these keys."""
    query = statement.build(shape, *(list(k) for k in keys))
    make_query(query)
    rendered = query.query.get_parameterized_sql()
    return rendered, await statement.build(shape, *(list(k) for k in keys))


async def _add_votes() -> None:
    """Tallies and votes to read (the demo content has none)."""
    slugs = await _comparison_slugs()
    tools = await _tool_slugs()
    for i, slug in enumerate(slugs):
        await VoteTally.create(comparison_slug=slug, tool_slug=tools[i % len(tools)], count=i + 1)
        await Vote.create(voter_id=f"voter-{i % 2}", comparison_slug=slug, tool_slug=tools[0])


@pytest.mark.parametrize("read", sorted(READS))
@pytest.mark.parametrize("shape", [PUBLIC, PREVIEW], ids=["public", "preview"])
async def test_each_loader_read_binds_what_tortoise_renders(
    demo_db: Settings, read: str, shape: frozenset[Status]
) -> None:
    await _add_votes()
    statement, source = READS[read]
    keys = await source()
    assert len(keys) >= 3
    db = Tortoise.get_connection("default")
    for count in (1, 2, 3, len(keys)):
        missing = "missing" if isinstance(keys[0], str) else -1
        for chosen in (keys[:count], keys[-count:], [*keys[:count], missing]):
            bound = statement.bind(db, shape, chosen)
            assert bound is not None, f"{read} did not compile"
            (sql, params), rows = await _tortoise(statement, shape, chosen)
            assert bound[:2] == (sql, params)
            fetched = await statement.fetch(shape, chosen)
            assert _sorted(fetched) == _sorted(rows)
    # the same key count again reuses the statement, with the new keys in it
    first = statement.bind(db, shape, keys[:1])
    second = statement.bind(db, shape, keys[1:2])
    assert first is not None
    assert second is not None
    assert first[2] is second[2]
    assert first[1] != second[1]


async def test_two_key_lists_bind_in_their_places(demo_db: Settings) -> None:
    await _add_votes()
    slugs = await _comparison_slugs()
    db = Tortoise.get_connection("default")
    statement = reads.VOTES_BY_VOTER
    for voters, comparisons in ((["voter-0"], slugs[:2]), (["voter-1", "voter-0"], slugs[1:])):
        bound = statement.bind(db, None, voters, comparisons)
        assert bound is not None
        (sql, params), rows = await _tortoise(statement, None, voters, comparisons)
        assert bound[:2] == (sql, params)
        assert _sorted(await statement.fetch(None, voters, comparisons)) == _sorted(rows)
        assert rows


def _types(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(column, type(value).__name__) for row in rows for column, value in row.items()}


async def test_rows_convert_columns_as_values_does(demo_db: Settings) -> None:
    """Enums, booleans, JSON lists and datetimes come back as ``.values()`` gives them (an enum
    member equals its text, so the types are compared too)."""
    ids = await _tool_ids()
    for statement in (reads.TOOLS_BY_ID, reads.REVIEWS_BY_TOOL, reads.REVIEWS_BY_REVIEWER):
        keys = ids if statement is not reads.REVIEWS_BY_REVIEWER else await _reviewer_ids()
        fetched = await statement.fetch(PUBLIC, keys)
        direct = await statement.build(PUBLIC, keys)
        assert fetched
        assert _sorted(fetched) == _sorted(direct)
        assert _types(fetched) == _types(direct)
    assert ("verdict", "Verdict") in _types(await reads.REVIEWS_BY_TOOL.fetch(PUBLIC, ids))


class _Rollback(Exception):
    pass


async def test_a_read_inside_a_transaction_sees_its_writes(demo_db: Settings) -> None:
    """The statement runs on the client ``.values()`` would use: the transaction's."""
    values = await Tool.all().order_by("id").first().values()
    assert values is not None
    values.update(id=999_999, slug="uncommitted-tool")
    seen: list[str] = []

    async def write_read_and_roll_back() -> None:
        async with in_transaction():
            await Tool.create(**values)
            rows = await reads.TOOLS_BY_SLUG.fetch(PUBLIC, ["uncommitted-tool"])
            seen.extend(r["slug"] for r in rows)
            raise _Rollback

    with pytest.raises(_Rollback):
        await write_read_and_roll_back()
    assert seen == ["uncommitted-tool"]
    assert await reads.TOOLS_BY_SLUG.fetch(PUBLIC, ["uncommitted-tool"]) == []


def _fallback_cases() -> dict[str, tuple[Statement, list[list[Any]]]]:
    return {
        # the build transforms its keys: the placeholders never reach the parameters
        "upper": (
            Statement(
                Tool,
                lambda _, slugs: Tool.filter(slug__in=[s.upper() for s in slugs]).values("slug"),
            ),
            [["code-llama-4"]],
        ),
        "lower": (
            Statement(
                Tool,
                lambda _, slugs: Tool.filter(slug__in=[s.lower() for s in slugs]).values("slug"),
            ),
            [["Code-Llama-4"]],
        ),
        "strip": (
            Statement(
                Tool,
                lambda _, slugs: Tool.filter(slug__in=[s.strip() for s in slugs]).values("slug"),
            ),
            [[" code-llama-4 "]],
        ),
        "shifted": (
            Statement(Tool, lambda _, ids: Tool.filter(id__in=[i + 1 for i in ids]).values("id")),
            [[1, 2]],
        ),
        # the build uses a key twice
        "repeated": (
            Statement(
                Tool,
                lambda _, ids: Tool.filter(Q(id__in=ids) | Q(id__in=ids)).values("id"),
            ),
            [[1, 2]],
        ),
        # the build drops a key
        "dropped": (
            Statement(Tool, lambda _, ids: Tool.filter(id__in=ids[:1]).values("id")),
            [[1, 2]],
        ),
    }


@pytest.mark.parametrize("case", ["upper", "lower", "strip", "shifted", "repeated", "dropped"])
async def test_what_cannot_be_bound_falls_back_to_tortoise(demo_db: Settings, case: str) -> None:
    statement, keys = _fallback_cases()[case]
    db = Tortoise.get_connection("default")
    assert statement.bind(db, None, *keys) is None
    assert _sorted(await statement.fetch(None, *keys)) == _sorted(
        await statement.build(None, *keys)
    )


async def test_empty_or_mixed_keys_fall_back_to_tortoise(demo_db: Settings) -> None:
    db = Tortoise.get_connection("default")
    statement = reads.TOOLS_BY_ID
    ids = await _tool_ids()
    assert statement.bind(db, PUBLIC, []) is None
    assert await statement.fetch(PUBLIC, []) == []
    mixed: list[Any] = [int(ids[0]), ids[1]]  # ids are text: an int among them mixes the kinds
    assert statement.bind(db, PUBLIC, mixed) is None
    assert _sorted(await statement.fetch(PUBLIC, mixed)) == _sorted(
        await statement.build(PUBLIC, mixed)
    )


def written_in(sql: str, params: list[Any], keys: Callable[[Any], bool]) -> tuple[str, list[Any]]:
    """Tortoise's ``sql`` with each parameter that is not a key (per ``keys``) and is
    ``inlinable`` written in as a SQL literal, and the others renumbered: what an ``inline``
    statement must bind, worked out here on the rendered text, apart from the renderer (no
    literal in these statements holds a ``$`` or a ``?``)."""
    kept: list[Any] = []
    values = iter(params)

    def place(_: re.Match[str]) -> str:
        value = next(values)
        if not keys(value) and inlinable(value):
            return str(value) if type(value) is int else f"'{value}'"
        kept.append(value)
        return f"${len(kept)}" if sql.count("$") else "?"

    written = re.sub(r"\$\d+\b|\?", place, sql)
    assert next(values, None) is None
    return written, kept


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (21, True),
        (-3, True),
        ("published", True),
        ("comparison_sides", True),
        ("a.b:c-d_1", True),
        ("", True),
        (True, False),  # a bool is an int to Python, not to SQL
        ("it's", False),
        ("back\\slash", False),
        ("two words", False),
        ("new\nline", False),
        ("nul\x00", False),
        ("é", False),
        (1.5, False),
        (None, False),
        (b"bytes", False),
    ],
)
def test_only_integers_and_plain_words_are_written_into_sql(value: Any, written: bool) -> None:
    assert inlinable(value) is written


def _inline_read(statuses: frozenset[Status], slugs: list[str]) -> Any:
    """A read with every kind of value: keys, a status, a limit, a text with a quote, a bool."""
    return (
        Tool.filter(slug__in=slugs, **visible(statuses))
        .exclude(name="it's not")
        .filter(open_weights__in=[True, False])
        .order_by("id")
        .limit(7)
        .values("id", "slug")
    )


async def test_an_inline_statement_writes_its_shape_s_values_into_its_sql(
    demo_db: Settings,
) -> None:
    inline = Statement(Tool, _inline_read, inline=True)
    db = Tortoise.get_connection("default")
    slugs = await _tool_slugs()
    for shape in (PUBLIC, PREVIEW):
        for chosen in (slugs[:1], slugs[:3], [*slugs[:2], "missing"]):
            bound = inline.bind(db, shape, chosen)
            assert bound is not None
            query = _inline_read(shape, list(chosen))
            make_query(query)
            sql, params = query.query.get_parameterized_sql()
            assert bound[:2] == written_in(sql, params, list(chosen).__contains__)
            # the keys, the quoted text and the bools stay parameters; the rest is in the SQL
            assert bound[1][: len(chosen)] == chosen
            others = bound[1][len(chosen) :]
            assert sorted((type(v).__name__, str(v)) for v in others) == [
                ("bool", "False"),
                ("bool", "True"),
                ("str", "it's not"),
            ]
            assert "LIMIT 7" in bound[0]
            assert "'published'" in bound[0]
            fetched = await inline.fetch(shape, chosen)
            assert fetched
            assert fetched == await _inline_read(shape, list(chosen))


async def test_rendering_every_value_as_a_parameter_is_tortoise_s_own_sql(
    demo_db: Settings,
) -> None:
    query = _inline_read(PREVIEW, ["a", "b"])
    make_query(query)
    assert parameterized_sql(query, lambda _: True) == query.query.get_parameterized_sql()


async def test_versions_read_through_the_statement_are_the_core_s_read(demo_db: Settings) -> None:
    """``reads.read_versions`` answers what ``verdict.content_versions.read`` answers: every key
    asked for, ``MISSING`` for those never bumped, in chunks past 500 keys."""
    await content_versions.bump(["tools:1", "comparisons"])
    known = await _column(ContentVersion, "key")()
    assert len(known) >= 3
    for keys in (
        known[:1],
        [*known, "never-bumped"],
        [*known, *(f"tools:{n}" for n in range(1_200))],
        [content_versions.ANY_CHANGE],
        [],
    ):
        assert await reads.read_versions(keys) == await content_versions.read(keys)


def _tools_read(statuses: frozenset[Status], slugs: list[str]) -> Any:
    return (
        Tool.filter(slug__in=slugs, **visible(statuses))
        .order_by("id")
        .values("id", "name", "model_sizes", "open_weights", "cms_updated_at")
    )


async def test_a_remembering_statement_answers_the_same_list_while_the_rows_are_the_same(
    demo_db: Settings,
) -> None:
    remembering = Statement(Tool, _tools_read, inline=True, remember_bytes=1 << 20)
    plain = Statement(Tool, _tools_read, inline=True)
    slugs = (await _tool_slugs())[:3]
    first = await remembering.fetch(PUBLIC, slugs)
    assert first == await _tools_read(PUBLIC, slugs)
    assert await remembering.fetch(PUBLIC, slugs) is first
    assert await remembering.fetch(PUBLIC, slugs[:2]) is not first  # other parameters
    assert await remembering.fetch(PUBLIC, slugs) is first
    assert await plain.fetch(PUBLIC, slugs) is not await plain.fetch(PUBLIC, slugs)
    # Values Python holds equal convert differently: JSON is compared as its text.
    changes: list[dict[str, Any]] = [
        {"name": "Renamed"},
        {"model_sizes": [1]},
        {"model_sizes": [True]},
        {"model_sizes": [1.0]},
        {"open_weights": True},
        {"open_weights": False},
    ]
    last = first
    for change in changes:
        await Tool.filter(slug=slugs[1]).update(**change)
        answered = await remembering.fetch(PUBLIC, slugs)
        assert answered is not last, change
        expected = await _tools_read(PUBLIC, slugs)
        assert answered == expected
        assert [[type(v) for v in row["model_sizes"]] for row in answered] == [
            [type(v) for v in row["model_sizes"]] for row in expected
        ]
        assert await remembering.fetch(PUBLIC, slugs) is answered
        last = answered


async def test_a_statement_remembers_no_more_than_its_bytes(demo_db: Settings) -> None:
    slugs = (await _tool_slugs())[:3]
    tiny = Statement(Tool, _tools_read, inline=True, remember_bytes=64)
    assert await tiny.fetch(PUBLIC, slugs) is not await tiny.fetch(PUBLIC, slugs)
    remembering = Statement(Tool, _tools_read, inline=True, remember_bytes=1 << 20)
    first = await remembering.read(PUBLIC, slugs)
    assert first.size >= rows_bytes(first.rows) > 0
    # An answer with as many rows is counted at the size of the one it replaces; with more or
    # fewer, it is sized again.
    await Tool.filter(slug=slugs[0]).update(name="x" * 200)
    same_count = await remembering.read(PUBLIC, slugs)
    assert same_count is not first
    assert same_count.size == first.size
    await Tool.filter(id=first.rows[-1]["id"]).update(status=Status.DRAFT)
    fewer = await remembering.read(PUBLIC, slugs)
    assert len(fewer.rows) == len(first.rows) - 1
    assert fewer.size != first.size


def test_an_answer_keeps_a_bounded_number_of_things() -> None:
    answer = Answer([])
    for n in range(KEPT_PER_ANSWER + 3):
        answer.keep(n, str(n))
    assert answer.kept == {n: str(n) for n in range(KEPT_PER_ANSWER)}
