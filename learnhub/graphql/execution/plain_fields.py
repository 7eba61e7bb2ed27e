"""A shorter path through graphql-core for the commonest field: a plain attribute holding a scalar.

Most fields of a large answer (a lesson's title, a question's prompt) have no resolver:
Strawberry reads the attribute. graphql-core still builds a resolve-info object, checks for
arguments, calls Strawberry's wrapper and walks its completion dispatch for each, about half of
the CPU of a 5,000-field answer. For a field that is plain by construction (no resolver, no
access rule, no arguments, a scalar or enum type) this executor reads the attribute and coerces
it directly. Anything unusual (a null in a non-null field, a value the scalar refuses, a
directive on the field) goes down graphql-core's own path, so errors are reported exactly
as before; tests/graphql/execution/test_plain_fields.py compares both paths' answers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from graphql import GraphQLLeafType, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, is_leaf_type
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

_MISSING = object()


class PlainField(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType
    nullable: bool


PlainFields = dict[tuple[str, str], PlainField]


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """(type name, field name) -> how to read it, for every field the short path may take."""
    found: PlainFields = {}
    for type_name, gql_type in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(gql_type, GraphQLObjectType):
            continue
        definition = (gql_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        for field_name, gql_field in gql_type.fields.items():
            # The field's own back-reference: names are camel-cased, so `content_id` is `contentId`.
            strawberry_field = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(strawberry_field, StrawberryField):
                continue
            field_type = gql_field.type
            nullable = not isinstance(field_type, GraphQLNonNull)
            leaf = field_type if nullable else field_type.of_type
            if (
                not strawberry_field.is_basic_field
                or gql_field.args
                # Strawberry's own attribute reader; an access rule (graphql/execution/policy.py) replaces it.
                or not getattr(gql_field.resolve, "_is_default", False)
                or not is_leaf_type(leaf)
            ):
                continue
            found[(type_name, field_name)] = PlainField(strawberry_field.python_name, leaf, nullable)
    return found


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain scalar fields read directly."""

    plain: PlainFields = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        plain = self.plain.get((parent_type.name, node.name.value))
        if plain is not None and not node.arguments and not node.directives:
            value = getattr(source, plain.attribute, _MISSING)
            if value is None and plain.nullable:
                return None
            if value is not None and value is not _MISSING:
                try:
                    coerced = plain.leaf.coerce_output_value(value)
                except Exception:
                    coerced = None
                if coerced is not None and coerced is not Undefined:
                    return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


def executor_for(schema: GraphQLSchema) -> type[PlainFieldExecutor]:
    """An executor class knowing this schema's plain fields (found once, at start-up)."""
    return type("SchemaPlainFieldExecutor", (PlainFieldExecutor,), {"plain": plain_fields(schema)})
