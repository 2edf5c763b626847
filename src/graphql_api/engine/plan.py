"""The executor's plan: how each field of a selection set is executed.

``classify`` marks a field *plain* when the short path may complete it (a Strawberry field with
no resolver, arguments, directives or extensions, of a leaf, object or list type); everything
else stays *general* and goes through graphql-core's own ``execute_field``. ``OperationPlans``
keeps what every request of the same parsed, static operation may reuse. See
``graphql_api.engine.executor`` for how the plan is run and ``graphql_api.engine.compile`` for the
compiled completion of all-plain selection sets.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    specified_scalar_types,
)
from graphql.pyutils import Undefined

from graphql_api.caching.budget import ByteLRU
from graphql_api.engine._compat import (
    CollectedFields,
    FieldDetailsList,
    GroupedFieldSet,
    StrawberryField,
    is_default_resolver,
)
from graphql_api.engine.documents import document_size

PLAIN_LEAF = 1
PLAIN_OBJECT = 2
PLAIN_LIST = 3
GENERAL = 4

Coerce = Callable[[Any], Any]
Compiled = Callable[[Any], dict[str, Any]]
"""A compiled selection set: the response dict of one source object."""
FAILED = object()
"""A plain attribute that raised: graphql-core's path re-reads it and locates the error."""

# Leaf values graphql-core's built-in scalars answer unchanged (checked by exact type).
PASSTHROUGH: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_SPECIFIED: dict[str, GraphQLScalarType] = dict(specified_scalar_types)


class Step:
    """How one response key of a selection set is executed (see ``classify``)."""

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
        self.kind = GENERAL
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
        self.children: dict[GraphQLObjectType, tuple[GroupedFieldSet, list[Step]]] = {}
        """Per object type: the sub-selection's fields and plan (kept for static operations)."""


def specified_scalar(name: str) -> GraphQLScalarType | None:
    """graphql-core's own scalar of that name (String, Int...), or None."""
    return _SPECIFIED.get(name)


def enum_names(type_: GraphQLEnumType) -> tuple[type | None, dict[Any, str]]:
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


def unwrap(type_: GraphQLOutputType) -> tuple[GraphQLOutputType, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def leaf_coerce(type_: GraphQLOutputType) -> Coerce | None:
    if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        return type_.coerce_output_value
    return None


def classify(step: Step, middleware: bool) -> Step:
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
        or not is_default_resolver(resolve)
    ):
        return step
    step.attr = strawberry_field.python_name
    step.getter = strawberry_field.default_resolver
    type_, step.non_null = unwrap(field_def.type)
    coerce = leaf_coerce(type_)
    if coerce is not None:
        step.kind, step.coerce = PLAIN_LEAF, coerce
        if isinstance(type_, GraphQLScalarType) and type_ is specified_scalar(type_.name):
            step.passthrough = PASSTHROUGH.get(type_.name)
        elif isinstance(type_, GraphQLEnumType):
            step.enum_class, step.enum_names = enum_names(type_)
    elif isinstance(type_, GraphQLObjectType):
        step.kind, step.object_type = PLAIN_OBJECT, type_
    elif isinstance(type_, GraphQLList):
        item, step.item_non_null = unwrap(type_.of_type)
        step.item_coerce = leaf_coerce(item)
        if step.item_coerce is not None:
            step.kind = PLAIN_LIST
        elif isinstance(item, GraphQLObjectType):
            step.kind, step.item_object = PLAIN_LIST, item
    return step


class Fallback(Exception):
    """The short path met something unusual: let graphql-core execute this field."""


class OperationPlans:
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
        self.plans: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}
        self.compiled: dict[int, tuple[GroupedFieldSet, Compiled | None]] = {}
        self.compiled_values: dict[
            tuple[int, int], tuple[FieldDetailsList, GraphQLOutputType, Callable[[Any], Any] | None]
        ] = {}


_OPERATIONS: ByteLRU[tuple[int, bool], OperationPlans] = ByteLRU(64 * 1024 * 1024, 512)
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


def operation_plans(
    schema: object,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    middleware: bool,
) -> OperationPlans:
    key = (id(operation), middleware)
    entry = _OPERATIONS.get(key)
    if entry is not None and entry.operation is operation and entry.schema is schema:
        return entry
    static = not _has_directives(operation.selection_set) and not any(
        _has_directives(f.selection_set) for f in fragments.values()
    )
    entry = OperationPlans(schema, operation, static)
    _OPERATIONS.put(key, entry, document_size(operation))
    return entry


def exact_class(object_type: GraphQLObjectType) -> type | None:
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


def item_type(list_type: GraphQLOutputType) -> GraphQLOutputType:
    type_, _ = unwrap(list_type)
    assert isinstance(type_, GraphQLList)
    item: GraphQLOutputType = type_.of_type
    return item


def coerce_leaf(coerce: Coerce | None, value: Any) -> Any:
    """The serialized leaf, or ``Undefined`` when graphql-core's path must decide."""
    if value is None or value is FAILED or coerce is None:
        return Undefined
    try:
        result = coerce(value)
    except Exception:
        return Undefined
    if result is None:
        return Undefined
    return result
