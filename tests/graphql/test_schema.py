"""The schema: schema.graphql at the repository root is what `learnhub schema export` writes, and
each learning and authoring mutation makes a bounded number of round trips."""

from __future__ import annotations

from pathlib import Path

import httpx

from learnhub.graphql.relay.node import to_global_id
from learnhub.graphql.schema import build_schema
from tests.support.authoring import CREATE_COURSE, SAVE_QUESTION
from tests.support.client import gql
from tests.support.data import StoreAccess, unique
from tests.support.quizzes import ENROLL, RIGHT, START, SUBMIT, quiz_setup
from tests.support.world import account_with_role


def test_schema_file_is_up_to_date() -> None:
    on_disk = (Path(__file__).parents[2] / "schema.graphql").read_text()
    assert on_disk == str(build_schema()) + "\n", "schema.graphql is stale: run `learnhub schema export`"


# --- round trips per mutation ---------------------------------------------------------------------
# Round trips per learning and authoring mutation: bounded, whatever the data's size.


PROGRESS = "mutation($l: ID!) { updateLessonProgress(input: {lessonId: $l, position: 3}) { errors { code } } }"

# PostgreSQL statements and MongoDB commands per mutation (transaction BEGIN/COMMIT not counted).
BOUNDS = {
    "enroll": (2, 0),  # course row; the upsert
    "updateLessonProgress": (5, 1),  # lesson doc; course, enrollment; upsert + event; completion check
    "startQuizAttempt": (5, 1),  # quiz doc; course, enrollment; lock, open attempt, insert
    "submitQuizAttempt": (3, 4),  # lock; quiz, questions, details write; finish + event
    "createCourse": (4, 1),  # insert under a savepoint; content write; search event
    # owner check and attempt count, a search event before and after; quiz, question write, quiz update
    "saveQuestion": (4, 4),
}


async def test_round_trips_per_mutation(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    setup = await quiz_setup(http, stores, enrolled=False)
    trips = {}

    async def run(name: str, query: str, variables: dict[str, object], token: str) -> dict[str, object]:
        body = await gql(http, query, variables, token=token)
        trips[name] = body["extensions"]["roundTrips"]
        return body["data"]  # type: ignore[no-any-return]

    await run("enroll", ENROLL, {"c": to_global_id("Course", setup.course_id)}, setup.token)
    started = await run("startQuizAttempt", START, {"q": setup.quiz_id}, setup.token)
    attempt = started["startQuizAttempt"]["attempt"]["id"]  # type: ignore[index]
    await run("submitQuizAttempt", SUBMIT, {"a": attempt, "answers": setup.answers(RIGHT), "key": "rt"}, setup.token)
    lessons = (await gql(http, "query($c: ID!) { course(id: $c) { content { modules { lessons { contentId } } } } }",
                         {"c": to_global_id("Course", setup.course_id)}))["data"]  # fmt: skip
    first_lesson = lessons["course"]["content"]["modules"][0]["lessons"][0]["contentId"]
    await run("updateLessonProgress", PROGRESS, {"l": first_lesson}, setup.token)

    instructor, _ = await account_with_role(http, stores, "instructor")
    slug = unique("rt")
    await run("createCourse", CREATE_COURSE, {"i": {"slug": slug, "title": "Round trips"}}, instructor)
    quiz = await gql(
        http,
        "mutation($i: CreateQuizInput!) { createQuiz(input: $i) { quiz { contentId } } }",
        {"i": {"courseId": (await gql(http, "query($c: String!) { course(contentId: $c) { id } }",
                                      {"c": f"course:{slug}"}, token=instructor))["data"]["course"]["id"],
               "slug": slug, "title": "Q"}},
        token=instructor,
    )  # fmt: skip
    question = {"type": "TRUE_FALSE", "prompt": "p", "answer": True}
    quiz_id = quiz["data"]["createQuiz"]["quiz"]["contentId"]
    await run("saveQuestion", SAVE_QUESTION, {"q": quiz_id, "v": 1, "id": None, "i": question}, instructor)

    print("round trips per mutation:", trips)
    for name, (postgres, mongodb) in BOUNDS.items():
        assert trips[name]["postgres"] <= postgres, (name, trips[name])
        assert trips[name]["mongodb"] <= mongodb, (name, trips[name])
