"""A faster field executor: graphql-core's, with a short path for plain attribute fields.

graphql-core completes every field the same way: it builds a ``Path`` and a resolve-info object,
calls the resolver through Strawberry's wrapper, checks twice whether the result is awaitable
and dispatches on the return type. A comparison page selects about 440 fields, most of them
plain attributes (``slug``, ``quote``, ``reviewer { name }``), and that per-field machinery was
most of the page's CPU time (see docs/performance.md#hot-path).

``FastExecutor.execute_fields`` classifies each field of a selection set once (``plan.Step``;
kept per parsed operation when no selection carries a directive, see ``plan.OperationPlans``)
and then, for *plain* fields (a Strawberry field without resolver, arguments or field
extensions, of a leaf, object or list type), reads the attribute and completes the value
directly. Everything else (fields with resolvers or arguments, abstract types, ``__typename``
and introspection, ``@defer``/``@stream``, resolver middleware) goes through graphql-core's own
``execute_field`` unchanged.

For a static operation (no directive on any selection) it goes one step further: a selection set
whose fields are all plain, and so are those of every object below it, is compiled once into a
Python function that reads the attributes and builds the response dict directly
(``graphql_api.engine.compile.Compiler``); so is the completion of a resolver's object or list
of objects. A comparison page then runs five fields through graphql-core (the root and four
resolvers) and ~440 in compiled code. Compiled code never reports an error itself: on anything
unusual it gives up, and that selection set is executed field by field as described here.

Semantics are graphql-core's: whenever the short path meets anything unusual (a null in a non-
null position, a value a scalar refuses, a failed ``is_type_of``), it hands that one field back
to ``execute_field`` to produce the value or the located error exactly as graphql-core does
(reading a plain attribute twice has no side effects). Errors raised below an object field are
handled with ``handle_field_error`` as graphql-core does. A differential test runs every trusted
document and fuzzer-generated queries through both executors and compares.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable
from typing import Any, TypeVar

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
)
from graphql.pyutils import Path, Undefined

from graphql_api.engine._compat import (
    CAST_ATTRIBUTE,
    CollectedFields,
    FieldDetailsList,
    GroupedFieldSet,
    StrawberryGraphQLCoreExecutionContext,
    gather_with_cancel,
)
from graphql_api.engine.compile import Compiler
from graphql_api.engine.plan import (
    FAILED,
    GENERAL,
    PLAIN_LEAF,
    PLAIN_OBJECT,
    Compiled,
    Fallback,
    Step,
    classify,
    coerce_leaf,
    exact_class,
    item_type,
    operation_plans,
)


def _alive(executor: weakref.ref[FastExecutor]) -> FastExecutor:
    found = executor()
    assert found is not None  # its helpers are only called while it executes
    return found


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
        shared = operation_plans(
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

    def plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Step]:
        # Grouped field sets are memoized by collect_subfields (per request, or per operation
        # when static), so their identity is stable while their plan is kept: the set is kept
        # alive next to it.
        cached = self._plans.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        schema = self.schema
        steps = [
            classify(
                Step(name, details, schema.get_field(parent_type, details[0].node.name.value)),
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
        plan: list[Step] | None = None,
    ) -> Any:
        if position_context is not None:  # incremental delivery (@defer) in play
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        if self._static and parent_type is not self._root_type:
            compiled = self.compiled_for(parent_type, grouped_field_set)
            if compiled is not None:
                try:
                    return compiled(source_value)
                except Exception:  # anything unusual: the field-by-field path below decides
                    pass
        results: dict[str, Any] = {}
        pending: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for step in plan or self.plan(parent_type, grouped_field_set):
                name = step.name
                kind = step.kind
                result: Any
                if kind == PLAIN_LEAF:
                    try:
                        value = step.getter(source_value, step.attr)
                    except Exception:  # graphql-core's path locates the error
                        value = FAILED
                    if value is None and not step.non_null:
                        results[name] = None
                        continue
                    if type(value) is step.passthrough:  # e.g. a str for a String
                        results[name] = value
                        continue
                    if type(value) is step.enum_class:  # a member of a Strawberry enum
                        results[name] = step.enum_names[value]
                        continue
                    result = coerce_leaf(step.coerce, value)
                    if result is Undefined:
                        result = self._general(step, parent_type, source_value, path)
                elif kind == GENERAL:
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
            compiled = self._compiled_value(return_type, field_details_list)
            if compiled is not None:
                try:
                    return compiled(result)
                except Exception:  # graphql-core's path decides, and locates any error
                    pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _compiled_value(
        self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Compiled | None:
        """The compiled completion of a value of ``return_type`` (static operations only)."""
        key = (id(field_details_list), id(return_type))
        cached = self._compiled_values.get(key)
        if cached is None or cached[0] is not field_details_list:
            compiled = Compiler(self).compile_value(return_type, field_details_list)
            cached = self._compiled_values[key] = (field_details_list, return_type, compiled)
        return cached[2]

    def compiled_for(
        self, object_type: GraphQLObjectType, fields: GroupedFieldSet
    ) -> Compiled | None:
        """The compiled completion of ``fields`` on ``object_type`` (static operations only),
        or None when some field in it, or below it, is not plain."""
        cached = self._compiled.get(id(fields))
        if cached is not None and cached[0] is fields:
            return cached[1]
        compiled = Compiler(self).compile(object_type, fields)
        self._compiled[id(fields)] = (fields, compiled)
        return compiled

    def _general(
        self, step: Step, parent_type: GraphQLObjectType, source: Any, path: Path | None
    ) -> Any:
        return self.execute_field(
            parent_type, source, step.details, Path(path, step.name, parent_type.name), None
        )

    def _plain_composite(
        self, step: Step, parent_type: GraphQLObjectType, source: Any, path: Path | None
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
        if self._static:
            # A plain list or object beside a resolver (a connection's edges beside its
            # totalCount): completed whole by compiled code, not item by item below.
            assert step.field_def is not None
            compiled = self._compiled_value(step.field_def.type, step.details)
            if compiled is not None:
                try:
                    return compiled(value)
                except Exception:  # anything unusual: completed item by item below
                    pass
        field_path = Path(path, step.name, parent_type.name)
        try:
            if step.kind == PLAIN_OBJECT:
                assert step.object_type is not None
                completed = self._complete_object(
                    step, parent_type, step.object_type, value, field_path
                )
            else:
                completed = self._complete_list(step, parent_type, value, field_path)
        except Fallback:
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
        self, completed: Awaitable[Any], type_: GraphQLOutputType, step: Step, path: Path
    ) -> Any:
        """Await a completed field or list item; its error is located as graphql-core does."""
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, type_, step.details, path)
            return None

    def _complete_object(
        self,
        step: Step,
        parent_type: GraphQLObjectType,
        object_type: GraphQLObjectType,
        value: Any,
        path: Path,
    ) -> Any:
        if isinstance(value, Exception):
            raise Fallback
        is_type_of = object_type.is_type_of
        if is_type_of is not None and (
            type(value) is not exact_class(object_type) or hasattr(value, CAST_ATTRIBUTE)
        ):
            assert step.field_def is not None
            info = self.build_resolve_info(
                step.field_def, [step.details[0].node], parent_type, path
            )
            if is_type_of(value, info) is not True:  # False or awaitable: graphql-core decides
                raise Fallback
        children = step.children.get(object_type) if self._static else None
        if children is None:
            fields, defer_usages, _ = self.collect_subfields(object_type, step.details)
            if defer_usages:
                raise Fallback
            children = (fields, self.plan(object_type, fields))
            if self._static:
                step.children[object_type] = children
        return self.execute_fields(object_type, value, path, children[0], None, children[1])

    def _complete_list(
        self, step: Step, parent_type: GraphQLObjectType, items: Any, path: Path
    ) -> Any:
        if not isinstance(items, list | tuple):
            raise Fallback  # generators, async iterables and non-lists: graphql-core's path
        item_object = step.item_object
        item_coerce = step.item_coerce
        assert step.field_def is not None
        of_item = item_type(step.field_def.type)
        completed: list[Any] = []
        pending: list[int] = []
        for index, item in enumerate(items):
            if item is None:
                if step.item_non_null:
                    raise Fallback
                completed.append(None)
                continue
            if item_coerce is not None:
                result = coerce_leaf(item_coerce, item)
                if result is Undefined:
                    raise Fallback
                completed.append(result)
                continue
            assert item_object is not None
            item_path = path.add_key(index, None)
            try:
                result = self._complete_object(step, parent_type, item_object, item, item_path)
            except Fallback:
                if pending:
                    self.settle_in_background([completed[i] for i in pending])
                raise
            except Exception as raw_error:
                self.handle_field_error(raw_error, of_item, step.details, item_path)
                result = None
            if self.is_awaitable(result):
                result = self._await_field(result, of_item, step, item_path)
                pending.append(index)
            completed.append(result)
        if not pending:
            return completed
        return _gather(completed, pending)


StockExecutor = StrawberryGraphQLCoreExecutionContext
"""Strawberry's own executor class, which ``FastExecutor`` extends (for differential tests)."""

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
