"""Hypothesis strategies for hostile input, and the invariants every fuzz target checks.

The fuzz tests are async (the app and the database live on the test's event loop), so examples
are drawn up front, reproducibly (``derandomize``), and then sent one by one. The budget per
target is ``VERDICT_FUZZ_EXAMPLES`` (CI's default below; a longer run sets it higher).
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Iterator
from typing import Any, TypeVar

import hypothesis
from aiohttp.http_exceptions import BadHttpMessage
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from graphql_api.ops.logs import JsonFormatter

T = TypeVar("T")

DEFAULT_EXAMPLES = 120


def budget() -> int:
    """Examples per fuzz target (``VERDICT_FUZZ_EXAMPLES``)."""
    return int(os.environ.get("VERDICT_FUZZ_EXAMPLES") or DEFAULT_EXAMPLES)


def draw(strategy: st.SearchStrategy[T], count: int | None = None) -> list[T]:
    """``count`` examples of ``strategy`` (the budget by default), the same on every run."""
    examples: list[T] = []

    @hypothesis.settings(
        max_examples=count or budget(),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: T) -> None:
        examples.append(example)

    collect()
    return examples


# Text as an attacker sends it: any code point, lone surrogates included.
hostile_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
huge_integers = st.one_of(
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-(2**63) + 2),
    st.integers(min_value=1, max_value=4000).map(lambda n: int("9" * n)),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_integers,
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(hostile_text, children, max_size=4),
    ),
    max_leaves=12,
)


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


deep_values = st.integers(min_value=1, max_value=400).map(nested)  # json.dumps recurses
any_json = st.one_of(json_values, deep_values)


def encode(value: Any, ascii_only: bool) -> bytes:
    """JSON as Python writes it: NaN, Infinity and lone surrogates (escaped, or raw bytes that
    are no UTF-8) all pass through, as a hand-made request's would."""
    text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


def deep_text(depth: int) -> bytes:
    """A nesting no recursive encoder can write: built as text."""
    return b"[" * depth + b"]" * depth


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(encode, any_json, st.booleans()),
    st.integers(min_value=1, max_value=5000).map(deep_text),
    st.integers(min_value=1, max_value=5000).map(lambda n: b'{"variables":' + deep_text(n) + b"}"),
)

QUERIES = (
    "{ __typename }",
    "query Tool($s: String!) { tool(slug: $s) { name } }",
    "query Page($n: Int, $after: String) { tools(first: $n, after: $after) { totalCount "
    "pageInfo { endCursor } } }",
    "query Node($id: ID!) { node(id: $id) { id } }",
    "query A { __typename } query B { __typename }",
    'subscription { voteTally(comparisonSlug: "x") { __typename } }',
    "{ syncIssues { __typename } }",
)
field_values = st.one_of(any_json, st.sampled_from(QUERIES))
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(st.sampled_from(QUERIES), any_json),
        "variables": st.one_of(
            st.dictionaries(st.sampled_from(["s", "n", "after", "id"]), any_json, max_size=3),
            any_json,
        ),
        "operationName": st.one_of(st.sampled_from(["A", "B", "Tool", "Page"]), any_json),
        "extensions": st.one_of(
            st.fixed_dictionaries({"persistedQuery": any_json}),
            st.fixed_dictionaries(
                {
                    "persistedQuery": st.fixed_dictionaries(
                        {"version": any_json, "sha256Hash": any_json}
                    )
                }
            ),
            any_json,
        ),
    },
)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


decoded_payloads = st.one_of(
    st.binary(max_size=40),
    hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda t: b"offset:" + t,
        st.one_of(st.binary(max_size=30), huge_integers.map(lambda n: str(n).encode())),
    ),
    st.builds(lambda t: b"Tool:" + t, st.binary(max_size=30)),
    st.builds(
        lambda t: b"Reviewer:" + t, hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))
    ),
)
"""What a cursor or a global id decodes to: sent base64-encoded, as the API hands them out."""

header_values = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=120),
    st.binary(max_size=80).map(lambda b: bytes(c for c in b if c not in b"\r\n\x00")),
)
"""What an HTTP header may carry on the wire (any byte but CR, LF and NUL)."""


class LogRecords(logging.Handler):
    """Every record logged while installed (root logger, all levels)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


UNHANDLED_LOGGERS = ("uvicorn.error", "strawberry.ws.task", "aiohttp.server", "asyncio")


def unhandled(records: list[logging.LogRecord]) -> list[str]:
    """Records that say something was not handled: an exception escaping to the server, a masked
    internal error, or a record the JSON log formatter cannot write."""
    formatter = JsonFormatter()
    problems = []
    for record in records:
        try:
            formatter.format(record)
        except Exception as exc:
            problems.append(f"unformattable record {record.name}: {exc!r}")
            continue
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, BadHttpMessage):  # aiohttp's parser refused the bytes: a 400
            continue
        if record.levelno >= logging.ERROR and (
            record.name in UNHANDLED_LOGGERS
            or record.getMessage().startswith(("unexpected GraphQL error", "Exception in ASGI"))
        ):
            problems.append(f"{record.name}: {record.getMessage()[:300]}")
    return problems


class captured_logs:
    """``with captured_logs() as logs:`` ... ``logs.records``."""

    def __enter__(self) -> LogRecords:
        self.handler = LogRecords()
        root = logging.getLogger()
        self.level = root.level
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)
        return self.handler

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        root.removeHandler(self.handler)
        root.setLevel(self.level)


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


header_bytes = header_values.map(_as_bytes)
