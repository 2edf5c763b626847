"""Variables fuzzed against every root field's arguments: each argument is passed as a variable
of its own type (nullable where the argument has a default, as clients may declare it), and each
variable is left out, sent as an explicit ``null``, or sent as any JSON value. Never a 5xx, never
an internal error: a wrong value is the client's mistake (``BAD_USER_INPUT`` or a typed error).

The schema fuzzer (test_schema_fuzz.py) writes argument values into the document, where
validation catches them; only variables reach argument coercion during execution."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from graphql import GraphQLField, GraphQLNonNull, GraphQLObjectType, Undefined, build_schema
from hypothesis import strategies as st

from tests.support import hostile
from tests.support.clients import AppClient, assert_still_serving
from tests.support.fuzz import SCHEMA


def _operation(kind: str, name: str, field: GraphQLField) -> str:
    declarations = []
    arguments = []
    for arg_name, arg in field.args.items():
        arg_type = arg.type
        if isinstance(arg_type, GraphQLNonNull) and arg.default_value is not Undefined:
            arg_type = arg_type.of_type  # allowed: the argument's default covers a missing value
        declarations.append(f"${arg_name}: {arg_type}")
        arguments.append(f"{arg_name}: ${arg_name}")
    return (
        f"{kind} F({', '.join(declarations)}) {{ {name}({', '.join(arguments)}) {{ __typename }} }}"
    )


def operations() -> list[tuple[str, list[str]]]:
    """(document, argument names) for each root field that takes arguments."""
    schema = build_schema(SCHEMA)
    found = []
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert isinstance(root, GraphQLObjectType)
        for name, field in root.fields.items():
            if field.args:
                found.append((_operation(kind, name, field), list(field.args)))
    return found


MISSING = object()
values = st.one_of(st.just(MISSING), st.none(), hostile.json_values)


def _variables(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    drawn = st.fixed_dictionaries({name: values for name in names})
    return drawn.map(lambda found: {k: v for k, v in found.items() if v is not MISSING})


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_fuzzed_variables_are_never_an_internal_error(app_client: AppClient) -> None:
    found = operations()
    assert any("comparisons(" in document for document, _ in found)
    codes: dict[str, int] = {}
    with hostile.captured_logs() as logs:
        async with app_client() as http:
            for document, names in found:
                for variables in hostile.draw(_variables(names), max(hostile.budget() // 4, 20)):
                    body = {"query": document, "variables": variables}
                    # as a hand-made request writes it: NaN and Infinity pass through (a 400)
                    response = await http.post(
                        "/graphql",
                        content=hostile.encode(body, ascii_only=True),
                        headers={"content-type": "application/json"},
                    )
                    assert response.status_code < 500, (body, response.text[:500])
                    for error in response.json().get("errors") or ():
                        code = error["extensions"]["code"]
                        assert code != "INTERNAL_SERVER_ERROR", (body, error)
                        codes[code] = codes.get(code, 0) + 1
            await assert_still_serving(http)
    assert hostile.unhandled(logs.records) == []
    # The generator reaches argument coercion (explicit nulls into non-null arguments).
    assert codes.get("BAD_USER_INPUT", 0) > 0
    gc.collect()
    print(f"variables fuzz: {len(found)} fields, error codes {codes}")
