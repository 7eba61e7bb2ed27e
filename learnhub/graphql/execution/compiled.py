"""Run queries from their plans (`plans.py`) instead of interpreting the document per object.

The executor is graphql-core's (through `PlainFieldExecutor`), with `execute_operation` taking
the planned path when the operation has a plan. The planned path does graphql-core's work in
graphql-core's order, minus what a plan already knows: no field lookup or resolve-info for plain
attributes and simple resolvers, no per-object field collection, no dispatch on the return type.
It mirrors `Executor.execute_fields`, `execute_field`, `complete_value` and their list, object and
abstract variants line for line where errors are concerned, and hands anything unusual (a value a
scalar refuses, a null where none may be, a list that is not a list, an awaitable type check)
to graphql-core's own method for that one value, so every error keeps graphql-core's message,
path and null propagation. tests/graphql/execution/test_compiled.py runs the same operations
through both executors and compares the answers.

Measured in process at scale 10 (bench/profile.py), CPU per request before -> after:
see docs/benchmarks.md, "Changes and their effect".
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import json
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any, ClassVar

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, print_ast
from graphql.execution.executor import CollectedErrors, invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.info import Info

from learnhub.core import stats
from learnhub.graphql.execution.plain_fields import PlainFieldExecutor, plain_fields
from learnhub.graphql.execution.plans import (
    ATTRIBUTE,
    DIRECT,
    PLAIN,
    TYPENAME,
    Completion,
    FieldPlan,
    ObjectPlan,
    OperationPlan,
    Unsupported,
    compile_operation,
    directive_variables,
)

_MISSING = object()
# What completion hands back when nothing is left to await: checked by type before asking
# `is_awaitable`, which a 500-question answer would otherwise call ~4,500 times.
_COMPLETED = frozenset({dict, list, str, int, float, bool, type(None)})
# As many operations as the document cache keeps (document_cache.MAX_DOCUMENTS).
MAX_OPERATIONS = 512
# Plans of one operation for different `@skip`/`@include` variable values.
MAX_VARIANTS = 16


class Plans:
    """Operation -> its plans by the values of its `@skip`/`@include` variables; LRU by operation.

    Keyed by the operation node's identity: cached documents (document_cache.py) hand the same
    node to every request. The entry holds the node, so its id is not reused while cached.
    """

    def __init__(self, maxsize: int = MAX_OPERATIONS) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[
            int, tuple[OperationDefinitionNode, tuple[str, ...], dict[tuple[Any, ...], OperationPlan | None]]
        ] = OrderedDict()
        self.compiled = 0
        self.unsupported = 0

    def plan_for(self, executor: CompiledExecutor) -> OperationPlan | None:
        operation = executor.operation
        entry = self._entries.get(id(operation))
        if entry is None or entry[0] is not operation:
            names = directive_variables([operation, *(f.definition for f in executor.fragments.values())])
            entry = (operation, names, {})
            self._entries[id(operation)] = entry
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(id(operation))
        _, names, variants = entry
        coerced = executor.variable_values.coerced
        key = tuple(coerced.get(name) for name in names)
        if key in variants:
            return variants[key]
        try:
            plan: OperationPlan | None = compile_operation(
                executor.schema, executor.fragments, executor.variable_values, operation, executor.plain
            )
            self.compiled += 1
        except (Unsupported, GraphQLError, RecursionError):
            # graphql-core runs it, and reports whatever error collecting the fields raised.
            plan = None
            self.unsupported += 1
        if len(variants) < MAX_VARIANTS:
            variants[key] = plan
        return plan


class PlannedInfo(Info[Any, Any]):
    """Strawberry's `Info` for a planned resolver call: the context at once, graphql-core's
    resolve-info only when the resolver reads anything else. Most resolvers read only the
    context (a lesson's `progress`: 960 per dashboard, ~3 µs each for an info never read)."""

    def __init__(self, executor: CompiledExecutor, field: FieldPlan, path: Path) -> None:
        self._executor = executor
        self._plan = field
        self._at = path
        self._built: Any = None
        self._field = field.strawberry_field  # type: ignore[assignment]

    @property
    def _raw_info(self) -> Any:  # type: ignore[override]
        if self._built is None:
            self._built = self._executor.resolve_info(self._plan, self._at)
        return self._built

    @property
    def context(self) -> Any:
        return self._executor.context_value


class PlanCheck:
    """Planned answers compared with graphql-core's, query by query (`Settings.plan_check`).

    After a planned query completes, graphql-core executes it again in the same request: same
    context, so the loaders answer from what the planned run read and the stores see no new
    reads (and none is counted as a round trip). Differences are recorded, not raised, so the
    test that sent the query fails on them (tests/conftest.py) whatever it expected.
    """

    # Root fields that change something when read (a share link counts each opening).
    UNCHECKED_ROOT_FIELDS = frozenset({"sharedContent"})

    def __init__(self) -> None:
        self.checked = 0
        self.documents: set[str] = set()
        self.mismatches: list[str] = []

    @staticmethod
    def answer(result: Any) -> str:
        # Errors of fields that fail concurrently are listed in the order they fail, which neither
        # executor fixes (nor can: it is the stores' timing), and the reference run reads what the
        # loaders already hold: the errors are compared as a set. The data, key order included, exactly.
        errors = sorted(
            json.dumps([error.formatted, type(error.original_error).__name__], default=repr)
            for error in result.errors or []
        )
        return json.dumps({"data": result.data, "errors": errors}, default=repr)

    def compare(self, operation: OperationDefinitionNode, planned: Any, reference: Any) -> None:
        self.checked += 1
        text = print_ast(operation)
        self.documents.add(text)
        planned_answer, reference_answer = self.answer(planned), self.answer(reference)
        if planned_answer != reference_answer:
            self.mismatches.append(f"{text}\nplanned:   {planned_answer}\ngraphql-core: {reference_answer}")


PLAN_CHECKS = PlanCheck()


class CompiledExecutor(PlainFieldExecutor):
    """graphql-core's executor that runs planned queries from their plans."""

    plans: ClassVar[Plans | None] = None  # None: graphql-core for everything (the reference)
    info_class: ClassVar[type[Info[Any, Any]]] = Info
    check: ClassVar[PlanCheck | None] = None

    def execute_operation(self, serially: bool | None = None) -> Any:
        plan = None
        if (
            self.plans is not None
            and serially is None
            and self.abort_signal is None
            and not getattr(self.middleware_manager, "_middleware_resolvers", None)
        ):
            plan = self.plans.plan_for(self)
        if plan is None:
            return super().execute_operation(serially)
        if self.check is not None and not {f.field_name for f in plan.root.fields} & self.check.UNCHECKED_ROOT_FIELDS:
            return self._checked(self.check, self._run_plan(plan))
        return self._run_plan(plan)

    def _run_plan(self, plan: OperationPlan) -> Any:
        # Executor.execute_operation, for a query whose fields are collected already.
        try:
            data = self.run_object(plan.root, self.root_value, None)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        if self.is_awaitable(data):
            return self._await_data(data)
        return self.build_response(data)

    async def _await_data(self, data: Awaitable[dict[str, Any]]) -> Any:
        try:
            done = await data
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        except Exception:
            self.run_async_work_finished_hook()
            raise
        return self.build_response(done)

    async def _checked(self, check: PlanCheck, planned: Any) -> Any:
        result = await planned if self.is_awaitable(planned) else planned
        reference = copy.copy(self)
        reference.plans = None  # type: ignore[misc]
        reference.collected_errors = CollectedErrors()
        reference.background_futures = set()
        reference.pending_incremental_futures = set()
        reference.async_work_finished_hook_task = None
        state = getattr(getattr(self.context_value, "request", None), "state", None)
        reported = list(getattr(state, "reported_errors", []))

        async def run_reference() -> Any:
            stats.stop()  # in this task's own copy of the context
            answer = reference.execute_operation()
            return await answer if self.is_awaitable(answer) else answer

        answer = await asyncio.create_task(run_reference(), context=contextvars.copy_context())
        if state is not None and hasattr(state, "reported_errors"):
            state.reported_errors = reported  # the errors the planned run reported, once
        check.compare(self.operation, result, answer)
        return result

    # --- selection sets (Executor.execute_fields) ---------------------------------------------

    def run_object(self, plan: ObjectPlan, source: Any, path: Path | None) -> Any:  # noqa: PLR0912
        # The plain-attribute read is inlined: it is most of the fields of a large answer, and a
        # call per field would cost about a tenth of the time saved.
        results: dict[str, Any] = {}
        pending: list[str] = []
        parent_type = plan.type
        type_name = parent_type.name
        is_awaitable = self.is_awaitable
        try:
            for field in plan.fields:
                kind = field.kind
                name = field.response_name
                if kind == PLAIN:
                    value = getattr(source, field.attribute, _MISSING)
                    if value is None:
                        if field.nullable:
                            results[name] = None
                            continue
                    elif value is not _MISSING:
                        coerce = field.coerce
                        assert coerce is not None
                        try:
                            out = coerce(value)
                        except Exception:
                            out = None
                        if out is not None and out is not Undefined:
                            results[name] = out
                            continue
                    # Anything unusual takes graphql-core's path, which reports it exactly.
                    out = self.execute_field(parent_type, source, field.details, Path(path, name, type_name), None)
                elif kind == TYPENAME:
                    results[name] = type_name
                    continue
                else:
                    out = self.run_field(field, source, path)
                results[name] = out
                if type(out) not in _COMPLETED and is_awaitable(out):
                    pending.append(name)
        except Exception:
            if pending:
                self.settle_in_background([results[name] for name in pending])
            raise
        if not pending:
            return results
        return self._gather(results, pending)

    @staticmethod
    async def _gather(completed: Any, pending: list[Any]) -> Any:
        """Await the awaitable entries of a result dict or list (their keys or indices in `pending`)."""
        if len(pending) == 1:
            completed[pending[0]] = await completed[pending[0]]
        else:
            values = await gather_with_cancel(*(completed[key] for key in pending))
            for key, value in zip(pending, values, strict=True):
                completed[key] = value
        return completed

    # --- one field (Executor.execute_field) ------------------------------------------------------

    def resolve_info(self, field: FieldPlan, path: Path) -> Any:
        return self.build_resolve_info(field.definition, field.nodes, field.parent_type, path)

    def run_field(self, field: FieldPlan, source: Any, parent_path: Path | None) -> Any:
        path = Path(parent_path, field.response_name, field.parent_type.name)
        info = None
        try:
            kind = field.kind
            if kind == ATTRIBUTE:
                # Strawberry's attribute reader ignores the resolve-info.
                result = field.resolve(source, None)
                if field.completion_needs_info:
                    info = self.resolve_info(field, path)
            elif kind == DIRECT:
                if field.completion_needs_info or (field.info_keyword is not None and self.info_class is not Info):
                    info = self.resolve_info(field, path)
                result = self._call_direct(field, source, info, path)
            else:
                info = self.resolve_info(field, path)
                result = field.resolve(source, info, **self._arguments(field))
            if self.is_awaitable(result):
                return self._complete_awaited(field, result, path, info)
            completed = self.complete(field.completion, field, result, path, info)
            if type(completed) not in _COMPLETED and self.is_awaitable(completed):
                return self._await_completed(field, completed, path)
            return completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None

    def _arguments(self, field: FieldPlan) -> dict[str, Any]:
        if not field.has_arguments:
            return {}
        first = field.details[0]
        return get_argument_values(
            field.definition, first.node, self.variable_values, first.fragment_variable_values, self.hide_suggestions
        )

    def _call_direct(self, field: FieldPlan, source: Any, info: Any, path: Path) -> Any:
        """What Strawberry's resolver wrapper ends up calling for a field without arguments."""
        function = field.function
        assert function is not None
        kwargs: dict[str, Any] = {}
        for keyword in field.parent_keywords:
            kwargs[keyword] = source
        if field.info_keyword is not None:
            if self.info_class is Info:
                strawberry_info: Info[Any, Any] = PlannedInfo(self, field, path)
                if info is not None:
                    strawberry_info._built = info  # type: ignore[attr-defined]
            else:
                strawberry_info = self.info_class(_raw_info=info, _field=field.strawberry_field)  # type: ignore[arg-type]
            kwargs[field.info_keyword] = strawberry_info
        if field.pass_self:
            return function(source, **kwargs)
        return function(**kwargs)

    async def _complete_awaited(self, field: FieldPlan, result: Awaitable[Any], path: Path, info: Any) -> Any:
        # Executor.complete_awaitable_value
        try:
            resolved = await result
            completed = self.complete(field.completion, field, resolved, path, info)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            completed = None
        return completed

    async def _await_completed(self, field: FieldPlan, completed: Awaitable[Any], path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None

    # --- values (Executor.complete_value) --------------------------------------------------------

    def complete(self, completion: Completion, field: FieldPlan, value: Any, path: Path, info: Any) -> Any:
        if value is None or value is Undefined:
            if completion.non_null:
                raise TypeError(f"Cannot return null for non-nullable field {field.parent_type}.{field.field_name}.")
            return None
        if isinstance(value, Exception):
            raise value
        leaf = completion.leaf
        if leaf is not None:
            try:
                out = leaf.coerce_output_value(value)
            except Exception:
                out = None
            if out is None or out is Undefined:
                return self.complete_value(
                    completion.type, field.details, info or self.resolve_info(field, path), path, value, None
                )
            return out
        if completion.item is not None:
            return self._complete_list(completion, field, value, path, info)
        if completion.object is not None:
            return self._complete_object(completion.object, field, value, path, info)
        return self._complete_abstract(completion, field, value, path, info)

    def _complete_list(self, completion: Completion, field: FieldPlan, value: Any, path: Path, info: Any) -> Any:
        if not isinstance(value, list | tuple):
            # graphql-core's message for a non-list (and its handling of other iterables)
            return self.complete_value(
                completion.type, field.details, info or self.resolve_info(field, path), path, value, None
            )
        item = completion.item
        assert item is not None
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, element in enumerate(value):
                item_path = path.add_key(index, None)
                if is_awaitable(element):
                    info = info or self.resolve_info(field, path)
                    completed.append(
                        self.complete_awaitable_list_item_value(
                            element, item.type, field.details, info, item_path, None
                        )
                    )
                    pending.append(index)
                    continue
                try:
                    done = self.complete(item, field, element, item_path, info)
                    if type(done) not in _COMPLETED and is_awaitable(done):
                        done = self._await_item(item, field, done, item_path)
                        pending.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item.type, field.details, item_path)
                    done = None
                completed.append(done)
        except Exception:
            if pending:
                self.settle_in_background([completed[index] for index in pending])
            raise
        if not pending:
            return completed
        return self._gather(completed, pending)

    async def _await_item(self, item: Completion, field: FieldPlan, done: Awaitable[Any], item_path: Path) -> Any:
        try:
            return await done
        except Exception as raw_error:
            self.handle_field_error(raw_error, item.type, field.details, item_path)
            return None

    def _complete_object(self, plan: ObjectPlan, field: FieldPlan, value: Any, path: Path, info: Any) -> Any:
        is_type_of = plan.is_type_of
        if is_type_of is not None:
            if plan.is_type_of_needs_info:
                info = info or self.resolve_info(field, path)
            matches = is_type_of(value, info)
            if self.is_awaitable(matches):
                # graphql-core's path (checks again, then completes) for an asynchronous check.
                info = info or self.resolve_info(field, path)
                return self.complete_object_value(plan.type, field.details, info, path, value, None)
            if not matches:
                raise invalid_return_type_error(plan.type, value, field.details)
        return self.run_object(plan, value, path)

    def _complete_abstract(self, completion: Completion, field: FieldPlan, value: Any, path: Path, info: Any) -> Any:
        abstract = completion.abstract
        assert abstract is not None
        by_class = completion.type_by_class
        if by_class is not None and get_strawberry_type_cast(value) is not None:
            by_class = None  # a cast object resolves to its cast type, whatever its class
        if by_class is not None:
            known = by_class.get(type(value))
            if known is not None:
                return self._complete_object(known, field, value, path, info)
        info = info or self.resolve_info(field, path)
        resolve_type = abstract.resolve_type or self.type_resolver
        runtime = resolve_type(value, info, abstract)
        if self.is_awaitable(runtime):
            return self._complete_abstract_later(completion, field, value, path, info=info, runtime=runtime)
        object_type = self.ensure_valid_runtime_type(runtime, abstract, field.details, info, value)
        plan = completion.possible[object_type.name]
        if by_class is not None:
            by_class[type(value)] = plan
        return self._complete_object(plan, field, value, path, info)

    async def _complete_abstract_later(
        self, completion: Completion, field: FieldPlan, value: Any, path: Path, *, info: Any, runtime: Awaitable[Any]
    ) -> Any:
        abstract = completion.abstract
        assert abstract is not None
        object_type = self.ensure_valid_runtime_type(await runtime, abstract, field.details, info, value)
        done = self._complete_object(completion.possible[object_type.name], field, value, path, info)
        return await done if self.is_awaitable(done) else done


def executor_for(
    schema: GraphQLSchema,
    *,
    planned: bool = True,
    info_class: type[Info[Any, Any]] = Info,
    check: PlanCheck | None = None,
) -> type[CompiledExecutor]:
    """The executor class for one schema: its plain fields found and its plan cache made once, at start-up.
    `planned=False` gives graphql-core's execution throughout (the reference the tests compare with)."""
    attributes = {
        "plain": plain_fields(schema),
        "plans": Plans() if planned else None,
        "info_class": info_class,
        "check": check,
    }
    return type("SchemaExecutor", (CompiledExecutor,), attributes)
