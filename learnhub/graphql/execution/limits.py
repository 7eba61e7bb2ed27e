"""Request limits: query depth, aliases, tokens and cost.

A request over any limit is refused before a single resolver runs, with exactly one GraphQL error whose
`extensions` hold a stable `code`, the `limit` and, when it is known, the `actual` value, for example
`{"code": "QUERY_TOO_DEEP", "limit": 12, "actual": 13}`.

Every request pays for these checks, so they are cheap: graphql-core's parser counts the tokens while it
parses, and depth, aliases and cost come from one walk over the operation that will run, in which every
named fragment is measured once however often it is spread.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_introspection_type,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

# Field nesting, counted in fields from the root (`{ me { id } }` is 2). Our deepest real query, the
# student dashboard, is 9 (me > enrollments > nodes > course > content > modules > lessons > progress >
# completed); 12 leaves room for that to grow while stopping the cyclic walks (lesson > course > content >
# modules > lessons > course ...) whose work multiplies with every level.
MAX_DEPTH: Final = 12

# Aliases let one request repeat a field under many names: many `login` attempts in one request, or many
# copies of an expensive list. 30 is generous for clients that rename a few fields, and keeps such batches
# small (the cost limit covers the expensive lists as well).
MAX_ALIASES: Final = 30

# graphql-core parses a document before anything else looks at it, in time and memory linear in its
# tokens (comments included, so padding with comments does not get around it). 5000 is 30 times
# GraphiQL's whole introspection query (163 tokens); hand-written operations are far smaller.
MAX_TOKENS: Final = 5000

# Estimated resolved fields (see `measure`). The dashboard for a student with 20 enrolments estimates
# about 4,100, so a real client has more than twice that in hand; a request that asks for thousands of
# rows of nested lists is refused instead of fanning out into the stores.
MAX_COST: Final = 20_000

# Field selections written in the document (fragments once), counted before validation: graphql-core's
# check that same-named fields can merge grows quadratically, so 2,500 copies of `me { id }` (within
# MAX_TOKENS) took 1.2 s of CPU to validate. At 200 the worst shapes measured validate in about 50 ms
# on a 2-core machine; GraphiQL's introspection query has 67 selections and the dashboard about 20.
MAX_FIELDS: Final = 200

# The page size of a connection asked for without `first`: the default of Settings.default_page_size
# (the limits are fixed when the schema is built, before any settings are at hand).
DEFAULT_PAGE_SIZE: Final = 20

# Expected length of the lists that are not connections, by field name: the shape of a full course as
# seed/scale.py generates it (8 modules of 6 lessons; quizzes of 10 questions, so 10 answers per attempt,
# with up to 4 options). Lists of scalars (`tags`) have no selection set to multiply: no entry needed.
LIST_SIZES: Final[Mapping[str, int]] = {
    "modules": 8,
    "lessons": 6,
    "questions": 10,
    "answers": 10,
    "options": 4,
}
# Any other list of objects: rather high, so that a list nobody sized errs towards refusing.
DEFAULT_LIST_SIZE: Final = 10

QUERY_TOO_DEEP: Final = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES: Final = "TOO_MANY_ALIASES"
QUERY_TOO_LARGE: Final = "QUERY_TOO_LARGE"
QUERY_TOO_COMPLEX: Final = "QUERY_TOO_COMPLEX"
TOO_MANY_FIELDS: Final = "TOO_MANY_FIELDS"

# `actual` is capped here: clients read JSON numbers as doubles, and orjson refuses integers beyond 64
# bits, which a nesting of huge `first` values easily reaches.
_MAX_REPORTED: Final = 2**53 - 1
# GraphQL's Int is 32-bit; a larger `first` variable is refused by graphql-core anyway.
_MAX_INT: Final = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Measure:
    """What one walk over an operation found."""

    depth: int
    aliases: int
    cost: int


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> Measure | None:
    """Depth, aliases and cost of the operation `operation_name` would run; None if there is no such one.

    Depth is the most fields on a path from the root, through fragments; `__Type.ofType` adds none (see
    `_Walk._field`). Aliases are counted wherever a fragment is spread.

    Cost: every field costs 1, and the cost of a list's selection set is multiplied by the list's
    expected length: for the items (`edges`, `nodes`) of a connection, the connection's `first` (from
    the literal or the variables, as asked, not capped at the page size; DEFAULT_PAGE_SIZE when absent
    or invalid); for other lists, LIST_SIZES or DEFAULT_LIST_SIZE. A connection's `totalCount` and
    `pageInfo` are one value each, whatever the page size. Lists of the introspection types count once:
    they are answered from the in-memory schema, never from a store, and graphql-core's
    MaxIntrospectionDepthRule (among the rules Strawberry validates with) already refuses the nesting
    of them that multiplies. `@skip`/`@include` are ignored, and
    fields that graphql-core would merge are counted each time, so the estimate errs on the high side.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    walk = _Walk(schema, document, operation, variables or {})
    root = schema.get_root_type(operation.operation)
    cost = walk.selections(operation.selection_set, root, 0, DEFAULT_PAGE_SIZE)
    return Measure(walk.deepest, walk.aliases, cost)


def check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> GraphQLError | None:
    """The error refusing this operation, or None when it is within every limit.

    One error only, for the first limit exceeded in the order depth, aliases, cost.
    """
    try:
        found = measure(schema, document, operation_name, variables)
    except RecursionError:
        # The parser accepted the nesting, so this is rare; it is too deep by any measure.
        return _refusal(QUERY_TOO_DEEP, f"Query is nested deeper than {MAX_DEPTH} levels.", MAX_DEPTH)
    if found is None:
        return None  # graphql-core reports the unknown operation itself
    if found.depth > MAX_DEPTH:
        message = f"Query is nested {found.depth} levels deep; at most {MAX_DEPTH} are allowed."
        return _refusal(QUERY_TOO_DEEP, message, MAX_DEPTH, found.depth)
    if found.aliases > MAX_ALIASES:
        message = f"Query uses {found.aliases} aliases; at most {MAX_ALIASES} are allowed."
        return _refusal(TOO_MANY_ALIASES, message, MAX_ALIASES, found.aliases)
    if found.cost > MAX_COST:
        actual = min(found.cost, _MAX_REPORTED)
        message = f"Query is too complex: its estimated cost is {actual}, at most {MAX_COST} is allowed."
        return _refusal(QUERY_TOO_COMPLEX, message, MAX_COST, actual)
    return None


def parse_limit_extensions(error: GraphQLError) -> dict[str, Any] | None:
    """The limit a parse error stands for, as error extensions; None for other syntax errors.

    graphql-core reports both as syntax errors with fixed wording, so the wording (with our own limit in
    it) is what identifies them.
    """
    if not isinstance(error, GraphQLSyntaxError):
        return None
    if f"Document contains more than {MAX_TOKENS} tokens." in error.message:
        return {"code": QUERY_TOO_LARGE, "limit": MAX_TOKENS}
    if "Document is nested too deeply." in error.message:
        # The parser ran out of stack, hundreds of levels past MAX_DEPTH.
        return {"code": QUERY_TOO_DEEP, "limit": MAX_DEPTH}
    return None


class RequestLimits(SchemaExtension):
    """Enforces the limits on every operation; Strawberry makes a fresh one per request."""

    def on_parse(self) -> Iterator[None]:
        """Let the parser stop at MAX_TOKENS, and give that refusal its code."""
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield
        # Strawberry returns this very error object, so coding it here codes the response.
        for error in self.execution_context.pre_execution_errors or ():
            extensions = parse_limit_extensions(error)
            if extensions is not None:
                error.extensions = extensions

    def on_validate(self) -> Iterator[None]:
        """Refuse a document with too many field selections before graphql-core validates it."""
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            count = count_fields(context.graphql_document)
            if count > MAX_FIELDS:
                message = f"Query has more than {MAX_FIELDS} field selections."
                # Set before validation runs, so Strawberry skips validating and returns this error.
                context.pre_execution_errors = [_refusal(TOO_MANY_FIELDS, message, MAX_FIELDS)]
        yield

    def on_execute(self) -> Iterator[None]:
        """Refuse an over-limit operation before graphql-core executes it.

        This runs after validation, so the document is known to be well formed (no unknown fields or
        fragments, no fragment cycles), and with the request's variables at hand.
        """
        context = self.execution_context
        if context.result is None and context.graphql_document is not None:
            error = check(context.schema._schema, context.graphql_document, context.operation_name, context.variables)
            if error is not None:
                # A result set before execution is returned as-is: graphql-core never runs.
                context.result = PreExecutionError(data=None, errors=[error])
        yield


def count_fields(document: DocumentNode) -> int:
    """Field selections as written (fragments once), stopping early far past the limit."""
    count = 0
    stack: list[SelectionSetNode] = [
        d.selection_set for d in document.definitions if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack and count <= MAX_FIELDS:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                count += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set is not None:
                stack.append(selection.selection_set)
    return count


def _refusal(code: str, message: str, limit: int, actual: int | None = None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": code, "limit": limit}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, extensions=extensions)


class _Walk:
    """One depth-first pass over an operation, with each named fragment measured once per page size.

    Depth and aliases are accumulated on the instance and the cost is returned, so the walk allocates
    nothing per field.
    """

    __slots__ = ("_done", "_fragments", "_operation", "_schema", "_variables", "aliases", "deepest")

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self._schema = schema
        self._operation = operation
        self._variables = variables
        self._fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        # (fragment, page size) -> (levels below the spread, aliases, cost)
        self._done: dict[tuple[str, int], tuple[int, int, int]] = {}
        self.deepest = 0
        self.aliases = 0

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, depth: int, page: int
    ) -> int:
        """Cost of a selection set on `parent`, whose fields are one level below `depth`.

        `page` is the page size of `parent` when it is a connection type.
        """
        cost = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                cost += self._field(node, parent, depth, page)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner = self._schema.get_type(condition.name.value) if condition is not None else parent
                cost += self.selections(node.selection_set, inner, depth, page)
            elif isinstance(node, FragmentSpreadNode):
                cost += self._spread(node.name.value, depth, page)
        return cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, depth: int, page: int) -> int:
        if node.alias is not None:
            self.aliases += 1
        name = node.name.value
        definition = _field_of(self._schema, parent, name)
        # `__Type.ofType` only unwraps a LIST or NON_NULL wrapper: one object, no I/O, and null after a
        # few levels. Introspection queries nest it 9 deep (GraphiQL's and graphql-core's), so it adds no
        # depth; every other field, introspection ones included, does.
        level = depth if name == "ofType" and parent is not None and parent.name == "__Type" else depth + 1
        self.deepest = max(self.deepest, level)
        if node.selection_set is None or definition is None:
            return 1
        child = get_named_type(definition.type)
        child_page = self._first(node, definition)
        inner = self.selections(node.selection_set, child, level, child_page)
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        if not isinstance(field_type, GraphQLList):
            return 1 + inner
        if _is_connection(parent):
            size = page  # this list is the page itself: `edges` or `nodes`
        elif parent is not None and is_introspection_type(parent):
            size = 1
        else:
            size = LIST_SIZES.get(name, DEFAULT_LIST_SIZE)
        return 1 + size * inner

    def _spread(self, name: str, depth: int, page: int) -> int:
        key = (name, page)
        done = self._done.get(key)
        if done is None:
            fragment = self._fragments.get(name)
            if fragment is None:
                return 0  # validation rejects unknown fragments before we run
            self._done[key] = (0, 0, 0)  # a cycle (only in invalid documents) adds nothing
            deepest, aliases = self.deepest, self.aliases
            self.deepest, self.aliases = depth, 0
            parent = self._schema.get_type(fragment.type_condition.name.value)
            cost = self.selections(fragment.selection_set, parent, depth, page)
            done = (self.deepest - depth, self.aliases, cost)
            self._done[key] = done
            self.deepest, self.aliases = deepest, aliases
        below, aliases, cost = done
        self.deepest = max(self.deepest, depth + below)
        self.aliases += aliases
        return cost

    def _first(self, node: FieldNode, definition: GraphQLField) -> int:
        """The page size a field asks for: its `first`, or the default one."""
        if "first" not in definition.args:
            return DEFAULT_PAGE_SIZE
        for argument in node.arguments or ():
            if argument.name.value == "first":
                return self._size(argument.value)
        return DEFAULT_PAGE_SIZE

    def _size(self, value: ValueNode) -> int:
        if isinstance(value, IntValueNode):
            return _valid_size(int(value.value))
        if isinstance(value, VariableNode):
            name = value.name.value
            if name in self._variables:
                return _valid_size(self._variables[name])
            for definition in self._operation.variable_definitions or ():
                if definition.variable.name.value == name and definition.default_value is not None:
                    return self._size(definition.default_value)
        return DEFAULT_PAGE_SIZE  # null, or a variable without a value


def _valid_size(value: object) -> int:
    """A `first` as graphql-core coerces an Int, if it is one and not negative; else the default.

    Either way the value is then refused, by graphql-core or by the resolver, so the default suffices.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_INT:
        return value
    return DEFAULT_PAGE_SIZE


def _field_of(schema: GraphQLSchema, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return schema.get_field(parent, name)  # also `__typename`, `__schema` and `__type`
    return None


def _is_connection(parent: GraphQLNamedType | None) -> bool:
    # A Relay connection type is the one with `pageInfo` beside its list of edges.
    return isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) and "pageInfo" in parent.fields
