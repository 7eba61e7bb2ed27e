"""Each distinct operation text is parsed and validated once; invalid ones are never kept."""

from __future__ import annotations

from typing import Any, ClassVar

import strawberry
from graphql import ValidationRule
from strawberry.extensions import AddValidationRules

from learnhub.graphql.execution.document_cache import Documents, document_cache


class CountingRule(ValidationRule):
    """A real validation rule: graphql-core makes one per validated document."""

    made: ClassVar[int] = 0

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        CountingRule.made += 1


@strawberry.type
class Query:
    @strawberry.field
    def double(self, n: int) -> int:
        return 2 * n


def _schema(documents: Documents) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, extensions=[lambda: AddValidationRules([CountingRule]), document_cache(documents)]
    )


def test_a_valid_operation_is_validated_once_and_still_runs_with_each_requests_variables() -> None:
    documents = Documents()
    schema = _schema(documents)
    CountingRule.made = 0
    query = "query($n: Int!) { double(n: $n) }"
    answers = [schema.execute_sync(query, variable_values={"n": n}).data for n in (1, 2, 3)]
    assert answers == [{"double": 2}, {"double": 4}, {"double": 6}]
    assert CountingRule.made == 1
    assert len(documents) == 1


def test_invalid_operations_are_refused_every_time_and_never_kept() -> None:
    documents = Documents()
    schema = _schema(documents)
    CountingRule.made = 0
    for _ in range(3):
        result = schema.execute_sync("{ double }")  # the required argument is missing
        assert result.errors
        assert "is required" in result.errors[0].message
    for _ in range(2):
        result = schema.execute_sync("{ double(n: 1) ")  # does not parse
        assert result.errors
        assert "Syntax Error" in result.errors[0].message
    assert CountingRule.made == 3
    assert len(documents) == 0


def test_least_recently_used_goes_first() -> None:
    documents = Documents(maxsize=2)
    schema = _schema(documents)
    for n in (1, 2, 1, 3):  # 1 is used again before 3 arrives, so 2 is the one dropped
        assert schema.execute_sync(f"{{ double(n: {n}) }}").data == {"double": 2 * n}
    assert documents.get("{ double(n: 1) }") is not None
    assert documents.get("{ double(n: 3) }") is not None
    assert documents.get("{ double(n: 2) }") is None
