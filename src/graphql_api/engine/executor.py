"""A faster field executor: graphql-core's, with a short path for plain attribute fields.

graphql-core completes every field the same way: it builds a ``Path`` and a resolve-info
object, calls the resolver through Strawberry's wrapper, checks twice whether the result is
awaitable and dispatches on the return type. A comparison page selects about 440 fields, most
of them plain attributes (``slug``, ``quote``, ``reviewer { name }``), and that per-field
machinery was most of the page's CPU time (see the README, "Performance benchmark").

``FastExecutor.execute_fields`` classifies each field of a selection set once (``_Step``; kept
per parsed operation when no selection carries a directive, see ``_OperationPlans``) and then,
for *plain* fields (a Strawberry field without resolver, arguments or field extensions, of a
leaf, object or list type), reads the attribute and completes the value directly.
Everything else (fields with resolvers or arguments, abstract types, ``__typename``
and introspection, ``@defer``/``@stream``, resolver middleware) goes through graphql-core's
own ``execute_field`` unchanged.

For a static operation (no directive on any selection) it goes one step further: a selection
set whose fields are all plain, and so are those of every object below it, is compiled once
into a Python function that reads the attributes and builds the response dict directly
(``_Compiler``); so is the completion of a resolver's object or list of objects. A comparison
page then runs five fields through graphql-core (the root and four resolvers) and ~440 in
compiled code. Compiled code never reports an error itself: on anything unusual it gives up,
and that selection set is executed field by field as described here.

Semantics are graphql-core's: whenever the short path meets anything unusual (a null in a
non-null position, a value a scalar refuses, a failed ``is_type_of``), it hands that one field
back to ``execute_field`` to produce the value or the located error exactly as graphql-core
does (reading a plain attribute twice has no side effects). Errors raised below an object
field are handled with ``handle_field_error`` as graphql-core does. A differential test runs
every trusted document and fuzzer-generated queries through both executors and compares.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    specified_scalar_types,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE as _CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from graphql_api.caching.budget import ByteLRU
from graphql_api.engine.documents import document_size

_PLAIN_LEAF = 1
_PLAIN_OBJECT = 2
_PLAIN_LIST = 3
_GENERAL = 4

Coerce = Callable[[Any], Any]
Compiled = Callable[[Any], dict[str, Any]]
_FAILED = object()
"""A plain attribute that raised: graphql-core's path re-reads it and locates the error."""

# Leaf values graphql-core's built-in scalars answer unchanged (checked by exact type).
_PASSTHROUGH: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_SPECIFIED: dict[str, GraphQLScalarType] = dict(specified_scalar_types)


class _Step:
    """How one response key of a selection set is executed (see ``_classify``)."""

    __slots__ = (
        "attr",
        "children",
        "coerce",
        "details",
        "enum_class",
        "enum_names",
        "field_def",
        "getter",
        "item_coerce",
        "item_non_null",
        "item_object",
        "kind",
        "name",
        "non_null",
        "object_type",
        "passthrough",
    )

    def __init__(self, name: str, details: FieldDetailsList, field_def: GraphQLField | None):
        self.name = name
        self.details = details
        self.field_def = field_def
        self.kind = _GENERAL
        self.attr = ""
        self.getter: Callable[[Any, str], Any] = getattr
        self.non_null = False
        self.coerce: Coerce | None = None
        self.passthrough: type | None = None
        self.enum_class: type | None = None
        self.enum_names: dict[Any, str] = {}
        self.object_type: GraphQLObjectType | None = None
        self.item_non_null = False
        self.item_coerce: Coerce | None = None
        self.item_object: GraphQLObjectType | None = None
        self.children: dict[GraphQLObjectType, tuple[GroupedFieldSet, list[_Step]]] = {}
        """Per object type: the sub-selection's fields and plan (kept for static operations)."""


def _alive(executor: weakref.ref[FastExecutor]) -> FastExecutor:
    found = executor()
    assert found is not None  # its helpers are only called while it executes
    return found


def specified_scalar(name: str) -> GraphQLScalarType | None:
    """graphql-core's own scalar of that name (String, Int...), or None."""
    return _SPECIFIED.get(name)


def _enum_names(type_: GraphQLEnumType) -> tuple[type | None, dict[Any, str]]:
    """For a Strawberry enum: its Python class and each member's GraphQL name, as Strawberry's
    ``coerce_output_value`` answers them (the first value whose ``.value`` is the member's)."""
    wrapped = getattr(type_, "wrapped_cls", None)
    if not isinstance(wrapped, type) or not issubclass(wrapped, Enum):
        return None, {}
    names: dict[Any, str] = {}
    for member in wrapped:
        for name, value in type_.values.items():
            if member.value == value.value:
                names[member] = name
                break
        else:
            return None, {}  # a member Strawberry would refuse: graphql-core's path says so
    return wrapped, names


def _unwrap(type_: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def _leaf_coerce(type_: GraphQLOutputType) -> Coerce | None:
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        return type_.coerce_output_value
    return None


def _classify(step: _Step, middleware: bool) -> _Step:
    """Mark ``step`` plain when the short path may complete it; leave it general otherwise."""
    field_def = step.field_def
    if field_def is None or middleware or field_def.args:
        return step
    node = step.details[0].node
    if node.arguments or node.directives or len(step.details) != 1:
        return step
    strawberry_field = field_def.extensions.get("strawberry-definition")
    resolve = field_def.resolve
    if (
        not isinstance(strawberry_field, StrawberryField)
        or not strawberry_field.is_basic_field
        or not getattr(resolve, "_is_default", False)
    ):
        return step
    step.attr = strawberry_field.python_name
    step.getter = strawberry_field.default_resolver
    type_, step.non_null = _unwrap(field_def.type)
    coerce = _leaf_coerce(type_)
    if coerce is not None:
        step.kind, step.coerce = _PLAIN_LEAF, coerce
        if isinstance(type_, GraphQLScalarType) and type_ is specified_scalar(type_.name):
            step.passthrough = _PASSTHROUGH.get(type_.name)
        elif isinstance(type_, GraphQLEnumType):
            step.enum_class, step.enum_names = _enum_names(type_)
    elif isinstance(type_, GraphQLObjectType):
        step.kind, step.object_type = _PLAIN_OBJECT, type_
    elif isinstance(type_, GraphQLList):
        item, step.item_non_null = _unwrap(type_.of_type)
        step.item_coerce = _leaf_coerce(item)
        if step.item_coerce is not None:
            step.kind = _PLAIN_LIST
        elif isinstance(item, GraphQLObjectType):
            step.kind, step.item_object = _PLAIN_LIST, item
    return step


class _Fallback(Exception):
    """The short path met something unusual: let graphql-core execute this field."""


class _OperationPlans:
    """What may be reused by every request that executes the same parsed operation.

    Strawberry's ParserCache hands out the same ``DocumentNode`` for the same query text, so an
    operation node identifies a document for as long as it is cached here (this entry keeps it
    alive, so node ids cannot be reused). When no selection in the document carries a directive
    (``@skip``, ``@include``, ``@defer``...), which fields are collected does not depend on the
    variables, and the collected field sets and their plans are the same for every request.
    """

    __slots__ = (
        "collected",
        "compiled",
        "compiled_values",
        "operation",
        "plans",
        "schema",
        "static",
    )

    def __init__(self, schema: object, operation: OperationDefinitionNode, static: bool) -> None:
        self.schema = schema
        self.operation = operation
        self.static = static
        self.collected: dict[tuple[Any, ...], CollectedFields] = {}
        self.plans: dict[int, tuple[GroupedFieldSet, list[_Step]]] = {}
        self.compiled: dict[int, tuple[GroupedFieldSet, Compiled | None]] = {}
        self.compiled_values: dict[
            tuple[int, int], tuple[FieldDetailsList, GraphQLOutputType, Callable[[Any], Any] | None]
        ] = {}


_OPERATIONS: ByteLRU[tuple[int, bool], _OperationPlans] = ByteLRU(64 * 1024 * 1024, 512)
"""Operations whose plans are kept (least recently used dropped first), like the parser cache:
512 at most, and at most 64 MB of the documents they keep alive."""


def _has_directives(selection_set: SelectionSetNode | None) -> bool:
    stack = [selection_set]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        for selection in current.selections:
            if selection.directives:
                return True
            if isinstance(selection, FieldNode | InlineFragmentNode):
                stack.append(selection.selection_set)
    return False


def _operation_plans(
    schema: object,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    middleware: bool,
) -> _OperationPlans:
    key = (id(operation), middleware)
    entry = _OPERATIONS.get(key)
    if entry is not None and entry.operation is operation and entry.schema is schema:
        return entry
    static = not _has_directives(operation.selection_set) and not any(
        _has_directives(f.selection_set) for f in fragments.values()
    )
    entry = _OperationPlans(schema, operation, static)
    _OPERATIONS.put(key, entry, document_size(operation))
    return entry


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with the short path for plain fields (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core's helpers hold the executor's bound methods, and the executor holds them:
        # a cycle that kept every request's context (loaders, rows, request) alive until the
        # cycle collector ran. Through a weak reference the request is freed when it ends.
        executor = weakref.ref(self)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda *a, **k: _alive(executor).gather_async_work(*a, **k),
            track=lambda *a, **k: _alive(executor).track_async_work(*a, **k),
        )
        manager = self.middleware_manager
        self._middleware = manager is not None and bool(manager.middlewares)
        shared = _operation_plans(
            self.schema, self.operation, self.fragment_definitions, self._middleware
        )
        self._static = shared.static
        self._collected = shared.collected
        self._plans = shared.plans if shared.static else {}
        self._compiled = shared.compiled
        self._compiled_values = shared.compiled_values
        # The root selection set is collected afresh for every request: never compiled.
        self._root_type = self.schema.get_root_type(self.operation.operation)

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        if not self._static:
            return super().collect_subfields(return_type, field_details_list)
        key = (return_type, *[id(details.node) for details in field_details_list])
        collected = self._collected.get(key)
        if collected is None:
            collected = super().collect_subfields(return_type, field_details_list)
            self._collected[key] = collected
        return collected

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[_Step]:
        # Grouped field sets are memoized by collect_subfields (per request, or per operation
        # when static), so their identity is stable while their plan is kept: the set is kept
        # alive next to it.
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        schema = self.schema
        steps = [
            _classify(
                _Step(name, details, schema.get_field(parent_type, details[0].node.name.value)),
                self._middleware,
            )
            for name, details in fields.items()
        ]
        self._plans[id(fields)] = (fields, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
        plan: list[_Step] | None = None,
    ) -> Any:
        if position_context is not None:  # incremental delivery (@defer) in play
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if self._static and parent_type is not self._root_type:
            compiled = self._compiled_for(parent_type, grouped_field_set)
            if compiled is not None:
                try:
                    return compiled(source_value)
                except Exception:  # anything unusual: the field-by-field path below decides
                    pass
        results: dict[str, Any] = {}
        pending: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for step in plan or self._plan(parent_type, grouped_field_set):
                name = step.name
                kind = step.kind
                result: Any
                if kind == _PLAIN_LEAF:
                    try:
                        value = step.getter(source_value, step.attr)
                    except Exception:  # graphql-core's path locates the error
                        value = _FAILED
                    if value is None and not step.non_null:
                        results[name] = None
                        continue
                    if type(value) is step.passthrough:  # e.g. a str for a String
                        results[name] = value
                        continue
                    if type(value) is step.enum_class:  # a member of a Strawberry enum
                        results[name] = step.enum_names[value]
                        continue
                    result = _coerce_leaf(step.coerce, value)
                    if result is Undefined:
                        result = self._general(step, parent_type, source_value, path)
                elif kind == _GENERAL:
                    result = self._general(step, parent_type, source_value, path)
                else:
                    result = self._plain_composite(step, parent_type, source_value, path)
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        pending.append(name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results
        return _gather(results, pending)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        # A resolver's object or list of objects (a comparison's sides, say): compiled when the
        # selection below is all plain. Root fields' details are collected per request: skipped.
        if self._static and position_context is None and info.parent_type is not self._root_type:
            key = (id(field_details_list), id(return_type))
            cached = self._compiled_values.get(key)
            if cached is None or cached[0] is not field_details_list:
                compiled = _Compiler(self).compile_value(return_type, field_details_list)
                cached = self._compiled_values[key] = (field_details_list, return_type, compiled)
            if cached[2] is not None:
                try:
                    return cached[2](result)
                except Exception:  # graphql-core's path decides, and locates any error
                    pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _compiled_for(
        self, object_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> Compiled | None:
        """The compiled completion of ``fields`` on ``object_type`` (static operations only),
        or None when some field in it, or below it, is not plain."""
        cached = self._compiled.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        compiled = _Compiler(self).compile(object_type, fields)
        self._compiled[id(fields)] = (fields, compiled)
        return compiled

    def _general(
        self, step: _Step, parent_type: GraphQLObjectType, source: Any, path: Path | None
    ) -> Any:
        return self.execute_field(
            parent_type, source, step.details, Path(path, step.name, parent_type.name), None
        )

    def _plain_composite(
        self, step: _Step, parent_type: GraphQLObjectType, source: Any, path: Path | None
    ) -> Any:
        """An object or list field read from an attribute, completed without resolve info."""
        try:
            value = step.getter(source, step.attr)
        except Exception:  # graphql-core's path locates the error
            return self._general(step, parent_type, source, path)
        if value is None:
            if step.non_null:
                return self._general(step, parent_type, source, path)
            return None
        field_path = Path(path, step.name, parent_type.name)
        try:
            if step.kind == _PLAIN_OBJECT:
                assert step.object_type is not None
                completed = self._complete_object(
                    step, parent_type, step.object_type, value, field_path
                )
            else:
                completed = self._complete_list(step, parent_type, value, field_path)
        except _Fallback:
            return self._general(step, parent_type, source, path)
        except Exception as raw_error:
            assert step.field_def is not None
            self.handle_field_error(raw_error, step.field_def.type, step.details, field_path)
            return None
        if self.is_awaitable(completed):
            assert step.field_def is not None
            return self._await_field(completed, step.field_def.type, step, field_path)
        return completed

    async def _await_field(
        self, completed: Awaitable[Any], type_: GraphQLOutputType, step: _Step, path: Path
    ) -> Any:
        """Await a completed field or list item; its error is located as graphql-core does."""
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, type_, step.details, path)
            return None

    def _complete_object(
        self,
        step: _Step,
        parent_type: GraphQLObjectType,
        object_type: GraphQLObjectType,
        value: Any,
        path: Path,
    ) -> Any:
        if isinstance(value, Exception):
            raise _Fallback
        is_type_of = object_type.is_type_of
        if is_type_of is not None and (
            type(value) is not _exact_class(object_type) or hasattr(value, _CAST_ATTRIBUTE)
        ):
            assert step.field_def is not None
            info = self.build_resolve_info(
                step.field_def, [step.details[0].node], parent_type, path
            )
            if is_type_of(value, info) is not True:  # False or awaitable: graphql-core decides
                raise _Fallback
        children = step.children.get(object_type) if self._static else None
        if children is None:
            fields, defer_usages, _ = self.collect_subfields(object_type, step.details)
            if defer_usages:
                raise _Fallback
            children = (fields, self._plan(object_type, fields))
            if self._static:
                step.children[object_type] = children
        return self.execute_fields(object_type, value, path, children[0], None, children[1])

    def _complete_list(
        self, step: _Step, parent_type: GraphQLObjectType, items: Any, path: Path
    ) -> Any:
        if not isinstance(items, list | tuple):
            raise _Fallback  # generators, async iterables and non-lists: graphql-core's path
        item_object = step.item_object
        item_coerce = step.item_coerce
        assert step.field_def is not None
        item_type = _item_type(step.field_def.type)
        completed: list[Any] = []
        pending: list[int] = []
        for index, item in enumerate(items):
            if item is None:
                if step.item_non_null:
                    raise _Fallback
                completed.append(None)
                continue
            if item_coerce is not None:
                result = _coerce_leaf(item_coerce, item)
                if result is Undefined:
                    raise _Fallback
                completed.append(result)
                continue
            assert item_object is not None
            item_path = path.add_key(index, None)
            try:
                result = self._complete_object(step, parent_type, item_object, item, item_path)
            except _Fallback:
                if pending:
                    self.settle_in_background([completed[i] for i in pending])
                raise
            except Exception as raw_error:
                self.handle_field_error(raw_error, item_type, step.details, item_path)
                result = None
            if self.is_awaitable(result):
                result = self._await_field(result, item_type, step, item_path)
                pending.append(index)
            completed.append(result)
        if not pending:
            return completed
        return _gather(completed, pending)


@functools.cache
def _exact_class(object_type: GraphQLObjectType) -> type | None:
    """The class whose exact instances Strawberry's generated ``is_type_of`` always accepts.

    Strawberry's own check is an ``isinstance`` against the type (and its interfaces), unless the
    value was ``strawberry.cast`` to another type; a type may also bring an ``is_type_of`` of its
    own. Only in the plain case is an exact instance known to pass without calling the check.
    """
    definition = object_type.extensions.get("strawberry-definition")
    if definition is None or getattr(definition, "is_type_of", None) is not None:
        return None
    origin: type | None = getattr(definition, "origin", None)
    return origin


def _item_type(list_type: GraphQLOutputType) -> GraphQLOutputType:
    type_, _ = _unwrap(list_type)
    assert isinstance(type_, GraphQLList)
    item: GraphQLOutputType = type_.of_type
    return item


def _coerce_leaf(coerce: Coerce | None, value: Any) -> Any:
    """The serialized leaf, or ``Undefined`` when graphql-core's path must decide."""
    if value is None or value is _FAILED or coerce is None:
        return Undefined
    try:
        result = coerce(value)
    except Exception:
        return Undefined
    if result is None:
        return Undefined
    return result


class _Bail(Exception):
    """Raised inside compiled code: something unusual, the field-by-field path decides."""


def _leaf(coerce: Coerce, value: Any) -> Any:
    """A leaf serialized by its type, as graphql-core would, or _Bail when that fails."""
    result = _coerce_leaf(coerce, value)
    if result is Undefined:
        raise _Bail
    return result


def _no_item(item: Any, nullable: bool) -> None:
    """A list item the compiled test refused: None where allowed, otherwise _Bail."""
    if item is None and nullable:
        return None
    raise _Bail


_INT_RANGE = "-2147483648 <= {v} <= 2147483647"
"""graphql-core's Int: a 32-bit signed integer."""
_KNOWN_EXACT: dict[str, type] = {**_PASSTHROUGH, "Int": int}


def _define(lines: list[str], namespace: dict[str, Any]) -> Compiled:
    """The function ``complete`` defined by generated ``lines`` (names come from the schema and
    the operation's response keys, never from values)."""
    exec("\n".join(lines), namespace)
    complete: Compiled = namespace["complete"]
    return complete


class _Compiler:
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
            "_Bail": _Bail,
            "_leaf": _leaf,
            "_no_item": _no_item,
            "_CAST": _CAST_ATTRIBUTE,
        }
        lines = ["def complete(o):"]
        keys: list[str] = []
        for i, step in enumerate(executor._plan(object_type, fields)):
            if step.kind == _GENERAL or step.getter is not getattr or not step.attr.isidentifier():
                return None
            value = f"v{i}"
            lines.append(f"    {value} = o.{step.attr}")
            if step.kind == _PLAIN_LEAF:
                assert step.field_def is not None
                leaf = self._leaf(_unwrap(step.field_def.type)[0], f"L{i}", namespace)
                if leaf is None:
                    return None
                lines += self._guard(value, step.non_null, leaf(value))
            elif step.kind == _PLAIN_OBJECT:
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
        namespace: dict[str, Any] = {"_Bail": _Bail, "_no_item": _no_item, "_CAST": _CAST_ATTRIBUTE}
        type_, non_null = _unwrap(return_type)
        body: list[str]
        if isinstance(type_, GraphQLObjectType):
            obj = self._object(details, type_, "O", namespace)
            if obj is None:
                return None
            body = [f"v = {obj('v', False)}"]
        elif isinstance(type_, GraphQLList):
            item, item_non_null = _unwrap(type_.of_type)
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
        coerce = _leaf_coerce(type_)
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
            enum_class, names = _enum_names(type_)
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
        when ``nullable`` allows it (the expression bails otherwise)."""
        cls = _exact_class(object_type)
        if cls is None:
            return None
        fields, defer_usages, _ = self._executor.collect_subfields(object_type, details)
        if defer_usages:
            return None
        child = self._executor._compiled_for(object_type, fields)
        if child is None:
            return None
        namespace[f"{prefix}c"], namespace[f"{prefix}f"] = cls, child
        return lambda v, nullable: (
            f"{prefix}f({v}) if type({v}) is {prefix}c and not hasattr({v}, _CAST) "
            f"else _no_item({v}, {nullable})"
        )

    def _list_item(
        self, step: _Step, prefix: str, namespace: dict[str, Any]
    ) -> Callable[[str], str] | None:
        """An expression completing one list item (None where allowed, else bailing)."""
        assert step.field_def is not None
        item_type, _ = _unwrap(_item_type(step.field_def.type))
        nullable = not step.item_non_null
        if step.item_object is not None:
            obj = self._object(step.details, step.item_object, prefix, namespace)
            if obj is None:
                return None
            return lambda v: obj(v, nullable)
        coerce = _leaf_coerce(item_type)
        if coerce is None:
            return None
        namespace[f"{prefix}k"] = coerce
        if nullable:
            return lambda v: f"None if {v} is None else _leaf({prefix}k, {v})"
        return lambda v: f"_leaf({prefix}k, {v})"


_Container = TypeVar("_Container", dict[str, Any], list[Any])


async def _gather(container: _Container, pending: list[Any]) -> _Container:
    """``container`` with the awaitables at the ``pending`` keys (or indices) awaited together."""
    if len(pending) == 1:
        container[pending[0]] = await container[pending[0]]
    else:
        values = await gather_with_cancel(*(container[key] for key in pending))
        for key, value in zip(pending, values, strict=True):
            container[key] = value
    return container
