"""Stable `extensions.code` on every GraphQL error, and what gets logged."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.types import ExecutionContext

from learnhub.core.errors import GatewayError, StoreUnavailable
from learnhub.datasources.guard import outage_store
from learnhub.observability import requests as observe
from learnhub.observability import tracing

logger = logging.getLogger("learnhub.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"
STORE_UNAVAILABLE = StoreUnavailable.code


def naming_outages(error: GraphQLError) -> GraphQLError:
    """The error, or, when a store's driver raised it because the store is down, a
    STORE_UNAVAILABLE error naming the store in its place: never the driver's text (hosts,
    ports) and never an internal error that status-based monitoring cannot tell from a bug."""
    original = error.original_error
    if original is None or isinstance(original, GatewayError):
        return error
    store = outage_store(original)
    if store is None:
        return error
    outage = StoreUnavailable(store)
    return GraphQLError(
        outage.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=outage,
    )


def classify(error: GraphQLError, *, pre_execution: bool, data_is_none: bool) -> tuple[str, bool]:
    """(code, expected): `expected` errors are the client's doing and shown verbatim.

    A `code` already in the extensions of a GraphQL error (the request limits set one) is kept: it was
    chosen on purpose. Not one copied from an arbitrary exception, which stays an internal error.
    """
    original = error.original_error
    if isinstance(original, GatewayError):
        return original.code, True
    client_side = original is None or isinstance(original, GraphQLError)
    code = (error.extensions or {}).get("code")
    if client_side and isinstance(code, str) and code:
        return code, True
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED, True
    if pre_execution:
        return (VALIDATION_FAILED, True) if client_side else (INTERNAL, False)
    if error.path is None and data_is_none and client_side:
        # No field path and no data: graphql-core refused the variables before executing anything.
        return BAD_USER_INPUT, True
    if original is None:
        return VALIDATION_FAILED, True
    return INTERNAL, False


def formatted(error: GraphQLError, code: str, expected: bool, *, mask: bool, request_id: str) -> dict[str, Any]:
    """The error as sent: its own extensions (a limit's `limit` and `actual` among them) plus `code`."""
    body = error.formatted
    extensions = dict(body.get("extensions") or {})
    if isinstance(error.original_error, GatewayError):
        extensions.update(error.original_error.extensions)
    extensions["code"] = code
    observe.note_error(code)
    if (trace_id := tracing.current_trace_id()) is not None:
        extensions["traceId"] = trace_id
    if not expected:
        extensions["requestId"] = request_id
        if mask:
            body["message"] = "Internal server error"
    body["extensions"] = extensions
    return dict(body)


class GatewaySchema(strawberry.Schema):
    def __init__(self, *args: Any, plan_check: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from learnhub.graphql.execution.compiled import PLAN_CHECKS, executor_for
        from learnhub.graphql.execution.policy import apply_policy

        # Every field's access rule is attached here, so no schema is ever served without them.
        apply_policy(self._schema)
        # After the policy: a guarded field is no longer plain.
        self.execution_context_class = executor_for(
            self._schema, info_class=self.config.info_class, check=PLAN_CHECKS if plan_check else None
        )

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Client mistakes are answered, not logged; anything else is logged with its traceback.
        context = execution_context.context if execution_context is not None else None
        request_id = getattr(context, "request_id", "-")
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, GatewayError):
                continue
            store = outage_store(original)
            if store is not None:  # one line per failed field: the store's outage is not a bug
                logger.warning("request %s: %s unavailable at %s: %r", request_id, store, error.path, original)
                continue
            logger.error("request %s: unexpected error at %s", request_id, error.path, exc_info=original)
