"""`search` and `relatedLessons` end to end: real Typesense, pgvector and the worker.

Authoring goes through GraphQL and reaches the indexes only through the outbox, drained here
as the worker drains it. Each test searches for words it made up, so what it finds is its own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from learnhub.datasources.stores import Stores
from learnhub.embedded.base import free_port
from learnhub.graphql.relay.node import to_global_id
from learnhub.worker import drain
from tests.support.authoring import (
    ADD_LESSON,
    CREATE_QUIZ,
    PUBLISH_COURSE,
    PUBLISH_QUIZ,
    SAVE_QUESTION,
    UPDATE_CONTENT,
    create_course,
)
from tests.support.client import gql, post_graphql
from tests.support.data import StoreAccess, enroll, unique
from tests.support.servers import GatewayFactory
from tests.support.world import account_with_role

SEARCH = """
query($q: String!, $m: SearchMode, $k: [SearchKind!], $c: ID, $t: [String!], $l: CourseLevel, $e: Boolean,
      $f: Int, $a: String) {
  search(query: $q, mode: $m, kinds: $k, courseId: $c, tags: $t, level: $l, enrolledOnly: $e, first: $f, after: $a) {
    totalCount didYouMean answeredBy
    facets { kinds { value count } tags { value count } levels { value count } }
    pageInfo { hasNextPage endCursor }
    edges { cursor node { kind contentId title snippet score
      record { __typename ... on Lesson { contentId } ... on Course { contentId } ... on Question { contentId } } } }
  }
}
"""
EDIT_LESSON = """mutation($l: ID!, $v: Int!, $i: LessonEditInput!) {
  updateLesson(lessonId: $l, expectedVersion: $v, input: $i) { lesson { version } errors { code } } }"""
RELATED = "query($l: ID!, $f: Int) { relatedLessons(lessonId: $l, first: $f) { contentId title } }"


def word(prefix: str) -> str:
    """A made-up word no other test and no demo text contains."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


async def search(http: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
    body = await gql(http, SEARCH, {"q": query, **variables}, token=token)
    payload: dict[str, Any] = body["data"]["search"]
    return payload


def ids(payload: dict[str, Any]) -> list[str]:
    return [edge["node"]["contentId"] for edge in payload["edges"]]


async def row_id_of(stores: StoreAccess, content_id: str) -> uuid.UUID:
    async with stores.engine.connect() as conn:
        row = await conn.execute(text("SELECT id FROM courses WHERE content_id = :c"), {"c": content_id})
        value: uuid.UUID = row.scalar_one()
    return value


def blocks(*paragraphs: str) -> list[dict[str, str]]:
    return [{"kind": "MARKDOWN", "text": p} for p in paragraphs]


@dataclass
class Authored:
    """A course written through the API: a preview lesson and a members' lesson, a published
    quiz whose question's answer and explanation carry words of their own."""

    instructor: str
    course_id: str
    content_id: str
    version: int
    preview_lesson: str
    members_lesson: str
    title_word: str
    body_word: str
    summary_word: str
    prompt_word: str
    answer_word: str
    explanation_word: str
    tag: str


async def authored_course(http: httpx.AsyncClient, stores: StoreAccess, *, publish: bool = True) -> Authored:
    instructor, _ = await account_with_role(http, stores, "instructor")
    w = {k: word(k) for k in ("title", "body", "summary", "prompt", "answer", "explain", "tag")}
    slug = unique("srch")
    created = await create_course(
        http, instructor, slug=slug, title=f"Course about {w['title']}", tags=[w["tag"]], level="ADVANCED"
    )
    course = created["course"]["id"]
    outline = {"modules": [{"id": "m1", "title": "Basics"}]}
    version = (await gql(http, UPDATE_CONTENT, {"c": course, "v": 1, "i": outline}, token=instructor))["data"][
        "updateCourseContent"
    ]["contentVersion"]
    lessons = []
    for name, preview in (("open", True), ("members", False)):
        data = {
            "slug": f"{slug}-{name}",
            "moduleId": "m1",
            "title": f"The {name} lesson",
            "summary": f"A summary mentioning {w['summary']}" if name == "members" else "An open lesson",
            "preview": preview,
            "blocks": blocks(f"# {name.title()}\nThis lesson explains {w['body']} in detail.", "More text."),
        }
        added = (await gql(http, ADD_LESSON, {"c": course, "v": version, "i": data}, token=instructor))["data"][
            "addLesson"
        ]
        assert added["errors"] == [], added
        version = added["contentVersion"]
        lessons.append(added["lesson"]["contentId"])
    quiz = (
        await gql(
            http,
            CREATE_QUIZ,
            {"i": {"courseId": course, "slug": f"{slug}-quiz", "title": "Check", "description": ""}},
            token=instructor,
        )
    )["data"]["createQuiz"]["quiz"]
    question = {
        "type": "SINGLE_CHOICE",
        "prompt": f"Which one is {w['prompt']}?",
        "options": [{"id": "a", "text": w["answer"]}, {"id": "b", "text": "something else"}],
        "answer": "a",
        "explanation": f"Because of {w['explain']}.",
    }
    saved = (await gql(http, SAVE_QUESTION, {"q": quiz["contentId"], "v": 1, "i": question}, token=instructor))["data"][
        "saveQuestion"
    ]
    assert saved["errors"] == [], saved
    published = await gql(http, PUBLISH_QUIZ, {"q": quiz["contentId"], "v": 2, "p": True}, token=instructor)
    assert published["data"]["publishQuiz"]["errors"] == []
    if publish:
        body = await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=instructor)
        assert body["data"]["publishCourse"]["errors"] == []
    return Authored(
        instructor, course, created["course"]["contentId"], version, lessons[0], lessons[1], w["title"], w["body"],
        w["summary"], w["prompt"], w["answer"], w["explain"], w["tag"],
    )  # fmt: skip


async def test_typos_and_paraphrases_find_the_right_lesson_first(http: httpx.AsyncClient) -> None:
    for mode in ("KEYWORD", "HYBRID"):
        found = await search(http, "pyton decoratrs", m=mode)
        assert ids(found)[0] == "lesson:py-decorators", mode
        assert "<mark>" in found["edges"][0]["node"]["snippet"]
    meaning = await search(http, "how do I make my API return errors properly", m="HYBRID", f=3)
    assert "lesson:rest-status-codes" in ids(meaning)
    assert meaning["answeredBy"] == ["KEYWORD", "SEMANTIC"]


async def test_a_course_is_found_by_its_owner_until_published_then_by_everyone(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    course = await authored_course(http, stores, publish=False)
    student, _ = await account_with_role(http, stores, "student")
    other, _ = await account_with_role(http, stores, "instructor")
    admin, _ = await account_with_role(http, stores, "admin")
    await drain(live_stores)
    everything = {course.content_id, course.preview_lesson, course.members_lesson}
    for token in (None, student, other):
        # HYBRID always has nearest neighbours in meaning: none of them may be this course's.
        assert not everything & set(ids(await search(http, course.title_word, token, f=50)))
        assert (await search(http, course.prompt_word, token, k=["QUESTION"]))["edges"] == []
    for token in (course.instructor, admin):
        # The course by its title; its lessons too, by their course's title, ranked below it.
        found = ids(await search(http, course.title_word, token, m="KEYWORD"))
        assert found[0] == course.content_id
        assert set(found) == everything
        assert len(ids(await search(http, course.prompt_word, token, k=["QUESTION"]))) == 1
    await gql(http, PUBLISH_COURSE, {"c": course.course_id, "p": True}, token=course.instructor)
    await drain(live_stores)
    assert ids(await search(http, course.title_word, student, m="KEYWORD"))[0] == course.content_id
    lessons = await search(http, course.body_word, None, k=["LESSON"], m="KEYWORD")
    assert sorted(ids(lessons)) == sorted([course.preview_lesson, course.members_lesson])
    # Unpublished again: gone for students at once in SEMANTIC (the query joins the course row),
    # and, before the worker runs, the hits Typesense still has are dropped by the loaders.
    await gql(http, PUBLISH_COURSE, {"c": course.course_id, "p": False}, token=course.instructor)
    for mode in ("SEMANTIC", "KEYWORD", "HYBRID"):
        assert not everything & set(ids(await search(http, course.body_word, student, m=mode, f=50))), mode
    await drain(live_stores)
    assert (await search(http, course.body_word, student, m="KEYWORD"))["edges"] == []


async def test_a_lesson_body_is_quoted_only_to_its_readers(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    course = await authored_course(http, stores)
    await drain(live_stores)
    outsider, _ = await account_with_role(http, stores, "student")
    member, member_id = await account_with_role(http, stores, "student")
    row_id = (
        uuid.UUID(
            str((await stores.engine.connect().__aenter__()).sync_connection)  # placeholder, replaced below
        )
        if False
        else None
    )
    async with stores.engine.connect() as conn:
        row_id = (
            await conn.execute(text("SELECT id FROM courses WHERE content_id = :c"), {"c": course.content_id})
        ).scalar_one()
    await enroll(stores, member_id, row_id)

    def snippet_of(payload: dict[str, Any], lesson: str) -> str:
        return next(e["node"]["snippet"] for e in payload["edges"] if e["node"]["contentId"] == lesson)

    for token in (None, outsider):
        found = await search(http, course.body_word, token, k=["LESSON"])
        assert course.body_word not in snippet_of(found, course.members_lesson)
        assert course.summary_word in snippet_of(found, course.members_lesson)
        # The preview lesson is open to all: its body is quoted.
        assert f"<mark>{course.body_word}</mark>" in snippet_of(found, course.preview_lesson)
    for token in (member, course.instructor):
        found = await search(http, course.body_word, token, k=["LESSON"])
        assert f"<mark>{course.body_word}</mark>" in snippet_of(found, course.members_lesson)


async def test_questions_never_match_on_or_show_answers(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    course = await authored_course(http, stores)
    await drain(live_stores)
    admin, _ = await account_with_role(http, stores, "admin")
    for hidden_word in (course.answer_word, course.explanation_word):
        for token in (None, admin):
            assert (await search(http, hidden_word, token, k=["QUESTION"], m="KEYWORD"))["edges"] == []
    found = await search(http, course.prompt_word, None, k=["QUESTION"])
    [hit] = found["edges"]
    assert hit["node"]["kind"] == "QUESTION"
    assert course.prompt_word in hit["node"]["title"]
    assert course.answer_word not in str(hit)
    assert course.explanation_word not in str(hit)
    assert hit["node"]["record"]["__typename"] == "SingleChoiceQuestion"


async def test_edits_reach_both_indexes_through_the_worker_and_end_at_the_newest_version(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    course = await authored_course(http, stores)
    await drain(live_stores)
    first, second = word("first"), word("second")
    # Two quick edits before the worker runs: the index ends at the second.
    for version, new_word in ((1, first), (2, second)):
        edit = {"blocks": blocks(f"# Now\nThis lesson is about {new_word}.")}
        body = await gql(
            http, EDIT_LESSON, {"l": course.preview_lesson, "v": version, "i": edit}, token=course.instructor
        )
        assert body["data"]["updateLesson"]["errors"] == []
    assert ids(await search(http, second, k=["LESSON"], m="KEYWORD")) == []  # not before the worker
    drained = await drain(live_stores)
    assert drained.indexed >= 2
    assert (await search(http, first, k=["LESSON"], m="KEYWORD"))["edges"] == []
    assert ids(await search(http, second, k=["LESSON"], m="KEYWORD")) == [course.preview_lesson]
    assert ids(await search(http, course.body_word, k=["LESSON"], m="KEYWORD")) == [course.members_lesson]
    async with stores.engine.connect() as conn:
        versions = (
            await conn.execute(
                text("SELECT DISTINCT content_version FROM lesson_chunks WHERE lesson_id = :l"),
                {"l": course.preview_lesson},
            )
        ).scalars().all()  # fmt: skip
    assert versions == [3]
    # Taken out of the outline: gone from Typesense and from the chunks.
    outline = {"modules": [{"id": "m1", "title": "Basics", "lessonIds": [course.members_lesson]}]}
    body = await gql(
        http, UPDATE_CONTENT, {"c": course.course_id, "v": course.version, "i": outline}, token=course.instructor
    )
    assert body["data"]["updateCourseContent"]["errors"] == []
    await drain(live_stores)
    assert (await search(http, second, k=["LESSON"], m="KEYWORD"))["edges"] == []
    async with stores.engine.connect() as conn:
        left = await conn.scalar(
            text("SELECT count(*) FROM lesson_chunks WHERE lesson_id = :l"), {"l": course.preview_lesson}
        )
    assert left == 0


async def test_round_trips_do_not_grow_with_first(http: httpx.AsyncClient) -> None:
    for first in (1, 5, 10):
        response = await post_graphql(http, SEARCH, {"q": "database index transaction", "f": first})
        body = response.json()
        assert len(body["data"]["search"]["edges"]) == first
        trips = body["extensions"]["roundTrips"]
        # One multi-search and one pgvector query; then the records: course rows (PostgreSQL),
        # lesson and question documents, the quizzes that list the questions (MongoDB), and the
        # rows of those quizzes' courses when they are not the hits' own.
        assert trips["typesense"] == 1, first
        assert trips["postgres"] <= 3, (first, trips)
        assert trips["mongodb"] <= 3, (first, trips)


async def test_pages_follow_each_other_without_repeats(http: httpx.AsyncClient) -> None:
    first = await search(http, "lesson", f=5)
    assert first["pageInfo"]["hasNextPage"] is True
    second = await search(http, "lesson", f=5, a=first["pageInfo"]["endCursor"])
    assert len(ids(second)) == 5
    assert not set(ids(first)) & set(ids(second))
    both = await search(http, "lesson", f=10)
    assert ids(both) == ids(first) + ids(second)


async def test_filters_and_facets(http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores) -> None:
    course = await authored_course(http, stores)
    await drain(live_stores)
    found = await search(http, course.body_word, t=[course.tag], m="KEYWORD")
    assert sorted(ids(found)) == sorted([course.preview_lesson, course.members_lesson])
    assert {"value": course.tag, "count": 2} in found["facets"]["tags"]
    assert found["facets"]["levels"] == [{"value": "advanced", "count": 2}]
    assert found["facets"]["kinds"] == [{"value": "LESSON", "count": 2}]
    assert (await search(http, course.body_word, t=[word("other")], m="KEYWORD"))["edges"] == []
    assert (await search(http, course.body_word, l="BEGINNER", m="KEYWORD"))["edges"] == []
    scoped = await search(http, "lesson", c=course.content_id, f=50)
    assert set(ids(scoped)) <= {course.preview_lesson, course.members_lesson, course.content_id}
    assert set(ids(scoped)) & {course.preview_lesson, course.members_lesson}


async def test_enrolled_only_keeps_to_the_viewers_courses(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    course = await authored_course(http, stores)
    await drain(live_stores)
    student, student_id = await account_with_role(http, stores, "student")
    assert (await search(http, course.body_word, student, e=True))["edges"] == []  # no enrollments: nothing
    await enroll(stores, student_id, await row_id_of(stores, course.content_id))
    found = await search(http, course.body_word, student, e=True, k=["LESSON"])
    assert sorted(ids(found)) == sorted([course.preview_lesson, course.members_lesson])
    mine = {course.content_id, course.preview_lesson, course.members_lesson}
    assert set(ids(await search(http, "decorators", student, e=True, f=50))) <= mine


async def test_did_you_mean_offers_a_spelling_that_finds_something(http: httpx.AsyncClient) -> None:
    # Three letters wrong: past Typesense's two typos, within the vocabulary's reach.
    mangled = await search(http, "transacshun", m="KEYWORD")
    assert mangled["edges"] == []
    assert mangled["didYouMean"] == "transaction"
    assert ids(await search(http, mangled["didYouMean"], m="KEYWORD"))
    nothing = await search(http, word("zz"), m="KEYWORD")
    assert (nothing["edges"], nothing["didYouMean"]) == ([], None)


BAD = [
    ({"q": ""}, "BAD_USER_INPUT"),
    ({"q": "   "}, "BAD_USER_INPUT"),
    ({"q": "x" * 1000}, "BAD_USER_INPUT"),
    ({"q": "rest", "f": 51}, "BAD_USER_INPUT"),
    ({"q": "rest", "f": -1}, "BAD_USER_INPUT"),
    ({"q": "rest", "a": "not-a-cursor"}, "BAD_USER_INPUT"),
    ({"q": "rest", "c": "course:does-not-exist"}, "NOT_FOUND"),
    ({"q": "rest", "c": to_global_id("Course", uuid.uuid4())}, "NOT_FOUND"),
    ({"q": "rest", "t": ["x" * 65]}, "BAD_USER_INPUT"),
    ({"q": "rest", "e": True}, "UNAUTHENTICATED"),
]


@pytest.mark.parametrize(("variables", "code"), BAD)
async def test_bad_input_gets_a_stable_code(http: httpx.AsyncClient, variables: dict[str, Any], code: str) -> None:
    response = await post_graphql(http, SEARCH, variables)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


async def test_a_course_the_viewer_may_not_see_reads_as_unknown(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    course = await authored_course(http, stores, publish=False)
    hidden = await post_graphql(http, SEARCH, {"q": "lesson", "c": course.content_id})
    unknown = await post_graphql(http, SEARCH, {"q": "lesson", "c": "course:does-not-exist"})
    assert hidden.json()["data"] == unknown.json()["data"] is None
    assert [e["extensions"]["code"] for e in hidden.json()["errors"]] == ["NOT_FOUND"]
    await drain(live_stores)
    mine = await search(http, course.body_word, course.instructor, c=course.course_id, m="KEYWORD")
    assert sorted(ids(mine)) == sorted([course.preview_lesson, course.members_lesson])


async def test_without_typesense_hybrid_answers_from_pgvector_and_keyword_fails_clearly(
    gateway_factory: GatewayFactory,
) -> None:
    # A port nothing listens on: Typesense is down for this gateway.
    server = gateway_factory(typesense_url=f"http://127.0.0.1:{free_port()}")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        body = (await post_graphql(http, SEARCH, {"q": "run a function before and after another one"})).json()
        assert ids(body["data"]["search"])
        assert body["data"]["search"]["answeredBy"] == ["SEMANTIC"]
        assert [e["extensions"]["code"] for e in body["errors"]] == ["SEARCH_DEGRADED"]
        assert body["errors"][0]["path"] == ["search"]
        keyword = (await post_graphql(http, SEARCH, {"q": "decorators", "m": "KEYWORD"})).json()
        assert keyword["data"] is None
        assert [e["extensions"]["code"] for e in keyword["errors"]] == ["SEARCH_UNAVAILABLE"]


async def test_without_the_embedding_model_hybrid_answers_from_keywords(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(embedding_model="no-such-model")
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        body = (await post_graphql(http, SEARCH, {"q": "pyton decoratrs"})).json()
        assert ids(body["data"]["search"])[0] == "lesson:py-decorators"
        assert body["data"]["search"]["answeredBy"] == ["KEYWORD"]
        assert [e["extensions"]["code"] for e in body["errors"]] == ["SEARCH_DEGRADED"]
        semantic = (await post_graphql(http, SEARCH, {"q": "decorators", "m": "SEMANTIC"})).json()
        assert [e["extensions"]["code"] for e in semantic["errors"]] == ["SEARCH_UNAVAILABLE"]


async def test_related_lessons_are_near_in_meaning_and_never_hidden(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    near = (await gql(http, RELATED, {"l": "lesson:py-decorators", "f": 5}))["data"]["relatedLessons"]
    assert 0 < len(near) <= 5
    assert "lesson:py-decorators" not in [n["contentId"] for n in near]
    # A draft course whose lesson says exactly what a public lesson says: the nearest of all,
    # but only for its owner.
    public = await authored_course(http, stores)
    draft = await authored_course(http, stores, publish=False)
    same = {"blocks": blocks(f"# Twin\nThis lesson explains {public.body_word} in detail.", "More text.")}
    body = await gql(http, EDIT_LESSON, {"l": draft.members_lesson, "v": 1, "i": same}, token=draft.instructor)
    assert body["data"]["updateLesson"]["errors"] == []
    await drain(live_stores)
    for token in (None, public.instructor):
        found = (await gql(http, RELATED, {"l": public.members_lesson, "f": 20}, token=token))["data"]
        assert draft.members_lesson not in [n["contentId"] for n in found["relatedLessons"]]
    found = (await gql(http, RELATED, {"l": public.preview_lesson, "f": 20}, token=draft.instructor))["data"]
    assert draft.members_lesson in [n["contentId"] for n in found["relatedLessons"]]
    too_many = await post_graphql(http, RELATED, {"l": "lesson:py-decorators", "f": 21})
    assert [e["extensions"]["code"] for e in too_many.json()["errors"]] == ["BAD_USER_INPUT"]
