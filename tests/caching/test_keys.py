"""Which operations the public cache may answer, and their keys: pure rules, in process."""

from __future__ import annotations

import pytest

from learnhub.caching.keys import Operations, request_digest


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("{ courses { edges { node { title } } } }", None),
        ('query Outline { course(contentId: "course:x") { title } lesson(id: "lesson:y") { title } }', None),
        ('query Q { quiz(id: "quiz:z") { title } __typename }', "Q"),
        ("query A { me { id } } query B { courses { totalCount } }", "B"),
        ('{ c: course(contentId: "course:x") @include(if: true) { title } }', None),
    ],
)
def test_anonymous_content_reads_are_cacheable(query: str, operation_name: str | None) -> None:
    assert Operations().cacheable(query, operation_name)


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("{ me { id } }", None),
        ("{ courses { totalCount } me { id } }", None),
        ("{ questions { totalCount } }", None),
        ('{ search(query: "rest") { totalCount } }', None),
        ('{ node(id: "x") { id } }', None),
        ("{ __schema { types { name } } }", None),
        ('mutation { publishCourse(courseId: "x", published: true) { course { id } } }', None),
        ("{ ...Root } fragment Root on Query { courses { totalCount } }", None),
        ("{ ... on Query { courses { totalCount } } }", None),
        ("query A { me { id } } query B { courses { totalCount } }", "A"),
        ("query A { courses { totalCount } } query B { courses { totalCount } }", None),
        ("{ courses { totalCount } }", "Missing"),
        ("{ courses {", None),
    ],
)
def test_other_operations_are_not(query: str, operation_name: str | None) -> None:
    assert not Operations().cacheable(query, operation_name)


def test_verdicts_are_bounded_and_junk_is_not_remembered() -> None:
    operations = Operations(maxsize=2)
    for n in range(5):
        assert operations.cacheable(f"{{ courses(first: {n + 1}) {{ totalCount }} }}", None)
    assert not operations.cacheable("{ nope", None)
    assert len(operations._verdicts) == 2


def test_the_key_is_canonical_in_the_variables_and_names_the_operation() -> None:
    query = "query Q($a: Int, $b: Int) { courses(first: $a) { totalCount } }"
    assert request_digest(query, None, {"a": 1, "b": 2}) == request_digest(query, None, {"b": 2, "a": 1})
    assert request_digest(query, None, None) == request_digest(query, None, {})
    assert request_digest(query, None, {"a": 1}) != request_digest(query, None, {"a": 2})
    assert request_digest(query, "Q", {}) != request_digest(query, None, {})
