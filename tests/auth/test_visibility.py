"""Which content records each viewer reaches, through every path: the record dimension of the policy.

A course that is not published, and a quiz that is not published, exist only for the course's
instructor and admins. The hidden records' titles and prompts carry a marker; each case runs
one path as each of six viewers and checks who gets the marker back, and that everyone else
gets exactly what an unknown id gets. A walk over the schema fails when a root field or node
type that can reach content has no case here, so the matrix cannot go stale.

The rule's functions themselves (auth/visibility.py) are tested in process at the end.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, GraphQLUnionType, get_named_type
from sqlalchemy import select, update

from learnhub.auth import visibility
from learnhub.auth.viewer import ANONYMOUS, Viewer
from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.postgres.tables import courses, enrollments
from learnhub.datasources.stores import Stores
from learnhub.graphql.relay.node import to_global_id
from learnhub.graphql.schema import build_schema
from learnhub.search.indexer import index_courses
from tests.support.client import gql
from tests.support.data import StoreAccess, enroll, make_course, unique
from tests.support.world import ROLES, account_with_role, add_attempt, add_quiz

OWNERS = frozenset({"instructor", "admin"})
NOBODY: frozenset[str] = frozenset()
CONTENT_TYPES = {"Course", "CourseContent", "Module", "Lesson", "Quiz", "Question"}


@dataclass
class Hidden:
    """A course that is not published (with a lesson, a published quiz and its question) and a
    published course with a draft quiz; the student enrolled in both and answered both quizzes."""

    mark: str
    tag: str
    tokens: dict[str, str | None]
    course_id: uuid.UUID
    course_content_id: str
    lesson_id: str
    quiz_id: str
    question_id: str
    open_lesson_id: str
    draft_quiz_id: str
    draft_question_id: str
    attempt_id: uuid.UUID
    draft_attempt_id: uuid.UUID
    enrollment_id: uuid.UUID
    student_gid: str
    open_course_content_id: str
    share_token: str = ""  # a share link to the hidden course, made by its instructor


async def _hidden_world(http: httpx.AsyncClient, stores: StoreAccess) -> Hidden:
    mark = unique("hidden")
    tokens: dict[str, str | None] = {"anonymous": None}
    user_ids = {}
    for role in ROLES[1:]:
        tokens[role], user_ids[role] = await account_with_role(http, stores, role.removeprefix("other_"))
    course_id, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=1)
    open_id, open_content_id, open_lessons = await make_course(stores, modules=1, lessons_per_module=1)
    async with stores.engine.begin() as conn:
        owned = update(courses).where(courses.c.id.in_([course_id, open_id]))
        await conn.execute(owned.values(instructor_id=user_ids["instructor"], tags=[mark]))
    quiz_id, question_id = await add_quiz(stores, content_id)
    draft_quiz_id, draft_question_id = await add_quiz(stores, open_content_id)
    db = stores.db
    await db["course_content"].update_one({"_id": content_id}, {"$set": {"title": f"Course {mark}"}})
    await db["lesson_content"].update_one(
        {"_id": lessons[0]}, {"$set": {"title": f"Lesson {mark}", "quiz_id": quiz_id}}
    )
    await db["lesson_content"].update_one({"_id": open_lessons[0]}, {"$set": {"quiz_id": draft_quiz_id}})
    await db["quiz_content"].update_one({"_id": quiz_id}, {"$set": {"title": f"Quiz {mark}"}})
    await db["quiz_content"].update_one(
        {"_id": draft_quiz_id}, {"$set": {"title": f"Draft {mark}", "published": False}}
    )
    for question in (question_id, draft_question_id):
        await db["questions"].update_one({"_id": question}, {"$set": {"prompt": f"Prompt {mark}", "tags": [mark]}})
    student = user_ids["student"]
    await enroll(stores, student, course_id)
    await enroll(stores, student, open_id)
    attempt_id = await add_attempt(stores, student, course_id, quiz_id)
    draft_attempt_id = await add_attempt(stores, student, open_id, draft_quiz_id)
    for attempt, question in ((attempt_id, question_id), (draft_attempt_id, draft_question_id)):
        answer = {"question_id": question, "response": "b", "correct": True, "points_awarded": 1, "points_possible": 1}
        await db["quiz_attempt_details"].update_one({"_id": f"attempt:{attempt}"}, {"$set": {"answers": [answer]}})
    # Published while the student enrolled and answered; closed again since.
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == course_id).values(published=False))
        enrolled = select(enrollments.c.id).where(enrollments.c.course_id == course_id)
        enrollment_id = (await conn.execute(enrolled)).scalar_one()
    return Hidden(
        mark, mark, tokens, course_id, content_id, lessons[0], quiz_id, question_id,
        open_lessons[0], draft_quiz_id, draft_question_id, attempt_id, draft_attempt_id,
        enrollment_id, to_global_id("User", student), open_content_id,
    )  # fmt: skip


@pytest.fixture(scope="module")
async def hidden(live: Any, stores: StoreAccess, live_stores: Stores) -> Hidden:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        world = await _hidden_world(http, stores)
        shared = await gql(
            http, "mutation($c: ID!) { createShareLink(input: {entity: COURSE, id: $c}) { token } }",
            {"c": world.course_content_id}, token=world.tokens["instructor"],
        )  # fmt: skip
        world.share_token = shared["data"]["createShareLink"]["token"]
    # Written straight into the stores, so indexed here as the worker would after authoring.
    async with live_stores.engine.begin() as conn:
        await index_courses(live_stores, conn, [world.course_content_id, world.open_course_content_id])
    return world


Operation = Callable[[Hidden], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """One path to hidden content: the operation, the roles that may see what it reaches, and,
    for lookups by id, the same operation with an id that does not exist (hidden must read alike)."""

    root: str  # the Query field it starts from; "node:<Type>" for node(id:) of that type
    operation: Operation
    allowed: frozenset[str]
    unknown: Operation | None = None


def _by_id(field: str, selection: str, id_of: Callable[[Hidden], str], missing: str) -> tuple[Operation, Operation]:
    query = f"query($id: ID!) {{ {field}(id: $id) {{ {selection} }} }}"
    return (lambda h: (query, {"id": id_of(h)})), (lambda h: (query, {"id": missing}))


def _node(type_name: str, selection: str, id_of: Callable[[Hidden], str], missing: str) -> tuple[Operation, Operation]:
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {selection} }} }} }}"
    return (lambda h: (query, {"id": to_global_id(type_name, id_of(h))})), (
        lambda h: (query, {"id": to_global_id(type_name, missing)})
    )


def _case(root: str, pair: tuple[Operation, Operation], allowed: frozenset[str] = OWNERS) -> Case:
    return Case(root, pair[0], allowed, pair[1])


def _plain(query: str, variables: Callable[[Hidden], dict[str, Any]] | None = None) -> Operation:
    return lambda h: (query, variables(h) if variables else {})


NO_UUID = str(uuid.UUID(int=1))
ATTEMPT_DEEP = "quiz { title } course { title } details { answers { question { prompt } } }"

CASES: dict[str, Case] = {
    "course(id)": _case(
        "course",
        _by_id(
            "course",
            "title content { title }",
            lambda h: to_global_id("Course", h.course_id),
            to_global_id("Course", NO_UUID),
        ),
    ),
    "course(contentId)": Case(
        "course",
        _plain("query($c: String!) { course(contentId: $c) { title } }", lambda h: {"c": h.course_content_id}),
        OWNERS,
        _plain("query($c: String!) { course(contentId: $c) { title } }", lambda h: {"c": "course:does-not-exist"}),
    ),
    "lesson(id)": _case("lesson", _by_id("lesson", "title course { title }", lambda h: h.lesson_id, "lesson:nope")),
    "quiz(id) of a closed course": _case(
        "quiz", _by_id("quiz", "title questions { prompt }", lambda h: h.quiz_id, "quiz:nope")
    ),
    "quiz(id) of a draft": _case(
        "quiz", _by_id("quiz", "title questions { prompt }", lambda h: h.draft_quiz_id, "quiz:nope")
    ),
    "node(Course)": _case("node:Course", _node("Course", "title", lambda h: str(h.course_id), NO_UUID)),
    "node(Lesson)": _case("node:Lesson", _node("Lesson", "title", lambda h: h.lesson_id, "lesson:nope")),
    "node(Quiz)": _case("node:Quiz", _node("Quiz", "title", lambda h: h.draft_quiz_id, "quiz:nope")),
    "node(Question) of a closed course": _case(
        "node:Question", _node("Question", "prompt", lambda h: h.question_id, "question:nope")
    ),
    "node(Question) of a draft": _case(
        "node:Question", _node("Question", "prompt", lambda h: h.draft_question_id, "question:nope")
    ),
    # The student's own records that point at what is hidden now: the record stays theirs,
    # the content it points at does not come back.
    "node(QuizAttempt)": Case(
        "node:QuizAttempt",
        _plain(
            f"query($id: ID!) {{ node(id: $id) {{ ... on QuizAttempt {{ {ATTEMPT_DEEP} }} }} }}",
            lambda h: {"id": to_global_id("QuizAttempt", h.attempt_id)},
        ),
        frozenset({"instructor", "admin"}),
    ),
    "node(Enrollment)": Case(
        "node:Enrollment",
        _plain(
            "query($id: ID!) { node(id: $id) { ... on Enrollment { course { title } continueLesson { title } } } }",
            lambda h: {"id": to_global_id("Enrollment", h.enrollment_id)},
        ),
        frozenset({"instructor", "admin"}),
    ),
    "node(User)": Case(
        "node:User",
        _plain(
            "query($id: ID!) { node(id: $id) { ... on User { enrollments { nodes { course { title } } } "
            f"quizAttempts {{ nodes {{ {ATTEMPT_DEEP} }} }} }} }} }}",
            lambda h: {"id": h.student_gid},
        ),
        frozenset({"admin"}),
    ),
    "lesson.quiz (a draft)": Case(
        "lesson",
        _plain("query($id: ID!) { lesson(id: $id) { quiz { title } } }", lambda h: {"id": h.open_lesson_id}),
        OWNERS,
    ),
    "questions (the bank)": Case(
        "questions",
        _plain(
            "query($t: String) { questions(first: 500, tag: $t) { totalCount nodes { prompt } } }",
            lambda h: {"t": h.tag},
        ),
        OWNERS,
    ),
    "courses (the catalogue)": Case(
        # The public catalogue lists published courses; admins filter as they like.
        "courses",
        _plain("query($t: String) { courses(filter: {tag: $t}) { nodes { title } } }", lambda h: {"t": h.tag}),
        frozenset({"admin"}),
    ),
    "me": Case(
        "me",
        _plain(
            "{ me { enrollments { nodes { course { title } continueLesson { title } } } "
            f"quizAttempts {{ nodes {{ {ATTEMPT_DEEP} }} }} }} }}"
        ),
        NOBODY,
    ),
    "myCourses": Case("myCourses", _plain("{ myCourses { nodes { course { title content { title } } } } }"), NOBODY),
    "changesSince": Case(
        "changesSince", _plain("{ changesSince { enrollments { course { title content { title } } } } }"), NOBODY
    ),
    # Search finds the hidden course, its lesson and question, and the draft quiz's question
    # (every title and prompt carries the mark) only for their owners.
    "search (KEYWORD)": Case(
        "search",
        _plain(
            "query($q: String!) { search(query: $q, mode: KEYWORD, first: 50) { totalCount "
            "facets { kinds { value count } } "
            "nodes { title snippet record { ... on Course { courseTitle: title } ... on Lesson { title } "
            "... on Question { prompt } } } } }",
            lambda h: {"q": h.mark},
        ),
        OWNERS,
    ),
    "search (HYBRID)": Case(
        "search",
        _plain(
            "query($q: String!) { search(query: $q, first: 50) { nodes { title snippet contentId } } }",
            lambda h: {"q": f"Lesson {h.mark}"},
        ),
        OWNERS,
    ),
    # A hidden lesson's neighbours: refused exactly like an unknown lesson (the owners' answer
    # carries the mark through `lesson`, which they may read).
    "relatedLessons": Case(
        "relatedLessons",
        _plain(
            "query($id: ID!) { relatedLessons(lessonId: $id) { title } lesson(id: $id) { title } }",
            lambda h: {"id": h.lesson_id},
        ),
        OWNERS,
        _plain(
            "query($id: ID!) { relatedLessons(lessonId: $id) { title } lesson(id: $id) { title } }",
            lambda h: {"id": "lesson:nope"},
        ),
    ),
    "users": Case(
        "users",
        # The newest accounts: the world's student is among them.
        _plain(
            f"{{ users(first: 10) {{ nodes {{ enrollments {{ nodes {{ course {{ title }} }} }} "
            f"quizAttempts {{ nodes {{ {ATTEMPT_DEEP} }} }} }} }} }}"
        ),
        frozenset({"admin"}),
    ),
    # The link is the permission: whoever holds it sees the hidden course's preview, and only
    # that (test_a_share_link_opens_the_preview_and_nothing_else).
    "sharedContent": Case(
        "sharedContent",
        _plain(
            "query($t: String!) { sharedContent(token: $t) { ... on SharedCourse { title } } }",
            lambda h: {"t": h.share_token},
        ),
        frozenset(ROLES),
    ),
}


def _reaches_content(schema: GraphQLSchema, type_name: str, seen: set[str]) -> bool:
    if type_name in CONTENT_TYPES or type_name.endswith("Question"):
        return True
    gql_type = schema.type_map[type_name]
    if isinstance(gql_type, GraphQLUnionType):
        return any(_reaches_content(schema, member.name, seen) for member in gql_type.types)
    if type_name in seen or not isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
        return False
    seen.add(type_name)
    return any(_reaches_content(schema, get_named_type(f.type).name, seen) for f in gql_type.fields.values())


def test_every_path_to_content_has_a_case() -> None:
    schema = build_schema()._schema
    assert schema.query_type is not None
    roots = {
        name
        for name, field in schema.query_type.fields.items()
        if name != "node" and _reaches_content(schema, get_named_type(field.type).name, set())
    }
    node_types = {
        f"node:{t.name}"
        for t in schema.type_map.values()
        if isinstance(t, GraphQLObjectType)
        and any(i.name == "Node" for i in t.interfaces)
        and (t.name.endswith("Question") or _reaches_content(schema, t.name, set()))
    }
    # Question types share one node case (node(Question) resolves to the concrete type).
    node_types = {"node:Question" if t.endswith("Question") else t for t in node_types}
    assert {case.root for case in CASES.values()} == roots | node_types


@pytest.mark.parametrize("name", sorted(CASES))
async def test_hidden_content_reaches_only_its_owners(name: str, hidden: Hidden, http: httpx.AsyncClient) -> None:
    case = CASES[name]
    saw = set()
    for role in ROLES:
        query, variables = case.operation(hidden)
        body = await gql(http, query, variables, token=hidden.tokens[role], expect_errors=True)
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert codes <= {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"}, (role, body)
        if hidden.mark in json.dumps(body.get("data")):
            saw.add(role)
        elif case.unknown is not None:
            unknown_query, unknown_variables = case.unknown(hidden)
            missing = await gql(http, unknown_query, unknown_variables, token=hidden.tokens[role], expect_errors=True)
            assert body["data"] == missing["data"], role
            assert codes == {e["extensions"]["code"] for e in missing.get("errors", [])} == {"NOT_FOUND"}, role
    assert saw == case.allowed


async def test_a_share_link_opens_the_preview_and_nothing_else(hidden: Hidden, http: httpx.AsyncClient) -> None:
    """The same student opens the unpublished course's share link, and still finds the course
    nowhere else: `course(contentId:)` and `node` answer as for an unknown id, the catalogue
    leaves it out."""
    student = hidden.tokens["student"]
    opened = await gql(
        http, "query($t: String!) { sharedContent(token: $t) { ... on SharedCourse { contentId title } } }",
        {"t": hidden.share_token}, token=student,
    )  # fmt: skip
    assert opened["data"]["sharedContent"] == {"contentId": hidden.course_content_id, "title": f"Course {hidden.mark}"}
    by_content_id = await gql(
        http, "query($c: String!) { course(contentId: $c) { title } }", {"c": hidden.course_content_id},
        token=student, expect_errors=True,
    )  # fmt: skip
    assert by_content_id["data"] == {"course": None}
    assert [e["extensions"]["code"] for e in by_content_id["errors"]] == ["NOT_FOUND"]
    by_node = await gql(
        http, "query($id: ID!) { node(id: $id) { ... on Course { title } } }",
        {"id": to_global_id("Course", hidden.course_id)}, token=student, expect_errors=True,
    )  # fmt: skip
    assert [e["extensions"]["code"] for e in by_node["errors"]] == ["NOT_FOUND"]
    listed = await gql(
        http, "query($t: String) { courses(filter: {tag: $t}) { nodes { contentId } } }", {"t": hidden.tag},
        token=student,
    )  # fmt: skip
    assert hidden.course_content_id not in {n["contentId"] for n in listed["data"]["courses"]["nodes"]}


async def test_rest_routes_serve_no_hidden_content(hidden: Hidden, http: httpx.AsyncClient) -> None:
    questions = await http.get("/questions")
    assert questions.status_code == 200
    assert hidden.mark not in questions.text
    for quiz_id in (hidden.quiz_id, hidden.draft_quiz_id):
        response = await http.get(f"/api/v1/quizzes/{quiz_id}")
        unknown = await http.get("/api/v1/quizzes/quiz:does-not-exist")
        assert (response.status_code, response.json()["error"]["code"]) == (unknown.status_code, "NOT_FOUND")


MUTATIONS = {
    "enroll": ("mutation($id: ID!) { enroll(courseId: $id) { errors { code } } }", "course"),
    "startQuizAttempt": ("mutation($id: ID!) { startQuizAttempt(quizId: $id) { errors { code } } }", "draft_quiz"),
    "updateLessonProgress": (
        "mutation($id: ID!) { updateLessonProgress(input: {lessonId: $id, position: 1}) { errors { code } } }",
        "lesson",
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_learning_mutations_find_no_hidden_content(
    mutation: str, hidden: Hidden, http: httpx.AsyncClient
) -> None:
    query, target = MUTATIONS[mutation]
    ids = {"course": to_global_id("Course", hidden.course_id), "draft_quiz": hidden.draft_quiz_id,
           "lesson": hidden.lesson_id}  # fmt: skip
    for role in ("student", "other_student", "other_instructor"):
        body = await gql(http, query, {"id": ids[target]}, token=hidden.tokens[role])
        assert body["data"][mutation]["errors"] == [{"code": "NOT_FOUND"}], role


async def test_answers_follow_the_same_rule_on_every_path_to_a_question(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    """The answer rule does not depend on the path: the quiz's instructor and admins always, a
    student after an attempt the quiz lets them review; through the quiz, node(id:) and the bank."""
    tag = unique("answers")
    tokens, user_ids = {}, {}
    for role in ("student", "other_student", "instructor", "other_instructor", "admin"):
        tokens[role], user_ids[role] = await account_with_role(http, stores, role.removeprefix("other_"))
    course_id, content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
    async with stores.engine.begin() as conn:
        await conn.execute(
            update(courses).where(courses.c.id == course_id).values(instructor_id=user_ids["instructor"])
        )
    quiz_id, question_id = await add_quiz(stores, content_id)
    await stores.db["questions"].update_one({"_id": question_id}, {"$set": {"tags": [tag]}})
    await enroll(stores, user_ids["student"], course_id)
    await add_attempt(stores, user_ids["student"], course_id, quiz_id)
    paths = {
        "quiz": ("query($id: ID!) { quiz(id: $id) { questions { correctAnswer explanation } } }", {"id": quiz_id},
                 ("quiz", "questions", 0)),
        "node": ("query($id: ID!) { node(id: $id) { ... on Question { correctAnswer explanation } } }",
                 {"id": to_global_id("Question", question_id)}, ("node",)),
        "bank": ("query($t: String) { questions(tag: $t) { nodes { correctAnswer explanation } } }", {"t": tag},
                 ("questions", "nodes", 0)),
    }  # fmt: skip
    for path, (query, variables, where) in paths.items():
        shown = set()
        for role, token in tokens.items():
            value: Any = (await gql(http, query, variables, token=token))["data"]
            for step in where:
                value = value[step]
            if value["correctAnswer"] is not None:
                assert value == {
                    "correctAnswer": "b",
                    "explanation": "PUT replaces the resource; repeating it changes nothing.",
                }
                shown.add(role)
        assert shown == {"student", "instructor", "admin"}, path


# --- the rule itself, in process -------------------------------------------------------------------

TEACHER = uuid.uuid4()
PUBLISHED = {"published": True, "instructor_id": TEACHER}
UNPUBLISHED = {"published": False, "instructor_id": TEACHER}
VIEWERS = {
    "anonymous": ANONYMOUS,
    "student": Viewer(user_id=uuid.uuid4(), role="student"),
    "instructor": Viewer(user_id=TEACHER, role="instructor"),
    "other_instructor": Viewer(user_id=uuid.uuid4(), role="instructor"),
    "admin": Viewer(user_id=uuid.uuid4(), role="admin"),
}


def _who(allowed: Callable[[Viewer], bool]) -> set[str]:
    return {name for name, viewer in VIEWERS.items() if allowed(viewer)}


def test_only_the_courses_own_instructor_owns_it() -> None:
    assert _who(lambda viewer: visibility.owns_course(viewer, UNPUBLISHED)) == {"instructor"}


def test_a_demoted_instructor_no_longer_owns_their_course() -> None:
    assert not visibility.owns_course(Viewer(user_id=TEACHER, role="student"), UNPUBLISHED)


def test_a_missing_course_is_owned_by_nobody_and_seen_by_nobody() -> None:
    assert _who(lambda viewer: visibility.owns_course(viewer, None)) == set()
    assert _who(lambda viewer: visibility.may_see_course(viewer, None)) == set()


def test_everyone_sees_a_published_course() -> None:
    assert _who(lambda viewer: visibility.may_see_course(viewer, PUBLISHED)) == set(VIEWERS)


def test_an_unpublished_course_is_seen_by_its_instructor_and_admins_only() -> None:
    assert _who(lambda viewer: visibility.may_see_course(viewer, UNPUBLISHED)) == OWNERS


def test_everyone_sees_a_published_quiz_of_a_published_course() -> None:
    quiz = {"published": True}
    assert _who(lambda viewer: visibility.may_see_quiz(viewer, PUBLISHED, quiz)) == set(VIEWERS)


def test_a_quiz_without_a_published_flag_is_published() -> None:
    assert _who(lambda viewer: visibility.may_see_quiz(viewer, PUBLISHED, {})) == set(VIEWERS)


def test_a_draft_quiz_is_seen_by_the_courses_instructor_and_admins_only() -> None:
    draft = {"published": False}
    assert _who(lambda viewer: visibility.may_see_quiz(viewer, PUBLISHED, draft)) == OWNERS


def test_a_published_quiz_of_an_unpublished_course_is_hidden_with_it() -> None:
    quiz = {"published": True}
    assert _who(lambda viewer: visibility.may_see_quiz(viewer, UNPUBLISHED, quiz)) == OWNERS
    assert _who(lambda viewer: visibility.may_see_quiz(viewer, None, quiz)) == set()


def test_the_quiz_filter_without_own_courses_is_published_quizzes_of_published_courses() -> None:
    assert visibility.visible_quiz_filter(["course:a"], []) == {
        "course_id": {"$in": ["course:a"]},
        "published": {"$ne": False},
    }


def test_the_quiz_filter_adds_every_quiz_of_the_viewers_own_courses() -> None:
    assert visibility.visible_quiz_filter(["course:a"], ["course:mine"]) == {
        "$or": [
            {"course_id": {"$in": ["course:a"]}, "published": {"$ne": False}},
            {"course_id": {"$in": ["course:mine"]}},
        ]
    }


def test_an_admins_course_scope_is_everything() -> None:
    assert visibility.course_scope(VIEWERS["admin"]) == CourseScope(everything=True)


def test_an_instructors_course_scope_adds_their_own_courses() -> None:
    assert visibility.course_scope(VIEWERS["instructor"]) == CourseScope(owner_id=TEACHER)


@pytest.mark.parametrize("name", ["anonymous", "student"])
def test_everyone_elses_course_scope_is_the_published_courses(name: str) -> None:
    assert visibility.course_scope(VIEWERS[name]) == CourseScope()
