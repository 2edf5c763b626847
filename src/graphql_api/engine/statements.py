"""Tortoise ``.values()`` reads compiled once per shape, so a hot read only binds its keys.

Tortoise rebuilds a query's SQL on every await: resolving the filters and joins, then rendering
pypika's tree. For the comparison page's three reads that is ~1.4 ms of Python per request,
more than the rest of the request. Yet a loader's query differs from one call to the next
only in its keys: ``Review.filter(tool_id__in=[3, 8], status=...)`` renders the same
parameterised SQL for any two tool ids.

A ``Statement`` wraps a function building such a query from a *shape* (what changes the SQL,
such as the statuses a request may see) and one or more key lists. The first time it sees a
shape and key counts, it lets Tortoise build the query with placeholder keys, finds where
they land among the statement's parameters, and keeps the SQL, the other parameters and
Tortoise's column converters. After that, a call puts its keys in those places and runs the
SQL through the same database client ``.values()`` uses, so logging, query counting and
transactions are unchanged, and it converts the columns as ``.values()`` does.

A build must pass its keys through as they are. A query whose placeholders the build or
Tortoise transforms, drops or repeats is never compiled; the same holds for key lists that are
empty or mix types. Those calls simply build the query as
usual. ``tests/graphql_api/engine/test_statements.py`` checks that compiled and built queries agree
on SQL, parameters and rows, on SQLite and PostgreSQL.

A statement made with ``inline=True`` also writes its shape's own values into its SQL: every
parameter that is not a key and is an integer, or a string of letters, digits and ``_.:-``, is
rendered as a literal, so the statement's only parameters are its keys. This is for a read whose
shape decides its plan, such as the listing's ``LIMIT``. PostgreSQL plans a prepared statement
afresh on each of its first five runs, then keeps one generic plan only when that plan's estimate
is no worse than theirs; for a generic plan a ``LIMIT $3`` could be any size, so the listing was
planned anew on every run, and planning cost the database more than running it (0.6 ms against
0.5 ms at 1,000 comparisons, ``docs/performance.md``). Written into the SQL, the limit is known
to the one plan PostgreSQL makes and keeps for the prepared statement. Only code-side values are
inlined: a value a request brings must be passed as a key (the listing's filter is), and a
string outside that alphabet always stays a parameter.

A statement made with ``remember_bytes`` keeps, per database dialect, SQL and parameters (the
front page's SQL has no parameter, and may read the same on SQLite), the rows the database
answered last, what they converted to and what callers built from them (``Answer``), in an LRU
of about that many bytes (``ByteLRU``). When the database answers exactly the same rows again,
``read`` skips the conversions and returns the same ``Answer``, so a caller finds what it built
from those rows last time still valid (the listing keeps its page so,
``graphql_api.comparisons.listing``). The database is still asked every time. Rows are compared
as the driver gives them, before Tortoise converts them: JSON arrives as its text, so ``[1]``
and ``[true]`` differ; a driver gives each column of a statement one type (and an aware
datetime in its one time zone), so Python's ``1 == 1.0 == True`` never makes two different
answers equal. A remembered answer is shared: callers must not change its rows or what they
keep with it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import BaseDBAsyncClient, Model
from tortoise.fields.data import CharEnumFieldInstance, DatetimeField, IntEnumFieldInstance
from tortoise.queryset import ValuesQuery

from graphql_api.caching.budget import ByteLRU
from graphql_api.engine._compat import (
    db_for_read,
    fields_for_select,
    make_query,
    parameterized_sql,
)

Key = int | str
Build = Callable[..., ValuesQuery[Any]]
"""``build(shape, *key_lists)``: the query, for one shape and these key lists."""

_KEY_TYPES = (int, str)
_LITERAL_TEXT = re.compile(r"[A-Za-z0-9_.:-]*")
"""A string an ``inline`` statement may write into its SQL: no quote, no backslash, no space."""


def inlinable(value: Any) -> bool:
    """Whether an ``inline`` statement writes this (non-key) value into its SQL as a literal: an
    integer (not a bool), or a string of letters, digits and ``_.:-``."""
    if type(value) is int:
        return True
    return type(value) is str and _LITERAL_TEXT.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    """The statement's parameters, with the keys' places holding placeholders."""
    slots: tuple[tuple[int, int, int], ...]
    """(parameter index, key list, position in that list) for every key."""
    columns: tuple[tuple[str, Callable[[Any], Any]], ...]
    """Tortoise's converter for every column that has one (as ``.values()`` applies them)."""
    repeated: frozenset[str] = frozenset()
    """Datetime columns, whose values rows often repeat (a comparison's columns on each of its
    joined sides, a tool on several comparisons): each distinct value converted once per
    fetch."""


def _placeholder(kind: type, arg: int, position: int) -> Key:
    """A key no real key equals: an integer below any real id, or a string with a NUL, both
    cases and padding, so that a build changing its keys' case or stripping them shows."""
    if kind is int:
        return -(2**62) - arg * 100_000 - position
    return f" \x00Verdict-Statement-{arg}-{position} "


_ENUM_FIELDS = (CharEnumFieldInstance, IntEnumFieldInstance)
_NOTHING = object()


def _per_value(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An enum column's converter, each distinct value converted once: an enum's ``__call__``
    costs about a microsecond, and a listing converts ~130 of them (its tools' statuses, its
    panel's verdicts). Only values that convert are kept, so the memo holds the enum's members at
    most (and None)."""
    memo: dict[Any, Any] = {}

    def convert_once(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            converted = memo[value] = convert(value)
            return converted

    return convert_once


def _compile(
    build: Build,
    inline: bool,
    dialect: str,
    shape: Hashable,
    kinds: tuple[type, ...],
    counts: tuple[int, ...],
) -> _Compiled | None:
    """The statement for this shape and these key types and counts, or None if its keys cannot
    be told apart in the parameters (``dialect`` only keys the cache: Tortoise renders for the
    database it was initialised with). With ``inline``, the shape's own values are literals."""
    keys = [
        [_placeholder(kind, arg, pos) for pos in range(count)]
        for arg, (kind, count) in enumerate(zip(kinds, counts, strict=True))
    ]
    places = {(type(k), k): (arg, pos) for arg, row in enumerate(keys) for pos, k in enumerate(row)}

    def parameterize(value: Any) -> bool:
        return (type(value), value) in places or not inlinable(value)

    try:
        query = build(shape, *keys)
        make_query(query)
        if inline:
            sql, params = parameterized_sql(query, parameterize)
        else:
            sql, params = query.query.get_parameterized_sql()
    except Exception:  # Tortoise refused a placeholder: the real keys' own query decides
        return None
    slots: list[tuple[int, int, int]] = []
    for index, param in enumerate(params):
        place = places.get((type(param), param)) if type(param) in _KEY_TYPES else None
        if place is not None:
            slots.append((index, *place))
    if sorted((arg, pos) for _, arg, pos in slots) != sorted(places.values()):
        return None  # a key was transformed, dropped or repeated: build such queries as usual
    columns = []
    repeated = set()
    for alias, field in fields_for_select(query).items():
        convert = query.resolve_to_python_value(query.model, field)
        if not isinstance(convert, types.LambdaType):  # as ValuesQuery._execute leaves them out
            owner = getattr(convert, "__self__", None)
            if isinstance(owner, _ENUM_FIELDS):
                convert = _per_value(convert)
            elif isinstance(owner, DatetimeField):
                repeated.add(alias)
            columns.append((alias, convert))
    return _Compiled(sql, tuple(params), tuple(slots), tuple(columns), frozenset(repeated))


class Statement:
    """One read of ``model``, compiled per shape and key counts (``maxsize`` of them kept); with
    ``inline``, the shape's own values are written into the SQL (see the module docstring)."""

    def __init__(
        self,
        model: type[Model],
        build: Build,
        maxsize: int = 256,
        *,
        inline: bool = False,
        remember_bytes: int = 0,
    ) -> None:
        self._model = model
        self._build = build
        self._compiled = functools.lru_cache(maxsize=maxsize)(
            functools.partial(_compile, build, inline)
        )
        # (dialect, sql, parameters) -> (the rows as the driver gave them, the answer they gave)
        self._answers: (
            ByteLRU[tuple[str, str, tuple[Any, ...]], tuple[list[dict[str, Any]], Answer]] | None
        ) = ByteLRU(remember_bytes, maxsize) if remember_bytes else None

    @property
    def build(self) -> Build:
        """The build function this statement compiles (Tortoise's own query for the keys)."""
        return self._build

    def bind(
        self, db: BaseDBAsyncClient, shape: Hashable, *keys: Sequence[Key]
    ) -> tuple[str, list[Any], _Compiled] | None:
        """The SQL and parameters for these keys on ``db``, or None where it is not compiled."""
        kinds = tuple(type(row[0]) if row else type(None) for row in keys)
        for kind, row in zip(kinds, keys, strict=True):
            if kind not in _KEY_TYPES or any(type(k) is not kind for k in row):
                return None  # empty or mixed: Tortoise's own conversions decide
        compiled = self._compiled(db.capabilities.dialect, shape, kinds, tuple(map(len, keys)))
        if compiled is None:
            return None
        params = list(compiled.params)
        for index, arg, position in compiled.slots:
            params[index] = keys[arg][position]
        return compiled.sql, params, compiled

    async def fetch(self, shape: Hashable, *keys: Sequence[Key]) -> list[dict[str, Any]]:
        """The rows ``build(shape, *keys)`` answers, as ``.values()`` gives them (read-only when
        the statement remembers its answers)."""
        return (await self.read(shape, *keys)).rows

    async def read(self, shape: Hashable, *keys: Sequence[Key]) -> Answer:
        """The database's answer to ``build(shape, *keys)``; with ``remember_bytes``, the same
        ``Answer`` as last time when the database answered the same rows (see the module
        docstring)."""
        db = db_for_read(self._model)
        bound = self.bind(db, shape, *keys)
        if bound is None:
            return Answer(await self._build(shape, *(list(row) for row in keys)))
        sql, params, compiled = bound
        rows: list[dict[str, Any]] = await db.execute_query_dict(sql, params)
        answers = self._answers
        if answers is None:
            return Answer(_convert(compiled, rows))
        try:
            key = (db.capabilities.dialect, sql, tuple(params))
            last = answers.get(key)
        except TypeError:  # a parameter that cannot be hashed: never remembered
            return Answer(_convert(compiled, rows))
        if last is not None and last[0] == rows:
            return last[1]
        raw = [dict(row) for row in rows]  # what the next answer is compared with
        answer = Answer(_convert(compiled, rows))
        if last is not None and len(last[0]) == len(raw):
            # the same number of rows as before (a vote counted, say): sized as they were
            size = last[1].size
        else:
            size = KEPT_FACTOR * rows_bytes(raw)
        answer.size = size
        answers.put(key, (raw, answer), size)
        return answer


KEPT_FACTOR = 4
"""What a remembered answer costs, in multiples of its rows' own size (``rows_bytes``): the rows
as the driver gave them, converted, and what callers keep built from them (``Answer.keep``:
typed rows and types, which share the rows' text). An answer with as many rows as the one it
replaces is counted at that one's size: sizing the rows costs as much as comparing them
several times, and what changes between two answers of a front page is mostly its votes."""
KEPT_PER_ANSWER = 8
"""How many things callers may keep with one answer (``Answer.keep``)."""


@dataclass(slots=True, eq=False)
class Answer:
    """A statement's rows, and what callers built from them (``keep``). A remembered answer is
    shared between requests: read-only."""

    rows: list[dict[str, Any]]
    """As ``.values()`` gives them."""
    kept: dict[Hashable, object] = dataclasses.field(default_factory=dict)
    """What callers built from ``rows``, under keys of their own."""
    size: int = 0
    """About what remembering it costs (0: not remembered)."""

    def keep(self, key: Hashable, value: object) -> None:
        """Keep ``value``, built from ``rows`` alone, under ``key`` (``KEPT_PER_ANSWER`` at
        most: later ones are not kept)."""
        if len(self.kept) < KEPT_PER_ANSWER:
            self.kept[key] = value


def rows_bytes(rows: list[dict[str, Any]]) -> int:
    """About what keeping ``rows`` costs: their text and bytes, and ~60 bytes a value for the
    objects and the dict slots that hold them."""
    size = 0
    for row in rows:
        size += 60 * len(row)
        for value in row.values():
            if type(value) is str or type(value) is bytes:
                size += len(value)
    return size


def _convert(compiled: _Compiled, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with Tortoise's converters applied to their columns (in place)."""
    repeated = compiled.repeated
    for column, convert in compiled.columns:
        if column in repeated:
            # Equal datetimes (the same instant) convert to equal, immutable values: to the
            # default time zone, or as they are. None converts as any other value.
            seen: dict[Any, Any] = {}
            for row in rows:
                raw = row[column]
                converted = seen.get(raw, _NOTHING)
                if converted is _NOTHING:
                    converted = seen[raw] = convert(raw)
                row[column] = converted
        else:
            for row in rows:
                row[column] = convert(row[column])
    return rows
