"""Quizzes and their questions as the API types them: never with answers."""

from __future__ import annotations

import httpx

from tests.support.client import gql


async def test_answers_are_not_part_of_the_question_type(http: httpx.AsyncClient) -> None:
    body = await gql(
        http,
        '{ quiz(id: "quiz:rest-basics") { questions { ... on SingleChoiceQuestion { answer } } } }',
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
