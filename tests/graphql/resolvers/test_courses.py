"""The catalogue: filters, cursors, and the demo content."""

from __future__ import annotations

import httpx

from tests.support.client import gql
from tests.support.data import StoreAccess, make_course


async def test_demo_course_has_its_lessons_and_quiz_with_every_question_type(http: httpx.AsyncClient) -> None:
    body = await gql(
        http,
        """
        { course(contentId: "course:rest-api-design") {
            title lessonCount
            content { modules { lessons { contentId } } }
          }
          quiz(id: "quiz:rest-basics") {
            title settings { passPercent attemptsAllowed }
            questions { __typename type prompt ... on SingleChoiceQuestion { options { id text } } }
          }
        }
    """,
    )
    course = body["data"]["course"]
    assert course["title"] == "REST API Design"
    assert course["lessonCount"] >= 6
    lessons = [lesson["contentId"] for m in course["content"]["modules"] for lesson in m["lessons"]]
    assert "lesson:rest-intro" in lessons
    quiz = body["data"]["quiz"]
    assert {q["type"] for q in quiz["questions"]} == {
        "SINGLE_CHOICE",
        "MULTIPLE_CHOICE",
        "TRUE_FALSE",
        "SHORT_TEXT",
        "NUMERIC",
    }
    assert quiz["settings"] == {"passPercent": 70, "attemptsAllowed": 3}


async def test_cursor_pagination_walks_the_filtered_catalogue_once(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    tag = "paging-test"
    made = []
    for _ in range(5):
        row_id, content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
        made.append(content_id)
        async with stores.engine.begin() as conn:
            from sqlalchemy import update

            from learnhub.datasources.postgres.tables import courses

            await conn.execute(update(courses).where(courses.c.id == row_id).values(tags=[tag]))

    seen: list[str] = []
    after = None
    while True:
        body = await gql(
            http,
            """
            query($after: String, $tag: String) {
              courses(first: 2, after: $after, filter: {tag: $tag}) {
                totalCount pageInfo { hasNextPage endCursor } edges { cursor node { contentId } }
              }
            }
        """,
            {"after": after, "tag": tag},
        )
        page = body["data"]["courses"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["contentId"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == made


async def test_a_foreign_cursor_is_bad_user_input(http: httpx.AsyncClient) -> None:
    body = await gql(http, '{ courses(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } }', expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["argument"] == "after"
