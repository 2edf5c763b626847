"""Compiled completion: an all-plain static selection set turned into one Python function.

See ``Compiler``. The generated code only reads attributes and builds dicts and lists; on
anything unusual it raises ``Bail`` and the executor runs that selection set field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined

from graphql_api.engine._compat import CAST_ATTRIBUTE, FieldDetailsList, GroupedFieldSet
from graphql_api.engine.plan import (
    GENERAL,
    PASSTHROUGH,
    PLAIN_LEAF,
    PLAIN_OBJECT,
    Coerce,
    Compiled,
    Step,
    coerce_leaf,
    enum_names,
    exact_class,
    item_type,
    leaf_coerce,
    specified_scalar,
    unwrap,
)

if TYPE_CHECKING:
    from graphql_api.engine.executor import FastExecutor


class Bail(Exception):
    """Raised inside compiled code: something unusual, the field-by-field path decides."""


def _leaf(coerce: Coerce, value: Any) -> Any:
    """A leaf serialized by its type, as graphql-core would, or Bail when that fails."""
    result = coerce_leaf(coerce, value)
    if result is Undefined:
        raise Bail
    return result


def _no_item(item: Any, nullable: bool) -> None:
    """A list item the compiled test refused: None where allowed, otherwise Bail."""
    if item is None and nullable:
        return None
    raise Bail


_INT_RANGE = "-2147483648 <= {v} <= 2147483647"
"""graphql-core's Int: a 32-bit signed integer."""
_KNOWN_EXACT: dict[str, type] = {**PASSTHROUGH, "Int": int}


def _define(lines: list[str], namespace: dict[str, Any]) -> Compiled:
    """The function ``complete`` defined by generated ``lines`` (names come from the schema and
    the operation's response keys, never from values)."""
    exec("\n".join(lines), namespace)
    complete: Compiled = namespace["complete"]
    return complete


class Compiler:
    """Compiles the completion of a static selection set whose fields are all plain (and so
    are those of every object below it) into one Python function per object selection.

    The function reads each attribute and builds the response dict directly: a leaf of its
    expected exact type (a str for String, an int in range for Int, a member of the enum) is
    answered as it is, other leaves go through the type's own serializer, and an object must
    be an exact instance of its Strawberry class. Anything else (a null in a non-null position,
    a refused value, an attribute that raises, a cast object) raises, and the caller executes
    that selection set field by field instead, which reproduces graphql-core's answer and
    errors exactly: reading plain attributes again has no side effects.
    """

    def __init__(self, executor: FastExecutor) -> None:
        self._executor = executor

    def compile(self, object_type: GraphQLObjectType, fields: GroupedFieldSet) -> Compiled | None:
        executor = self._executor
        namespace: dict[str, Any] = {
            "_Bail": Bail,
            "_leaf": _leaf,
            "_no_item": _no_item,
            "_CAST": CAST_ATTRIBUTE,
        }
        lines = ["def complete(o):"]
        keys: list[str] = []
        for i, step in enumerate(executor.plan(object_type, fields)):
            if step.kind == GENERAL or step.getter is not getattr or not step.attr.isidentifier():
                return None
            value = f"v{i}"
            lines.append(f"    {value} = o.{step.attr}")
            if step.kind == PLAIN_LEAF:
                assert step.field_def is not None
                leaf = self._leaf(unwrap(step.field_def.type)[0], f"L{i}", namespace)
                if leaf is None:
                    return None
                lines += self._guard(value, step.non_null, leaf(value))
            elif step.kind == PLAIN_OBJECT:
                assert step.object_type is not None
                obj = self._object(step.details, step.object_type, f"O{i}", namespace)
                if obj is None:
                    return None
                lines += self._guard(value, step.non_null, [f"{value} = {obj(value, False)}"])
            else:
                item = self._list_item(step, f"I{i}", namespace)
                if item is None:
                    return None
                lines += self._guard(
                    value,
                    step.non_null,
                    [
                        f"if type({value}) is not list and type({value}) is not tuple:",
                        "    raise _Bail",
                        f"{value} = [{item('x')} for x in {value}]",
                    ],
                )
            keys.append(f"{step.name!r}: {value}")  # response keys are GraphQL names
        lines.append("    return {" + ", ".join(keys) + "}")
        return _define(lines, namespace)

    def compile_value(
        self, return_type: GraphQLOutputType, details: FieldDetailsList
    ) -> Callable[[Any], Any] | None:
        """The compiled completion of a resolver's value of an object type or a list of one,
        or None for other types or selections that are not all plain."""
        namespace: dict[str, Any] = {"_Bail": Bail, "_no_item": _no_item, "_CAST": CAST_ATTRIBUTE}
        type_, non_null = unwrap(return_type)
        body: list[str]
        if isinstance(type_, GraphQLObjectType):
            obj = self._object(details, type_, "O", namespace)
            if obj is None:
                return None
            body = [f"v = {obj('v', False)}"]
        elif isinstance(type_, GraphQLList):
            item, item_non_null = unwrap(type_.of_type)
            if not isinstance(item, GraphQLObjectType):
                return None
            obj = self._object(details, item, "O", namespace)
            if obj is None:
                return None
            body = [
                "if type(v) is not list and type(v) is not tuple:",
                "    raise _Bail",
                f"v = [{obj('x', not item_non_null)} for x in v]",
            ]
        else:
            return None
        return _define(
            ["def complete(v):", *self._guard("v", non_null, body), "    return v"], namespace
        )

    @staticmethod
    def _guard(value: str, non_null: bool, body: list[str]) -> list[str]:
        """``body`` run on a non-null value; a null passes when allowed, else bails."""
        if non_null:
            return [f"    if {value} is None:", "        raise _Bail", *("    " + b for b in body)]
        return [f"    if {value} is not None:", *("        " + b for b in body)]

    @staticmethod
    def _leaf(
        type_: GraphQLOutputType, prefix: str, namespace: dict[str, Any]
    ) -> Callable[[str], list[str]] | None:
        """Statements serializing a leaf value held in a variable (bailing when refused)."""
        coerce = leaf_coerce(type_)
        if coerce is None:
            return None
        namespace[f"{prefix}k"] = coerce
        exact = None
        if isinstance(type_, GraphQLScalarType) and type_ is specified_scalar(type_.name):
            exact = _KNOWN_EXACT.get(type_.name)
        if exact is not None:
            namespace[f"{prefix}t"] = exact
            bounds = f" or not ({_INT_RANGE})" if exact is int else ""

            def scalar(v: str) -> list[str]:
                test = f"type({v}) is not {prefix}t" + bounds.format(v=v)
                return [f"if {test}:", f"    {v} = _leaf({prefix}k, {v})"]

            return scalar
        if isinstance(type_, GraphQLEnumType):
            enum_class, names = enum_names(type_)
            if enum_class is not None:
                namespace[f"{prefix}e"], namespace[f"{prefix}n"] = enum_class, names

                def enum(v: str) -> list[str]:
                    return [
                        f"{v} = {prefix}n[{v}] if type({v}) is {prefix}e else _leaf({prefix}k, {v})"
                    ]

                return enum
        return lambda v: [f"{v} = _leaf({prefix}k, {v})"]

    def _object(
        self,
        details: FieldDetailsList,
        object_type: GraphQLObjectType,
        prefix: str,
        namespace: dict[str, Any],
    ) -> Callable[[str, bool], str] | None:
        """An expression completing an object value: an exact instance of its class, else None
        when ``nullable`` allows it (the expression bails otherwise). A type without
        ``is_type_of`` (no interface, such as a connection's ``Edge[T]``, whose values are
        instances of the generic ``Edge``, not of its specialization) takes any value but an
        error, as graphql-core's ``complete_object_value`` does."""
        checked = object_type.is_type_of is not None
        cls = exact_class(object_type) if checked else None
        if checked and cls is None:
            return None
        fields, defer_usages, _ = self._executor.collect_subfields(object_type, details)
        if defer_usages:
            return None
        child = self._executor.compiled_for(object_type, fields)
        if child is None:
            return None
        if not checked:
            namespace[f"{prefix}f"] = child
            return lambda v, nullable: (
                f"{prefix}f({v}) if {v} is not None and not isinstance({v}, Exception) "
                f"else _no_item({v}, {nullable})"
            )
        namespace[f"{prefix}c"], namespace[f"{prefix}f"] = cls, child
        return lambda v, nullable: (
            f"{prefix}f({v}) if type({v}) is {prefix}c and not hasattr({v}, _CAST) "
            f"else _no_item({v}, {nullable})"
        )

    def _list_item(
        self, step: Step, prefix: str, namespace: dict[str, Any]
    ) -> Callable[[str], str] | None:
        """An expression completing one list item (None where allowed, else bailing)."""
        assert step.field_def is not None
        item, _ = unwrap(item_type(step.field_def.type))
        nullable = not step.item_non_null
        if step.item_object is not None:
            obj = self._object(step.details, step.item_object, prefix, namespace)
            if obj is None:
                return None
            return lambda v: obj(v, nullable)
        coerce = leaf_coerce(item)
        if coerce is None:
            return None
        namespace[f"{prefix}k"] = coerce
        if nullable:
            return lambda v: f"None if {v} is None else _leaf({prefix}k, {v})"
        return lambda v: f"_leaf({prefix}k, {v})"
