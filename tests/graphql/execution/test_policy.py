"""Every field has a declared access rule, and each guarded field allows exactly the roles it should;
the rules themselves (which type gets which, what a denial looks like) in process."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
import strawberry
from graphql import assert_object_type
from graphql import build_schema as build_graphql_schema
from sqlalchemy import insert

from learnhub.auth.viewer import ANONYMOUS, Viewer
from learnhub.core.errors import Forbidden, Unauthenticated
from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.tables import plans, subscriptions
from learnhub.graphql.context import Context
from learnhub.graphql.execution.errors import GatewaySchema
from learnhub.graphql.execution.policy import (
    FIELD_RULES,
    INHERITED,
    PUBLIC,
    PolicyMissing,
    Rule,
    _denied,
    _guard,
    apply_policy,
    rules_for,
    unruled_fields,
)
from learnhub.graphql.relay.node import to_global_id
from learnhub.graphql.schema import build_schema
from tests.support.client import gql
from tests.support.data import StoreAccess, enroll, make_course
from tests.support.world import ROLES, World, account_with_role, add_attempt, add_quiz, build_world

ALL = frozenset(ROLES)
SIGNED_IN = ALL - {"anonymous"}
ADMIN = frozenset({"admin"})
# "student" is enrolled in the course, has submitted its quiz, and owns the enrollment and attempt;
# "instructor" owns the course. The "other_" roles have no relation to any of it.
STUDENT_RECORD = frozenset({"student", "instructor", "admin"})
INSTRUCTOR_RECORD = frozenset({"instructor", "admin"})


def test_every_field_of_the_schema_has_a_rule() -> None:
    schema = build_schema()._schema
    assert unruled_fields(schema) == []
    object_fields = {
        f"{name}.{field}"
        for name, gql_type in schema.type_map.items()
        if not name.startswith("__") and hasattr(gql_type, "fields") and rules_for(name) is not None
        for field in gql_type.fields
    }
    assert len(object_fields) > 150


def test_a_field_without_a_rule_stops_the_schema_from_building() -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def unreviewed_secret(self) -> str:
            return "s"

    with pytest.raises(PolicyMissing, match=r"Query\.unreviewedSecret"):
        GatewaySchema(query=Query)


@dataclass(frozen=True)
class Case:
    """One guarded field: the operation that reaches it and where its value sits."""

    operation: Callable[[World], tuple[str, dict[str, Any]]]
    path: tuple[str | int, ...]
    allowed: frozenset[str]
    # Destructive operations (sign-outs) run with a fresh account of the role, not the world's.
    fresh: bool = False


def _course(field: str) -> Callable[[World], tuple[str, dict[str, Any]]]:
    return lambda w: (f"query($id: ID!) {{ course(id: $id) {{ {field} }} }}", {"id": w.course_gid})


def _instructor(field: str) -> Callable[[World], tuple[str, dict[str, Any]]]:
    return _course(f"instructor {{ {field} }}")


def _node(type_name: str, id_attr: str, field: str) -> Callable[[World], tuple[str, dict[str, Any]]]:
    return lambda w: (
        f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {field} }} }} }}",
        {"id": to_global_id(type_name, getattr(w, id_attr))},
    )


def _question(field: str) -> Callable[[World], tuple[str, dict[str, Any]]]:
    return lambda w: (f"query($id: ID!) {{ quiz(id: $id) {{ questions {{ {field} }} }} }}", {"id": w.quiz_id})


def _mutation(text: str) -> Callable[[World], tuple[str, dict[str, Any]]]:
    return lambda w: (text, {})


def _admin_mutation(name: str, args: str) -> Callable[[World], tuple[str, dict[str, Any]]]:
    return lambda w: (
        f"mutation($id: ID!) {{ {name}(userId: $id, {args}) {{ user {{ id }} }} }}",
        {"id": to_global_id("User", w.user_ids["target"])},
    )


NO_COURSE = to_global_id("Course", uuid.UUID(int=1))
STAFF = frozenset({"instructor", "other_instructor", "admin"})
# Staff reach these and get a typed payload (NOT_FOUND or INVALID, nothing written); others are refused.
STAFF_MUTATIONS = {
    "createCourse": 'createCourse(input: {slug: "Not A Slug", title: "t"})',
    "updateCourseContent": f'updateCourseContent(courseId: "{NO_COURSE}", expectedVersion: 1, input: {{}})',
    "publishCourse": f'publishCourse(courseId: "{NO_COURSE}", published: true)',
    "addLesson": f'addLesson(courseId: "{NO_COURSE}", expectedVersion: 1, '
    'input: {slug: "x-y", moduleId: "m", title: "t"})',
    "updateLesson": 'updateLesson(lessonId: "lesson:none", expectedVersion: 1, input: {})',
    "createQuiz": f'createQuiz(input: {{courseId: "{NO_COURSE}", slug: "x-y", title: "t"}})',
    "saveQuestion": 'saveQuestion(quizId: "quiz:none", expectedVersion: 1, '
    'input: {type: TRUE_FALSE, prompt: "p", answer: true})',
    "removeQuestion": 'removeQuestion(quizId: "quiz:none", expectedVersion: 1, questionId: "q")',
    "publishQuiz": 'publishQuiz(quizId: "quiz:none", expectedVersion: 1, published: true)',
    "createShareLink": f'createShareLink(input: {{entity: COURSE, id: "{NO_COURSE}"}})',
}

MATRIX: dict[str, Case] = {
    "Query.mySessions": Case(_mutation("{ mySessions { id } }"), ("mySessions",), SIGNED_IN),
    "Query.myCourses": Case(_mutation("{ myCourses { totalCount } }"), ("myCourses",), SIGNED_IN),
    "Query.changesSince": Case(_mutation("{ changesSince { hasMore } }"), ("changesSince",), SIGNED_IN),
    # Signed-in callers reach these and get a typed NOT_FOUND payload; visitors are refused.
    "Mutation.enroll": Case(
        _mutation(
            f'mutation {{ enroll(courseId: "{to_global_id("Course", uuid.UUID(int=1))}") {{ errors {{ code }} }} }}'
        ),
        ("enroll",),
        SIGNED_IN,
    ),
    "Mutation.unenroll": Case(
        _mutation(
            f'mutation {{ unenroll(courseId: "{to_global_id("Course", uuid.UUID(int=1))}") {{ errors {{ code }} }} }}'
        ),
        ("unenroll",),
        SIGNED_IN,
    ),
    "Mutation.updateLessonProgress": Case(
        _mutation('mutation { updateLessonProgress(input: {lessonId: "lesson:none"}) { errors { code } } }'),
        ("updateLessonProgress",),
        SIGNED_IN,
    ),
    "Mutation.startQuizAttempt": Case(
        _mutation('mutation { startQuizAttempt(quizId: "quiz:none") { errors { code } } }'),
        ("startQuizAttempt",),
        SIGNED_IN,
    ),
    "Mutation.submitQuizAttempt": Case(
        _mutation(
            f'mutation {{ submitQuizAttempt(attemptId: "{to_global_id("QuizAttempt", uuid.UUID(int=1))}", '
            'answers: [], idempotencyKey: "k") { errors { code } } }'
        ),
        ("submitQuizAttempt",),
        SIGNED_IN,
    ),
    **{
        f"Mutation.{name}": Case(_mutation(f"mutation {{ {call} {{ errors {{ code }} }} }}"), (name,), STAFF)
        for name, call in STAFF_MUTATIONS.items()
    },
    "Query.users": Case(_mutation("{ users(first: 1) { totalCount } }"), ("users",), ADMIN),
    "Mutation.logout": Case(_mutation("mutation { logout { ok } }"), ("logout",), SIGNED_IN, fresh=True),
    "Mutation.logoutEverywhere": Case(
        _mutation("mutation { logoutEverywhere { ok } }"), ("logoutEverywhere",), SIGNED_IN, fresh=True
    ),
    "Mutation.revokeSession": Case(
        lambda w: (
            "mutation($id: ID!) { revokeSession(id: $id) { ok } }",
            {"id": to_global_id("Session", w.course_id)},
        ),
        ("revokeSession",),
        SIGNED_IN,
    ),
    "Mutation.changePassword": Case(
        _mutation('mutation { changePassword(input: {currentPassword: "wrong!", newPassword: "x"}) { ok } }'),
        ("changePassword",),
        SIGNED_IN,
        fresh=True,
    ),
    "Mutation.setUserRole": Case(_admin_mutation("setUserRole", "role: STUDENT"), ("setUserRole",), ADMIN),
    "Mutation.setUserDisabled": Case(
        _admin_mutation("setUserDisabled", "disabled: false"), ("setUserDisabled",), ADMIN
    ),
    "User.email": Case(_instructor("email"), ("course", "instructor", "email"), INSTRUCTOR_RECORD),
    "User.disabled": Case(_instructor("disabled"), ("course", "instructor", "disabled"), ADMIN),
    "User.enrollments": Case(
        _instructor("enrollments { totalCount }"), ("course", "instructor", "enrollments"), INSTRUCTOR_RECORD
    ),
    "User.quizAttempts": Case(
        _instructor("quizAttempts { totalCount }"), ("course", "instructor", "quizAttempts"), INSTRUCTOR_RECORD
    ),
    "User.stats": Case(_instructor("stats { xp }"), ("course", "instructor", "stats"), INSTRUCTOR_RECORD),
    "User.achievements": Case(
        _instructor("achievements { code }"), ("course", "instructor", "achievements"), INSTRUCTOR_RECORD
    ),
    "Course.enrollments": Case(_course("enrollments { totalCount }"), ("course", "enrollments"), INSTRUCTOR_RECORD),
    "Course.quizAttempts": Case(_course("quizAttempts { totalCount }"), ("course", "quizAttempts"), INSTRUCTOR_RECORD),
    "Course.shareLinks": Case(_course("shareLinks { id }"), ("course", "shareLinks"), INSTRUCTOR_RECORD),
    "Course.analytics": Case(
        _course('analytics(from: "2026-01-01", to: "2026-01-07") { days { date } }'),
        ("course", "analytics"),
        INSTRUCTOR_RECORD,
    ),
    "Mutation.trackEvents": Case(
        _mutation("mutation { trackEvents(events: []) { accepted } }"), ("trackEvents",), SIGNED_IN
    ),
    "Query.platformAnalytics": Case(
        _mutation('{ platformAnalytics(from: "2026-01-01", to: "2026-01-07") { days { date } } }'),
        ("platformAnalytics",),
        ADMIN,
    ),
    "Query.analyticsEvents": Case(
        lambda w: (
            "query($id: ID!) { analyticsEvents(userId: $id) { name } }",
            {"id": to_global_id("User", w.user_ids["student"])},
        ),
        ("analyticsEvents",),
        ADMIN,
    ),
    # Signed-in callers reach it and get a typed NOT_FOUND payload; visitors are refused.
    "Mutation.revokeShareLink": Case(
        lambda w: (
            "mutation($id: ID!) { revokeShareLink(id: $id) { errors { code } } }",
            {"id": to_global_id("ShareLink", uuid.UUID(int=1))},
        ),
        ("revokeShareLink",),
        SIGNED_IN,
    ),
    "Enrollment.user": Case(_node("Enrollment", "enrollment_id", "user { id }"), ("node", "user"), STUDENT_RECORD),
    "Enrollment.progress": Case(
        _node("Enrollment", "enrollment_id", "progress { lessonId }"), ("node", "progress"), STUDENT_RECORD
    ),
    "QuizAttempt.user": Case(_node("QuizAttempt", "attempt_id", "user { id }"), ("node", "user"), STUDENT_RECORD),
    "Lesson.body": Case(
        lambda w: ("query($id: ID!) { lesson(id: $id) { body { text } } }", {"id": w.lesson_id}),
        ("lesson", "body"),
        STUDENT_RECORD,
    ),
    "Lesson.attachments": Case(
        lambda w: ("query($id: ID!) { lesson(id: $id) { attachments { id } } }", {"id": w.lesson_id}),
        ("lesson", "attachments"),
        STUDENT_RECORD,
    ),
    # Signed-in callers reach these and get a typed payload error; visitors are refused.
    "Mutation.requestUpload": Case(
        _mutation(
            'mutation { requestUpload(input: {purpose: AVATAR, filename: "a.png", contentType: "image/png", '
            'sizeBytes: 0, sha256: "x"}) { errors { code } } }'
        ),
        ("requestUpload",),
        SIGNED_IN,
    ),
    "Mutation.requestMultipartUpload": Case(
        _mutation(
            'mutation { requestMultipartUpload(input: {purpose: AVATAR, filename: "a.png", contentType: "image/png", '
            'sizeBytes: 0, sha256: "x"}) { errors { code } } }'
        ),
        ("requestMultipartUpload",),
        SIGNED_IN,
    ),
    "Mutation.confirmUpload": Case(
        lambda w: (
            "mutation($id: ID!) { confirmUpload(documentId: $id) { errors { code } } }",
            {"id": to_global_id("Document", uuid.UUID(int=1))},
        ),
        ("confirmUpload",),
        SIGNED_IN,
    ),
    "Mutation.completeMultipartUpload": Case(
        lambda w: (
            "mutation($id: ID!) { completeMultipartUpload(documentId: $id, parts: []) { errors { code } } }",
            {"id": to_global_id("Document", uuid.UUID(int=1))},
        ),
        ("completeMultipartUpload",),
        SIGNED_IN,
    ),
    "Mutation.deleteDocument": Case(
        lambda w: (
            "mutation($id: ID!) { deleteDocument(id: $id) { errors { code } } }",
            {"id": to_global_id("Document", uuid.UUID(int=1))},
        ),
        ("deleteDocument",),
        SIGNED_IN,
    ),
    # Signed-in callers reach these and get a typed payload error (an unknown course, no
    # subscription); nothing reaches the payment provider. Refunds are an admin's.
    "Mutation.checkout": Case(
        _mutation(
            f'mutation {{ checkout(input: {{courseId: "{NO_COURSE}", idempotencyKey: "policy-key"}}) '
            "{ errors { code } } }"
        ),
        ("checkout",),
        SIGNED_IN,
    ),
    "Mutation.cancelSubscription": Case(
        _mutation("mutation { cancelSubscription { errors { code } } }"), ("cancelSubscription",), SIGNED_IN
    ),
    "Mutation.refundPayment": Case(
        lambda w: (
            "mutation($id: ID!) { refundPayment(paymentId: $id) { errors { code } } }",
            {"id": to_global_id("Payment", uuid.UUID(int=1))},
        ),
        ("refundPayment",),
        ADMIN,
    ),
    "User.payments": Case(
        _instructor("payments { totalCount }"), ("course", "instructor", "payments"), INSTRUCTOR_RECORD
    ),
    "User.subscription": Case(
        _instructor("subscription { status }"), ("course", "instructor", "subscription"), INSTRUCTOR_RECORD
    ),
    "Question.correctAnswer": Case(
        _question("correctAnswer"), ("quiz", "questions", 0, "correctAnswer"), STUDENT_RECORD
    ),
    "Question.explanation": Case(_question("explanation"), ("quiz", "questions", 0, "explanation"), STUDENT_RECORD),
}


def _guarded_fields() -> set[str]:
    """Fields whose rule checks something, with interface implementations folded into `Question`."""
    guarded = set()
    for type_name, rules in FIELD_RULES.items():
        for field, rule in rules.items():
            if rule is not PUBLIC and rule is not INHERITED:
                guarded.add(f"{'Question' if type_name.endswith('Question') else type_name}.{field}")
    return guarded


def test_the_matrix_covers_every_guarded_field() -> None:
    assert set(MATRIX) == _guarded_fields()


@pytest.fixture(scope="module")
async def world(live: Any, stores: StoreAccess) -> World:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        built = await build_world(http, stores)
    await _subscribe(stores, built.user_ids["instructor"])
    return built


async def _subscribe(stores: StoreAccess, user_id: uuid.UUID) -> None:
    """A subscription for the world's instructor, so `User.subscription` has a value to guard."""
    plan_id = uuid7()
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(plans).values(
                id=plan_id, code=f"policy-{plan_id}", name="p", interval="month", amount_cents=100, currency="usd"
            )
        )
        await conn.execute(
            insert(subscriptions).values(
                id=uuid7(), user_id=user_id, plan_id=plan_id, status="active", provider_ref=f"sub_{plan_id}"
            )
        )


def _value(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if data is None:
            return None
        data = data[step]
    return data


@pytest.mark.parametrize("field", sorted(MATRIX))
async def test_role_matrix(field: str, world: World, http: httpx.AsyncClient, stores: StoreAccess) -> None:
    case = MATRIX[field]
    query, variables = case.operation(world)
    outcomes = {}
    for role in ROLES:
        token = world.tokens[role]
        if case.fresh and role != "anonymous":
            token, _ = await account_with_role(http, stores, role.removeprefix("other_"))
        body = await gql(http, query, variables, token=token, expect_errors=True)
        value = _value(body.get("data"), case.path)
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        # NOT_FOUND: the record itself is not visible to the role (node of another's enrollment).
        assert codes <= {"FORBIDDEN", "UNAUTHENTICATED", "NOT_FOUND"}, (role, body)
        outcomes[role] = value is not None and not codes
    assert {role for role, allowed in outcomes.items() if allowed} == case.allowed, outcomes


async def test_answers_follow_the_quiz_review_setting(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    student, student_id = await account_with_role(http, stores, "student")
    course_id, content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
    await enroll(stores, student_id, course_id)
    query = "query($id: ID!) { quiz(id: $id) { questions { correctAnswer explanation } } }"

    async def answers(quiz_id: str) -> Any:
        return (await gql(http, query, {"id": quiz_id}, token=student))["data"]["quiz"]["questions"][0]

    after_submit, _ = await add_quiz(stores, content_id)
    assert await answers(after_submit) == {"correctAnswer": None, "explanation": None}  # enrolled is not enough
    await add_attempt(stores, student_id, course_id, after_submit, passed=False)
    assert (await answers(after_submit))["correctAnswer"] == "b"

    after_pass, _ = await add_quiz(stores, content_id, review="after_pass")
    await add_attempt(stores, student_id, course_id, after_pass, passed=False)
    assert (await answers(after_pass))["correctAnswer"] is None
    await add_attempt(stores, student_id, course_id, after_pass, passed=True)
    assert (await answers(after_pass))["explanation"].startswith("PUT replaces")

    never, _ = await add_quiz(stores, content_id, review="never")
    await add_attempt(stores, student_id, course_id, never, passed=True)
    assert (await answers(never))["correctAnswer"] is None


async def test_answers_cost_no_extra_reads_when_not_asked(http: httpx.AsyncClient, world: World) -> None:
    body = await gql(http, "query($id: ID!) { quiz(id: $id) { questions { prompt } } }", {"id": world.quiz_id})
    # The quiz, its course's row (whether the viewer may see it), its questions.
    assert body["extensions"]["roundTrips"] == {"postgres": 1, "mongodb": 2}


# --- the rules themselves, in process --------------------------------------------------------------

WIDGETS = build_graphql_schema("""
type Query { widgets: WidgetConnection, secret: String }
type WidgetConnection { edges: [WidgetEdge!]!, pageInfo: PageInfo!, nodes: [Widget!]!, totalCount: Int!, extra: Int }
type WidgetEdge { node: Widget!, cursor: String! }
type Widget { id: ID! }
type PageInfo { hasNextPage: Boolean!, hasPreviousPage: Boolean!, startCursor: String, endCursor: String }
""")
DENY = Rule("deny", lambda source, ctx: False, message="Not for you")
HIDE = Rule("hide", lambda source, ctx: False, silent=True)
ALLOW = Rule("allow", lambda source, ctx: True)


def _context(viewer: Viewer) -> Context:
    # The rules read nothing of the context but its viewer.
    return cast(Context, SimpleNamespace(viewer=viewer))


def _info(viewer: Viewer) -> Any:
    return SimpleNamespace(context=_context(viewer))


def _resolve(source: Any, info: Any, **kwargs: Any) -> Any:
    return ("resolved", kwargs)


SIGNED_IN_VIEWER = Viewer(user_id=uuid.uuid4(), role="student")


def test_rules_for_a_declared_type_are_its_own() -> None:
    assert rules_for("Course") is FIELD_RULES["Course"]


def test_every_connection_and_edge_type_shares_the_page_rules() -> None:
    assert set(rules_for("WidgetConnection") or {}) == {"edges", "pageInfo", "nodes", "totalCount"}
    assert set(rules_for("WidgetEdge") or {}) == {"node", "cursor"}


def test_a_type_nobody_declared_has_no_rules() -> None:
    assert rules_for("Widget") is None


def test_unruled_fields_names_each_field_without_a_rule_and_skips_introspection() -> None:
    # Query's real fields are declared, not these; a connection's own extra field is not a page field.
    assert unruled_fields(WIDGETS) == ["Query.secret", "Query.widgets", "Widget.id", "WidgetConnection.extra"]


def test_a_silent_rule_hides_a_denied_value_as_null() -> None:
    assert _denied(HIDE, _context(SIGNED_IN_VIEWER)) is None


def test_a_denied_anonymous_viewer_is_asked_to_sign_in() -> None:
    with pytest.raises(Unauthenticated, match="Sign in to see this"):
        _denied(DENY, _context(ANONYMOUS))


def test_a_denied_viewer_whose_token_was_refused_is_told_why() -> None:
    with pytest.raises(Unauthenticated, match="expired"):
        _denied(DENY, _context(Viewer(token_error="The access token has expired")))


def test_a_denied_signed_in_viewer_is_forbidden_with_the_rules_message() -> None:
    with pytest.raises(Forbidden, match="Not for you"):
        _denied(DENY, _context(SIGNED_IN_VIEWER))


def test_a_rule_without_a_message_has_a_default_one() -> None:
    assert Rule("plain", None).message == "You are not allowed to see this"


def test_a_guarded_field_resolves_when_its_check_passes() -> None:
    assert _guard(ALLOW, _resolve)(None, _info(SIGNED_IN_VIEWER), first=2) == ("resolved", {"first": 2})


def test_a_guarded_field_hidden_by_a_silent_rule_never_resolves() -> None:
    def resolve(source: Any, info: Any, **kwargs: Any) -> Any:
        raise AssertionError("resolved a denied field")

    assert _guard(HIDE, resolve)(None, _info(SIGNED_IN_VIEWER)) is None


async def test_an_asynchronous_check_is_awaited_before_the_field_resolves() -> None:
    async def allowed(source: Any, ctx: Context) -> bool:
        return source == "mine"

    rule = Rule("async", allowed, silent=True)
    assert await _guard(rule, _resolve)("mine", _info(SIGNED_IN_VIEWER)) == ("resolved", {})
    assert await _guard(rule, _resolve)("theirs", _info(SIGNED_IN_VIEWER)) is None


def test_apply_policy_wraps_only_fields_with_a_check(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_graphql_schema("type Query { open: String, guarded: String }")
    monkeypatch.setitem(FIELD_RULES, "Query", {"open": PUBLIC, "guarded": HIDE})
    apply_policy(schema)
    fields = assert_object_type(schema.get_type("Query")).fields
    assert fields["open"].resolve is None
    assert fields["guarded"].resolve is not None
    assert fields["guarded"].resolve(None, _info(SIGNED_IN_VIEWER)) is None


def test_a_silent_rule_on_a_non_null_field_stops_the_schema_from_building(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = build_graphql_schema("type Query { guarded: String! }")
    monkeypatch.setitem(FIELD_RULES, "Query", {"guarded": HIDE})
    with pytest.raises(PolicyMissing, match=r"Query\.guarded: a hidden \(silent\) rule needs a nullable field"):
        apply_policy(schema)
