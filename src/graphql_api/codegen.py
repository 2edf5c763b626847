"""Typed client code for the demo page, generated from the committed schema.

Reads ``web/operations/*.graphql`` (one operation per file, plus its fragments), validates each
against ``schema/schema.graphql`` and writes ``web/generated/operations.js``: a JSDoc ``@typedef``
for every operation's result and variables (and the enums and input types they use), and one
frozen descriptor per operation with its exact document text and that text's SHA-256, which the
page sends as an Apollo persisted-query hash. The same hashes make up the trusted-documents
manifest (``graphql_api.persisted.manifest``).

    python -m graphql_api.codegen           # regenerate
    python -m graphql_api.codegen --check   # exit 1 when the committed files are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    build_schema,
    is_abstract_type,
    parse,
    type_from_ast,
    validate,
)

from graphql_api.persisted.manifest import document_hash
from verdict.settings import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema" / "schema.graphql"
OPERATIONS_DIR = PROJECT_ROOT / "web" / "operations"
OUTPUT_JS = PROJECT_ROOT / "web" / "generated" / "operations.js"
_SCALARS = {"String": "string", "ID": "string", "DateTime": "string", "Int": "number"}
_SCALARS |= {"Float": "number", "Boolean": "boolean"}
_INDENT = "  "


class CodegenError(Exception):
    """An operation file is invalid against the schema, or is not one operation."""


@dataclass
class _Emitter:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    named: dict[str, GraphQLNamedType] = field(default_factory=dict)

    def output(
        self, type_: GraphQLOutputType, selection: SelectionSetNode | None, depth: int
    ) -> str:
        if isinstance(type_, GraphQLNonNull):
            return self._output_inner(type_.of_type, selection, depth)
        return f"{self._output_inner(type_, selection, depth)} | null"

    def _output_inner(
        self, type_: GraphQLOutputType, selection: SelectionSetNode | None, depth: int
    ) -> str:
        if isinstance(type_, GraphQLList):
            return f"Array<{self.output(type_.of_type, selection, depth)}>"
        if isinstance(type_, GraphQLScalarType):
            return _SCALARS.get(type_.name, "unknown")
        if isinstance(type_, GraphQLEnumType):
            self.named[type_.name] = type_
            return type_.name
        assert selection is not None, f"{type_} needs a selection set"
        if is_abstract_type(type_):
            possible = self.schema.get_possible_types(type_)
            return "\n" + "\n".join(
                f"{_INDENT * depth}| {self.object_type(obj, selection, depth)}" for obj in possible
            )
        assert isinstance(type_, GraphQLObjectType)
        return self.object_type(type_, selection, depth)

    def object_type(self, obj: GraphQLObjectType, selection: SelectionSetNode, depth: int) -> str:
        lines = []
        for node in self._fields(obj, selection):
            key = node.alias.value if node.alias else node.name.value
            if node.name.value == "__typename":
                lines.append(f"{key}: {json.dumps(obj.name)}")
                continue
            field_type = obj.fields[node.name.value].type
            lines.append(f"{key}: {self.output(field_type, node.selection_set, depth + 1)}")
        pad = _INDENT * (depth + 1)
        return "{\n" + "".join(f"{pad}{line};\n" for line in lines) + _INDENT * depth + "}"

    def _fields(self, obj: GraphQLObjectType, selection: SelectionSetNode) -> Iterable[FieldNode]:
        """The fields selected on ``obj``, with fragments that apply to it merged in order."""
        seen: dict[str, FieldNode] = {}
        for node in selection.selections:
            if isinstance(node, FieldNode):
                seen.setdefault(node.alias.value if node.alias else node.name.value, node)
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                condition, inner = fragment.type_condition.name.value, fragment.selection_set
            else:
                assert isinstance(node, InlineFragmentNode)
                condition = node.type_condition.name.value if node.type_condition else obj.name
                inner = node.selection_set
            if self._applies(condition, obj):
                for sub in self._fields(obj, inner):
                    seen.setdefault(sub.alias.value if sub.alias else sub.name.value, sub)
        return seen.values()

    def _applies(self, condition: str, obj: GraphQLObjectType) -> bool:
        target = self.schema.get_type(condition)
        if target is obj:
            return True
        return is_abstract_type(target) and self.schema.is_sub_type(target, obj)

    def input(self, type_: GraphQLInputType) -> str:
        if isinstance(type_, GraphQLNonNull):
            return self._input_inner(type_.of_type)
        return f"{self._input_inner(type_)} | null"

    def _input_inner(self, type_: GraphQLInputType) -> str:
        if isinstance(type_, GraphQLList):
            return f"Array<{self.input(type_.of_type)}>"
        if isinstance(type_, GraphQLScalarType):
            return _SCALARS.get(type_.name, "unknown")
        assert isinstance(type_, GraphQLEnumType | GraphQLInputObjectType)
        if type_.name not in self.named:
            self.named[type_.name] = type_
            if isinstance(type_, GraphQLInputObjectType):
                for input_field in type_.fields.values():
                    self.input(input_field.type)
        return type_.name


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    kind: str
    document: str
    result_type: str
    variables_type: str

    @property
    def sha256(self) -> str:
        return document_hash(self.document)


def load_operation(schema: GraphQLSchema, path: Path, emitter: _Emitter | None = None) -> Operation:
    """Parse and validate one operation file; raises CodegenError naming the file."""
    document_text = path.read_text()
    try:
        document: DocumentNode = parse(document_text)
    except Exception as exc:
        raise CodegenError(f"{path.name}: {exc}") from exc
    errors = validate(schema, document)
    if errors:
        raise CodegenError(f"{path.name}: " + "; ".join(e.message for e in errors))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        raise CodegenError(f"{path.name}: expected exactly one named operation")
    operation = operations[0]
    name = operation.name.value if operation.name else ""
    if name != path.stem:
        raise CodegenError(f"{path.name}: the operation must be named {path.stem}")
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    emitter = emitter or _Emitter(schema, fragments)
    emitter.fragments = fragments
    root = schema.get_root_type(operation.operation)
    assert root is not None
    result = emitter.object_type(root, operation.selection_set, 0)
    variables = []
    for definition in operation.variable_definitions or ():
        var_type = type_from_ast(schema, definition.type)
        optional = not isinstance(var_type, GraphQLNonNull) or definition.default_value
        mark = "?" if optional else ""
        var_js = emitter.input(var_type)  # type: ignore[arg-type]
        variables.append(f"{_INDENT}{definition.variable.name.value}{mark}: {var_js};\n")
    variables_type = "{\n" + "".join(variables) + "}" if variables else "Record<string, never>"
    return Operation(name, operation.operation.value, document_text, result, variables_type)


def _jsdoc(type_text: str, name: str) -> str:
    body = "\n".join(
        f" * {line}".rstrip() for line in f"@typedef {{{type_text}}} {name}".split("\n")
    )
    return f"/**\n{body}\n */\n"


def _named_typedef(type_: GraphQLNamedType, emitter: _Emitter) -> str:
    if isinstance(type_, GraphQLEnumType):
        return _jsdoc(" | ".join(json.dumps(v) for v in type_.values), type_.name)
    assert isinstance(type_, GraphQLInputObjectType)
    lines = []
    for key, input_field in type_.fields.items():
        required = isinstance(input_field.type, GraphQLNonNull)
        required = required and input_field.default_value is Undefined
        lines.append(f"{_INDENT}{key}{'' if required else '?'}: {emitter.input(input_field.type)};")
    return _jsdoc("{\n" + "\n".join(lines) + "\n}", type_.name)


def generate(schema_sdl: str, paths: Sequence[Path]) -> str:
    """The generated module, as text."""
    schema = build_schema(schema_sdl)
    emitter = _Emitter(schema, {})
    operations = [load_operation(schema, p, emitter) for p in sorted(paths)]
    out = [
        "// @ts-check\n",
        "// Generated by `python -m graphql_api.codegen` from schema/schema.graphql and\n",
        "// web/operations/*.graphql. Do not edit: change an operation and regenerate.\n\n",
        "/**\n * An operation the page sends: its exact document and that text's SHA-256 (the\n",
        " * persisted-query hash). The type parameters carry the result and variables types.\n",
        " * @template TResult, TVariables\n * @typedef {{\n",
        ' *   name: string;\n *   kind: "query" | "mutation" | "subscription";\n',
        " *   document: string;\n *   sha256: string;\n",
        " *   __types?: { result: TResult; variables: TVariables };\n * }} Operation\n */\n\n",
    ]
    for name in sorted(emitter.named):
        out.append(_named_typedef(emitter.named[name], emitter) + "\n")
    for op in operations:
        out.append(_jsdoc(op.result_type, f"{op.name}Result") + "\n")
        out.append(_jsdoc(op.variables_type, f"{op.name}Variables") + "\n")
        descriptor = {"name": op.name, "kind": op.kind, "document": op.document}
        descriptor["sha256"] = op.sha256
        out.append(f"/** @type {{Operation<{op.name}Result, {op.name}Variables>}} */\n")
        out.append(
            f"export const {op.name} = Object.freeze({json.dumps(descriptor, indent=2)});\n\n"
        )
    return "".join(out).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graphql_api.codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the output is stale")
    args = parser.parse_args(argv)
    try:
        js = generate(SCHEMA_FILE.read_text(), list(OPERATIONS_DIR.glob("*.graphql")))
    except CodegenError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 1
    targets = {OUTPUT_JS: js}
    if args.check:
        stale = [p for p, text in targets.items() if not p.exists() or p.read_text() != text]
        for path in stale:
            print(f"codegen: {path.relative_to(PROJECT_ROOT)} is stale", file=sys.stderr)
        if stale:
            print("codegen: run `python -m graphql_api.codegen`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
