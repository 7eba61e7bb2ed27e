"""Execution plans: an operation's selection sets worked out once, so execution only runs them.

graphql-core interprets the document for every object it completes: it looks the field up,
builds a resolve-info object, checks for arguments, and dispatches on the return type, for each
of the 3,400 fields of a dashboard answer. Most of that depends on the document alone. A plan
holds it, per object type and selection: each field's definition, nodes, how to read it and how
to complete its value. `compiled.py` runs plans; anything a plan cannot express (`@defer`,
`@stream`, fragment arguments, introspection, subscriptions) makes `compile_operation` return
None and the operation runs on graphql-core unchanged.

Fields are collected with graphql-core's own `collect_fields`/`collect_subfields`, so field
order, merging, fragments, type conditions and `@skip`/`@include` are exactly graphql-core's.
`@skip`/`@include` depend on variables: a plan is made for one set of those variables' values
(`directive_variables`), and the plan cache keys on them.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues
from graphql.language import DirectiveNode, FieldNode, Node, VariableNode
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from learnhub.graphql.execution.plain_fields import PlainFields

# How a field's value is obtained.
TYPENAME = 0  # `__typename`: the parent type's name
PLAIN = 1  # an attribute holding a scalar or enum: no resolver, no rule, no arguments
ATTRIBUTE = 2  # any other attribute: Strawberry's attribute reader, which takes no resolve-info
DIRECT = 3  # Strawberry resolver without arguments or rules: the Python function is called as is
RESOLVE = 4  # anything else: the field's resolve function with a resolve-info, as graphql-core does

_INCLUSION_DIRECTIVES = frozenset({"skip", "include"})


class Unsupported(Exception):
    """The operation uses something plans do not express; graphql-core executes it."""


@dataclass(slots=True, eq=False)
class Completion:
    """How to complete a value of one output type (the type's wrappers unfolded)."""

    type: GraphQLOutputType
    non_null: bool = False
    leaf: GraphQLLeafType | None = None
    item: Completion | None = None  # lists
    object: ObjectPlan | None = None  # object types
    abstract: GraphQLAbstractType | None = None  # interfaces and unions
    possible: dict[str, ObjectPlan] = field(default_factory=dict)  # abstract: plan per object type
    # Abstract types whose resolver is Strawberry's own for interfaces: for an object not cast
    # with `strawberry.cast`, the answer depends on its class alone, so it is remembered per
    # class (500 questions: 500 resolve-infos and type resolutions saved, ~4 ms of 26).
    type_by_class: dict[builtins.type, ObjectPlan] | None = None


@dataclass(slots=True, eq=False)
class FieldPlan:
    response_name: str
    field_name: str
    parent_type: GraphQLObjectType
    definition: GraphQLField
    details: list[FieldDetails]
    nodes: list[FieldNode]
    return_type: GraphQLOutputType
    kind: int
    resolve: Callable[..., Any]
    completion: Completion
    # PLAIN: the attribute and how its scalar is written
    attribute: str = ""
    coerce: Callable[[Any], Any] | None = None
    nullable: bool = True
    # DIRECT: the Python function and how it takes its parent and the resolve-info
    function: Callable[..., Any] | None = None
    strawberry_field: StrawberryField | None = None
    pass_self: bool = False
    parent_keywords: tuple[str, ...] = ()
    info_keyword: str | None = None
    has_arguments: bool = False
    # Whether completing the value needs a resolve-info (type checks of objects and abstract
    # types take one); DIRECT fields without it never build one.
    completion_needs_info: bool = False


@dataclass(slots=True, eq=False)
class ObjectPlan:
    type: GraphQLObjectType
    fields: list[FieldPlan] = field(default_factory=list)
    # The type's `is_type_of`, and whether it reads the resolve-info: Strawberry's own check (on
    # every type with an interface) is an isinstance test that ignores it, so no info is built.
    is_type_of: Callable[[Any, Any], Any] | None = None
    is_type_of_needs_info: bool = False


@dataclass(slots=True, eq=False)
class OperationPlan:
    root: ObjectPlan
    fields: int  # field plans in all, to size the cache's work


def directive_variables(definitions: Iterable[Node]) -> tuple[str, ...]:
    """Variables that `@skip`/`@include` read in an operation and its fragments: plans depend on their values."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, DirectiveNode) and node.name.value in _INCLUSION_DIRECTIVES:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)
        if isinstance(node, Node):
            for key in node.keys:
                child = getattr(node, key, None)
                if isinstance(child, Node):
                    visit(child)
                elif isinstance(child, tuple | list):
                    for item in child:
                        if isinstance(item, Node):
                            visit(item)

    for definition in definitions:
        visit(definition)
    return tuple(sorted(names))


class _Compiler:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        operation: OperationDefinitionNode,
        plain: PlainFields,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.operation = operation
        self.plain = plain
        self.count = 0

    @staticmethod
    def strawberry_field(definition: GraphQLField) -> StrawberryField | None:
        found = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        return found if isinstance(found, StrawberryField) else None

    def object_plan(self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> ObjectPlan:
        plan = ObjectPlan(parent, is_type_of=parent.is_type_of)
        # Strawberry's own check is an isinstance test that ignores the info.
        plan.is_type_of_needs_info = parent.is_type_of is not None and not _made_by_strawberry(
            parent.is_type_of, "_get_is_type_of.<locals>.is_type_of"
        )
        for response_name, details in grouped.items():
            plan.fields.append(self.field_plan(parent, response_name, details))
        return plan

    def field_plan(self, parent: GraphQLObjectType, response_name: str, details: list[FieldDetails]) -> FieldPlan:
        self.count += 1
        first = details[0]
        node = first.node
        name = node.name.value
        for detail in details:
            if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                raise Unsupported("@defer or fragment arguments")
            if any(d.name.value not in _INCLUSION_DIRECTIVES for d in detail.node.directives or ()):
                raise Unsupported(f"a directive on {name}")  # @stream among them
        if name.startswith("__") and name != "__typename":
            raise Unsupported("introspection")
        definition = self.schema.get_field(parent, name)
        if definition is None:  # validation makes this unreachable; graphql-core skips such fields
            raise Unsupported(f"unknown field {parent.name}.{name}")
        nodes = [d.node for d in details]
        resolve = definition.resolve
        if resolve is None:
            raise Unsupported(f"{parent.name}.{name} has no resolver")
        plan = FieldPlan(
            response_name=response_name,
            field_name=name,
            parent_type=parent,
            definition=definition,
            details=details,
            nodes=nodes,
            return_type=definition.type,
            kind=RESOLVE,
            resolve=resolve,
            completion=self.completion(definition.type, details),
            has_arguments=bool(definition.args or node.arguments),
        )
        plan.completion_needs_info = _needs_info(plan.completion)
        if name == "__typename":
            plan.kind = TYPENAME
            return plan
        strawberry_field = self.strawberry_field(definition)
        if strawberry_field is None or plan.has_arguments:
            return plan
        if getattr(resolve, "_is_default", False) and strawberry_field.is_basic_field:
            # A scalar attribute is read as plain_fields.py found it; any other attribute through
            # Strawberry's reader.
            plain = self.plain.get((parent.name, name))
            if plain is None:
                plan.kind = ATTRIBUTE
                return plan
            plan.kind = PLAIN
            plan.attribute = plain.attribute
            plan.coerce = plain.leaf.coerce_output_value
            plan.nullable = plain.nullable
            return plan
        # Strawberry's own resolver wrapper, not one the access policy put around it.
        if _made_by_strawberry(resolve, "._resolver", "._async_resolver") and _direct_callable(strawberry_field):
            resolver = strawberry_field.base_resolver
            assert resolver is not None
            function = resolver.wrapped_func
            assert callable(function)
            plan.kind = DIRECT
            plan.function = function
            plan.strawberry_field = strawberry_field
            plan.pass_self = resolver.self_parameter is not None
            plan.parent_keywords = tuple(
                p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None
            )
            plan.info_keyword = resolver.info_parameter.name if resolver.info_parameter is not None else None
        return plan

    def completion(self, return_type: GraphQLOutputType, details: list[FieldDetails]) -> Completion:
        non_null = is_non_null_type(return_type)
        inner: Any = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        done = Completion(return_type, non_null=non_null)
        if is_list_type(inner):
            assert isinstance(inner, GraphQLList)
            done.item = self.completion(inner.of_type, details)
        elif is_leaf_type(inner):
            done.leaf = inner
        elif is_abstract_type(inner):
            done.abstract = inner
            for possible in self.schema.get_possible_types(inner):
                done.possible[possible.name] = self.subplan(possible, details)
            if _made_by_strawberry(inner.resolve_type, "_get_resolve_type.<locals>.resolve_type"):
                done.type_by_class = {}
        elif is_object_type(inner):
            done.object = self.subplan(inner, details)
        else:  # pragma: no cover - every output type is one of the above
            raise Unsupported(f"output type {inner}")
        return done

    def subplan(self, object_type: GraphQLObjectType, details: list[FieldDetails]) -> ObjectPlan:
        collected = collect_subfields(self.schema, self.fragments, self.variables, self.operation, object_type, details)
        if collected.new_defer_usages:
            raise Unsupported("@defer")
        return self.object_plan(object_type, collected.grouped_field_set)


def _made_by_strawberry(function: Callable[..., Any] | None, *names: str) -> bool:
    """A function Strawberry's schema converter made (its qualified name ends with one of `names`),
    so known to behave as that code does, not one a schema or the access policy supplied."""
    return getattr(function, "__module__", "") == "strawberry.schema.schema_converter" and getattr(
        function, "__qualname__", ""
    ).endswith(names)


def _needs_info(completion: Completion) -> bool:
    if completion.abstract is not None:
        return True
    if completion.object is not None:
        return completion.object.is_type_of_needs_info
    if completion.item is not None:
        return _needs_info(completion.item)
    return False


def _direct_callable(strawberry_field: StrawberryField) -> bool:
    """A resolver Strawberry would call with nothing but its parent and the info: no arguments,
    no field extensions (which may reshape arguments or results)."""
    resolver = strawberry_field.base_resolver
    return (
        resolver is not None
        and callable(resolver.wrapped_func)
        and not strawberry_field.extensions
        and not resolver.arguments
    )


def compile_operation(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDetails],
    variables: VariableValues,
    operation: OperationDefinitionNode,
    plain: PlainFields,
) -> OperationPlan:
    """The operation's plan (`plain`: the schema's plain scalar fields, plain_fields.py); raises
    Unsupported for what only graphql-core executes."""
    if operation.operation != OperationType.QUERY:
        # Mutations run serially and change state; they are small, and graphql-core runs them.
        raise Unsupported(f"{operation.operation.value} operations")
    if any(d.variable_signatures for d in fragments.values()):
        raise Unsupported("fragment arguments")
    root_type = schema.get_root_type(operation.operation)
    if root_type is None:
        raise Unsupported("no root type")
    compiler = _Compiler(schema, fragments, variables, operation, plain)
    collected = collect_fields(schema, fragments, variables, root_type, operation)
    if collected.new_defer_usages:
        raise Unsupported("@defer")
    root = compiler.object_plan(root_type, collected.grouped_field_set)
    return OperationPlan(root, compiler.count)
