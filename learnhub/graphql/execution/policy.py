"""Who may read what: every field of the schema has exactly one rule, declared here.

`FIELD_RULES` maps each GraphQL type and field to a rule; `apply_policy` wraps the resolver
of every guarded field once, when the schema is built, and refuses to build a schema with a
field that has no rule. Record-level predicates (`may_see_enrollment`, ...) are shared with
the resolvers that look records up by id, so a record is guarded the same way on every path.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLSchema, default_field_resolver
from sqlalchemy.engine import RowMapping

from learnhub.auth import visibility
from learnhub.core.errors import Forbidden, Unauthenticated
from learnhub.graphql.context import Context
from learnhub.payments import entitlements

Check = Callable[[Any, Context], bool | Awaitable[bool]]


class Rule:
    """A named access rule. `silent` rules hide a denied value as null instead of failing the
    request: fit for optional details on an otherwise visible record (nullable fields only)."""

    def __init__(self, name: str, check: Check | None, *, silent: bool = False, message: str = "") -> None:
        self.name = name
        self.check = check
        self.silent = silent
        self.message = message or "You are not allowed to see this"

    def __repr__(self) -> str:
        return f"Rule({self.name})"


# --- record-level predicates (also used by resolvers that fetch records by id) ------------------


async def owns_course(ctx: Context, course_id: uuid.UUID | None) -> bool:
    """The viewer is the course's instructor (or an admin)."""
    viewer = ctx.viewer
    if viewer.is_admin:
        return True
    if viewer.role != "instructor" or course_id is None:  # no read for anyone else
        return False
    return visibility.owns_course(viewer, await ctx.loaders.course_by_id.load(course_id))


async def owns_course_content(ctx: Context, course_content_id: str) -> bool:
    viewer = ctx.viewer
    if viewer.is_admin:
        return True
    if viewer.role != "instructor":
        return False
    return visibility.owns_course(viewer, await ctx.loaders.course_by_content_id.load(course_content_id))


async def may_see_enrollment(ctx: Context, row: RowMapping) -> bool:
    """Enrollments and progress: the student, the course's instructor, admins."""
    return ctx.viewer.may_see_user(row["user_id"]) or await owns_course(ctx, row["course_id"])


async def may_see_attempt(ctx: Context, row: RowMapping) -> bool:
    """Quiz attempts: the student, the instructor of the attempt's course, admins."""
    return ctx.viewer.may_see_user(row["user_id"]) or await owns_course(ctx, row["course_id"])


async def may_read_lesson(ctx: Context, course_content_id: str, preview: bool) -> bool:
    """Lesson bodies: previews for anyone; else enrolled students, the instructor, admins."""
    if preview:
        return True
    viewer = ctx.viewer
    if viewer.user_id is None:
        return False
    if await owns_course_content(ctx, course_content_id):
        return True
    course = await ctx.loaders.course_by_content_id.load(course_content_id)
    if course is None:
        return False
    enrollment = await ctx.loaders.enrollment_by_user_course.load((viewer.user_id, course["id"]))
    # Enrolled and entitled (a paid course: bought, or covered by a live subscription); answers
    # kept for the request, so a page of a paid course's lessons asks once.
    return await entitlements.may_learn(
        ctx.stores.engine, viewer.user_id, course, enrollment, entitlements.memo_for(ctx.loaders)
    )


async def may_see_answers(ctx: Context, question_id: str, quiz_ids: list[str] | None) -> bool:
    """Correct answers and explanations: admins, the quiz's instructor, and a student only
    after submitting an attempt that the quiz's review setting lets them review.

    `quiz_ids`: the quizzes the question was reached through; None (reached by id or from the
    bank without them): every visible quiz that lists it, any of which may open the answer.
    """
    viewer = ctx.viewer
    if viewer.is_admin:
        return True
    if viewer.user_id is None:
        return False
    if quiz_ids is None:
        quiz_ids = [quiz["_id"] for quiz in await ctx.loaders.quizzes_of_question.load(question_id)]
    for quiz_id in quiz_ids:
        if await _may_review(ctx, viewer.user_id, quiz_id):
            return True
    return False


async def _may_review(ctx: Context, user_id: uuid.UUID, quiz_content_id: str) -> bool:
    quiz = await ctx.loaders.quiz_by_id.load(quiz_content_id)  # None: not visible to the viewer
    if quiz is None:
        return False
    if await owns_course_content(ctx, quiz.get("course_id", "")):
        return True
    review = (quiz.get("settings") or {}).get("review", "after_submit")
    if review == "never":
        return False
    submitted = await ctx.loaders.submitted_attempt_by_user_quiz.load((user_id, quiz_content_id))
    if submitted is None:
        return False
    return review == "after_submit" or bool(submitted["passed"])


# --- the rules ------------------------------------------------------------------------------------

# No check: anyone who can reach the parent may read the field.
PUBLIC = Rule("public", None)
# No check here: the record is only reachable through guarded fields (its list or `node`),
# so its plain fields are as visible as the record itself.
INHERITED = Rule("inherited", None)

SIGNED_IN = Rule("signed-in", lambda source, ctx: ctx.viewer.is_authenticated, message="Sign in to do this")
ADMIN = Rule("admin", lambda source, ctx: ctx.viewer.is_admin, message="Only admins may do this")
# Instructors and admins; the resolver then checks the course is the instructor's own.
STAFF = Rule("staff", lambda source, ctx: ctx.viewer.is_staff, message="Only instructors and admins may do this")
SELF_OR_ADMIN = Rule(
    "self-or-admin",
    lambda user, ctx: ctx.viewer.may_see_user(user.row["id"]),
    message="Only the user themself can see this",
)
SELF_OR_ADMIN_SILENT = Rule("self-or-admin (hidden)", SELF_OR_ADMIN.check, silent=True)
ADMIN_SILENT = Rule("admin (hidden)", ADMIN.check, silent=True)
COURSE_INSTRUCTOR = Rule(
    "course-instructor",
    lambda course, ctx: owns_course(ctx, course.row["id"]),
    message="Only the course's instructor can see this",
)
ENROLLMENT_VIEWER = Rule("enrollment-viewer", lambda e, ctx: may_see_enrollment(ctx, e.row), silent=True)
ATTEMPT_VIEWER = Rule("attempt-viewer", lambda a, ctx: may_see_attempt(ctx, a.row), silent=True)
LESSON_READER = Rule(
    "lesson-reader", lambda lesson, ctx: may_read_lesson(ctx, lesson.course_content_id, lesson.preview), silent=True
)
ANSWER_READER = Rule(
    "answer-reader", lambda question, ctx: may_see_answers(ctx, question.content_id, question.quiz_ids), silent=True
)

_PAGE = {"edges": INHERITED, "pageInfo": INHERITED, "nodes": INHERITED, "totalCount": INHERITED}
_EDGE = {"node": INHERITED, "cursor": INHERITED}
_QUESTION = {
    "id": PUBLIC,
    "contentId": PUBLIC,
    "type": PUBLIC,
    "prompt": PUBLIC,
    "points": PUBLIC,
    "tags": PUBLIC,
    "difficulty": PUBLIC,
    "correctAnswer": ANSWER_READER,
    "explanation": ANSWER_READER,
}

# GraphQL type -> field -> rule. Connection and edge types are matched by suffix.
FIELD_RULES: dict[str, dict[str, Rule]] = {
    "Query": {
        "node": PUBLIC,  # each record type applies its own record rule in `node`
        "me": PUBLIC,
        "changesSince": SIGNED_IN,  # the viewer's own changes only
        "courses": PUBLIC,  # unpublished courses are filtered for non-staff in the resolver
        "course": PUBLIC,
        "lesson": PUBLIC,
        "quiz": PUBLIC,
        "questions": PUBLIC,  # never answers: those fields carry their own rule
        "mySessions": SIGNED_IN,
        "myCourses": SIGNED_IN,
        "users": ADMIN,
        # Hits are filtered by the visibility rule in the index and loaded through the visible
        # loaders; a lesson body is quoted in `snippet` only for its readers (may_read_lesson).
        "search": PUBLIC,
        "relatedLessons": PUBLIC,
        # The link's token is the permission (learnhub/sharing/links.py): anyone holding one sees
        # its preview, unpublished courses included; nothing else about the course opens.
        "sharedContent": PUBLIC,
        "plans": PUBLIC,  # the price list
        # Aggregates of every course, and one learner's raw events: admins only.
        "platformAnalytics": ADMIN,
        "analyticsEvents": ADMIN,
    },
    "SearchHitConnection": {
        **_PAGE,
        "facets": INHERITED,
        "didYouMean": INHERITED,
        "answeredBy": INHERITED,
    },
    "SearchHit": {
        "kind": INHERITED,
        "contentId": INHERITED,
        "title": INHERITED,
        "snippet": INHERITED,
        "score": INHERITED,
        "record": INHERITED,
    },
    "SearchFacets": {"kinds": INHERITED, "tags": INHERITED, "levels": INHERITED},
    "FacetCount": {"value": INHERITED, "count": INHERITED},
    "ChangeSet": {
        "enrollments": INHERITED,
        "lessonProgress": INHERITED,
        "quizAttempts": INHERITED,
        "achievements": INHERITED,
        "courseVersions": INHERITED,
        "tombstones": INHERITED,
        "cursor": INHERITED,
        "hasMore": INHERITED,
    },
    "CourseVersion": {"courseId": INHERITED, "contentId": INHERITED, "version": INHERITED, "updatedAt": INHERITED},
    "Tombstone": {"kind": INHERITED, "id": INHERITED, "deletedAt": INHERITED},
    # Every subscription needs a signed-in socket (connection_init) and checks its record in the
    # resolver (an attempt's owner, a visible course); the events' records carry their own rules.
    "Subscription": {
        "myProgress": PUBLIC,
        "achievementAwarded": PUBLIC,
        "courseUpdated": PUBLIC,
        "quizAttemptGraded": PUBLIC,
    },
    "ProgressEvent": {"cursor": INHERITED, "kind": INHERITED, "progress": INHERITED, "enrollment": INHERITED},
    "AchievementEvent": {"cursor": INHERITED, "achievement": INHERITED},
    "CourseUpdatedEvent": {"cursor": INHERITED, "course": INHERITED},
    "AttemptGradedEvent": {"cursor": INHERITED, "attempt": INHERITED},
    "Mutation": {
        "register": PUBLIC,
        "login": PUBLIC,
        # Who may attach what is checked by the resolvers (files.py): they need the lesson.
        "requestUpload": SIGNED_IN,
        "confirmUpload": SIGNED_IN,
        "deleteDocument": SIGNED_IN,
        "requestMultipartUpload": SIGNED_IN,
        "completeMultipartUpload": SIGNED_IN,
        "refreshSession": PUBLIC,
        "requestMagicLink": PUBLIC,
        "signInWithMagicLink": PUBLIC,
        "requestPasswordReset": PUBLIC,
        "resetPassword": PUBLIC,
        "logout": SIGNED_IN,
        "logoutEverywhere": SIGNED_IN,
        "revokeSession": SIGNED_IN,
        "changePassword": SIGNED_IN,
        "enroll": SIGNED_IN,
        "unenroll": SIGNED_IN,
        "updateLessonProgress": SIGNED_IN,
        "startQuizAttempt": SIGNED_IN,
        "submitQuizAttempt": SIGNED_IN,
        "createCourse": STAFF,
        "updateCourseContent": STAFF,
        "publishCourse": STAFF,
        "addLesson": STAFF,
        "updateLesson": STAFF,
        "createQuiz": STAFF,
        "saveQuestion": STAFF,
        "removeQuestion": STAFF,
        "publishQuiz": STAFF,
        "createShareLink": STAFF,
        # The creator, the course's instructor or an admin: checked by the resolver (sharing.py).
        "revokeShareLink": SIGNED_IN,
        # The viewer's own purchase and subscription; refunds are an admin's.
        "checkout": SIGNED_IN,
        "cancelSubscription": SIGNED_IN,
        "refundPayment": ADMIN,
        "setUserRole": ADMIN,
        "setUserDisabled": ADMIN,
        # Events are attributed to the viewer, so there must be one (anonymous: UNAUTHENTICATED).
        "trackEvents": SIGNED_IN,
    },
    "User": {
        "id": PUBLIC,
        "role": PUBLIC,
        "displayName": PUBLIC,
        "createdAt": PUBLIC,
        "profile": PUBLIC,
        "avatarUrl": PUBLIC,  # shown wherever the name is
        "email": SELF_OR_ADMIN_SILENT,
        "disabled": ADMIN_SILENT,
        "enrollments": SELF_OR_ADMIN,
        "quizAttempts": SELF_OR_ADMIN,
        "payments": SELF_OR_ADMIN,
        "subscription": SELF_OR_ADMIN,
        "stats": SELF_OR_ADMIN,
        "achievements": SELF_OR_ADMIN,
    },
    "UserStats": {
        "coursesCompleted": INHERITED,
        "quizzesPassed": INHERITED,
        "averageScore": INHERITED,
        "xp": INHERITED,
        "streakDays": INHERITED,
        "refreshedAt": INHERITED,
    },
    "EarnedAchievement": {
        "code": INHERITED,
        "title": INHERITED,
        "description": INHERITED,
        "xp": INHERITED,
        "awardedAt": INHERITED,
    },
    "Profile": {"displayName": PUBLIC, "bio": PUBLIC, "avatarUrl": PUBLIC, "timezone": PUBLIC},
    "Enrollment": {
        "id": INHERITED,
        "status": INHERITED,
        "enrolledAt": INHERITED,
        "completedAt": INHERITED,
        "course": INHERITED,
        "user": ENROLLMENT_VIEWER,
        "progress": ENROLLMENT_VIEWER,
        "lessonCount": INHERITED,
        "completedLessonCount": INHERITED,
        "completionPercent": INHERITED,
        "continueLesson": INHERITED,
    },
    "Course": {
        "id": PUBLIC,
        "contentId": PUBLIC,
        "level": PUBLIC,
        "tags": PUBLIC,
        "published": PUBLIC,
        "publishedAt": PUBLIC,
        "priceCents": PUBLIC,
        "price": PUBLIC,
        "createdAt": PUBLIC,
        "content": PUBLIC,
        "title": PUBLIC,
        "lessonCount": PUBLIC,
        "instructor": PUBLIC,
        "enrollments": COURSE_INSTRUCTOR,
        "quizAttempts": COURSE_INSTRUCTOR,
        "shareLinks": COURSE_INSTRUCTOR,
        "analytics": COURSE_INSTRUCTOR,  # aggregates only, never a learner's events
    },
    "CourseContent": {
        "id": PUBLIC,
        "title": PUBLIC,
        "summary": PUBLIC,
        "description": PUBLIC,
        "version": PUBLIC,
        "updatedAt": PUBLIC,
        "modules": PUBLIC,
        "lessonCount": PUBLIC,
    },
    "Module": {"id": PUBLIC, "title": PUBLIC, "summary": PUBLIC, "lessonCount": PUBLIC, "lessons": PUBLIC},
    "Lesson": {
        "id": PUBLIC,
        "contentId": PUBLIC,
        "title": PUBLIC,
        "summary": PUBLIC,
        "preview": PUBLIC,
        "durationMinutes": PUBLIC,
        "version": PUBLIC,
        "course": PUBLIC,
        "quiz": PUBLIC,
        "progress": PUBLIC,  # always the viewer's own progress
        "body": LESSON_READER,
        "attachments": LESSON_READER,  # the files are part of the lesson: the body's readers
    },
    "Document": {
        # A document is reached only through a record whose rule already applied (a lesson's
        # attachments, the uploader's own payloads).
        "id": INHERITED,
        "filename": INHERITED,
        "contentType": INHERITED,
        "sizeBytes": INHERITED,
        "purpose": INHERITED,
        "status": INHERITED,
        "createdAt": INHERITED,
        "downloadUrl": INHERITED,
    },
    "UploadTicket": {
        "document": INHERITED,
        "url": INHERITED,
        "method": INHERITED,
        "headers": INHERITED,
        "expiresAt": INHERITED,
    },
    "HttpHeader": {"name": INHERITED, "value": INHERITED},
    "RequestUploadPayload": {"upload": INHERITED, "errors": INHERITED},
    "DocumentPayload": {"document": INHERITED, "errors": INHERITED},
    "FileError": {"field": INHERITED, "message": INHERITED, "code": INHERITED},
    "UploadPart": {"partNumber": INHERITED, "url": INHERITED},
    "MultipartUploadTicket": {
        "document": INHERITED,
        "partBytes": INHERITED,
        "parts": INHERITED,
        "expiresAt": INHERITED,
    },
    "MultipartUploadPayload": {"upload": INHERITED, "errors": INHERITED},
    "ContentBlock": {"kind": PUBLIC, "text": PUBLIC, "language": PUBLIC},
    "LessonProgress": {
        "lessonId": INHERITED,
        "position": INHERITED,
        "startedAt": INHERITED,
        "updatedAt": INHERITED,
        "completedAt": INHERITED,
        "completed": INHERITED,
    },
    "Quiz": {
        "id": PUBLIC,
        "contentId": PUBLIC,
        "title": PUBLIC,
        "description": PUBLIC,
        "settings": PUBLIC,
        "published": PUBLIC,
        "version": PUBLIC,
        "questionCount": PUBLIC,
        "questions": PUBLIC,
    },
    "QuizSettings": {"passPercent": PUBLIC, "timeLimitSeconds": PUBLIC, "attemptsAllowed": PUBLIC, "review": PUBLIC},
    "ChoiceOption": {"id": PUBLIC, "text": PUBLIC},
    "Question": _QUESTION,
    "SingleChoiceQuestion": {**_QUESTION, "options": PUBLIC},
    "MultipleChoiceQuestion": {**_QUESTION, "options": PUBLIC},
    "TrueFalseQuestion": _QUESTION,
    "ShortTextQuestion": _QUESTION,
    "NumericQuestion": {**_QUESTION, "unit": PUBLIC},
    "OrderingQuestion": {**_QUESTION, "options": PUBLIC},
    "QuizAttempt": {
        "id": INHERITED,
        "quizContentId": INHERITED,
        "score": INHERITED,
        "maxScore": INHERITED,
        "passed": INHERITED,
        "startedAt": INHERITED,
        "finishedAt": INHERITED,
        "deadlineAt": INHERITED,
        "quizVersion": INHERITED,
        "submitted": INHERITED,
        "quiz": INHERITED,
        "course": INHERITED,
        "details": INHERITED,
        "user": ATTEMPT_VIEWER,
    },
    "QuizAttemptDetails": {"quizVersion": INHERITED, "answers": INHERITED},
    "AnswerResult": {
        "questionId": INHERITED,
        "response": INHERITED,
        "correct": INHERITED,
        "pointsAwarded": INHERITED,
        "pointsPossible": INHERITED,
        "question": INHERITED,
    },
    "PageInfo": {
        "hasNextPage": INHERITED,
        "hasPreviousPage": INHERITED,
        "startCursor": INHERITED,
        "endCursor": INHERITED,
    },
    "AuthPayload": {
        "accessToken": INHERITED,
        "tokenType": INHERITED,
        "expiresIn": INHERITED,
        "refreshToken": INHERITED,
        "refreshTokenExpiresAt": INHERITED,
        "user": INHERITED,
        "errors": INHERITED,
    },
    "AccountResult": {"ok": INHERITED, "errors": INHERITED},
    "AccountError": {"field": INHERITED, "message": INHERITED, "code": INHERITED, "retryAfterSeconds": INHERITED},
    "UserAdminPayload": {"user": INHERITED, "errors": INHERITED},
    "AuthoringError": {"field": INHERITED, "message": INHERITED, "code": INHERITED},
    "CoursePayload": {"course": INHERITED, "contentVersion": INHERITED, "errors": INHERITED},
    "LessonPayload": {"lesson": INHERITED, "contentVersion": INHERITED, "errors": INHERITED},
    "QuizPayload": {"quiz": INHERITED, "errors": INHERITED},
    # Share links: reached through `Course.shareLinks` (the course's instructor) or the payloads
    # of the mutations that made them; the previews only through `sharedContent`.
    "ShareLink": {
        "id": INHERITED,
        "entity": INHERITED,
        "contentId": INHERITED,
        "url": INHERITED,
        "expiresAt": INHERITED,
        "maxUses": INHERITED,
        "useCount": INHERITED,
        "lastUsedAt": INHERITED,
        "revokedAt": INHERITED,
        "createdAt": INHERITED,
        "state": INHERITED,
    },
    "ShareLinkPayload": {"shareLink": INHERITED, "token": INHERITED, "errors": INHERITED},
    "ShareLinkError": {"field": INHERITED, "message": INHERITED, "code": INHERITED},
    "SharedCourse": {
        "contentId": INHERITED,
        "title": INHERITED,
        "summary": INHERITED,
        "description": INHERITED,
        "level": INHERITED,
        "tags": INHERITED,
        "modules": INHERITED,
    },
    "SharedModule": {"title": INHERITED, "summary": INHERITED, "lessons": INHERITED},
    "SharedLesson": {
        "contentId": INHERITED,
        "title": INHERITED,
        "summary": INHERITED,
        "preview": INHERITED,
        "durationMinutes": INHERITED,
        "body": INHERITED,  # read only for preview lessons of a shared course (mongo/previews.py)
    },
    "SharedQuiz": {"contentId": INHERITED, "title": INHERITED, "description": INHERITED, "questions": INHERITED},
    # No answer or explanation field: the read does not even fetch them.
    "SharedQuestion": {"type": INHERITED, "prompt": INHERITED, "points": INHERITED, "options": INHERITED},
    "QuizError": {"field": INHERITED, "message": INHERITED, "code": INHERITED},
    "AttemptPayload": {"attempt": INHERITED, "errors": INHERITED},
    "LearningError": {"field": INHERITED, "message": INHERITED, "code": INHERITED},
    "EnrollmentPayload": {"enrollment": INHERITED, "errors": INHERITED},
    "ProgressPayload": {
        "progress": INHERITED,
        "enrollment": INHERITED,
        "courseCompleted": INHERITED,
        "errors": INHERITED,
    },
    "Session": {
        "id": INHERITED,
        "userAgent": INHERITED,
        "ip": INHERITED,
        "createdAt": INHERITED,
        "lastUsedAt": INHERITED,
        "expiresAt": INHERITED,
        "current": INHERITED,
    },
    # Payments: reached through `User.payments`/`subscription` (the user and admins), the
    # payloads of the viewer's own checkout, and `plans` (public prices).
    "Money": {"amount": INHERITED, "currency": INHERITED},
    "Plan": {
        "id": INHERITED,
        "code": INHERITED,
        "name": INHERITED,
        "interval": INHERITED,
        "price": INHERITED,
        "allCourses": INHERITED,
        "tags": INHERITED,
    },
    "Payment": {
        "id": INHERITED,
        "status": INHERITED,
        "amount": INHERITED,
        "courseId": INHERITED,
        "planId": INHERITED,
        "createdAt": INHERITED,
        "succeededAt": INHERITED,
        "refundedAt": INHERITED,
    },
    "PlanSubscription": {
        "id": INHERITED,
        "status": INHERITED,
        "planId": INHERITED,
        "currentPeriodEnd": INHERITED,
        "cancelAtPeriodEnd": INHERITED,
    },
    "PaymentError": {"field": INHERITED, "message": INHERITED, "code": INHERITED},
    "CheckoutPayload": {
        "payment": INHERITED,
        "clientSecret": INHERITED,
        "subscription": INHERITED,
        "successUrl": INHERITED,
        "cancelUrl": INHERITED,
        "errors": INHERITED,
    },
    "PaymentPayload": {"payment": INHERITED, "errors": INHERITED},
    "SubscriptionPayload": {"subscription": INHERITED, "errors": INHERITED},
}


# Analytics: reached only through the guarded fields above, so each inherits its rule.
FIELD_RULES |= {
    "TrackEventsPayload": {"accepted": INHERITED, "clamped": INHERITED},
    "CourseAnalytics": {
        "from": INHERITED,
        "to": INHERITED,
        "days": INHERITED,
        "funnel": INHERITED,
        "hardestQuestions": INHERITED,
    },
    "PlatformAnalytics": {"from": INHERITED, "to": INHERITED, "days": INHERITED},
    "AnalyticsDay": {
        "date": INHERITED,
        "activeLearners": INHERITED,
        "views": INHERITED,
        "completions": INHERITED,
        "quizAttempts": INHERITED,
        "averageScore": INHERITED,
        "medianSecondsToComplete": INHERITED,
        "events": INHERITED,
    },
    "FunnelStepStat": {
        "position": INHERITED,
        "lessonId": INHERITED,
        "learners": INHERITED,
        "views": INHERITED,
        "completions": INHERITED,
    },
    "QuestionAnalytics": {
        "questionId": INHERITED,
        "answers": INHERITED,
        "correct": INHERITED,
        "correctRate": INHERITED,
    },
    "AnalyticsEvent": {
        "id": INHERITED,
        "name": INHERITED,
        "source": INHERITED,
        "courseId": INHERITED,
        "entityId": INHERITED,
        "occurredAt": INHERITED,
        "receivedAt": INHERITED,
        "clamped": INHERITED,
        "value": INHERITED,
        "context": INHERITED,
    },
}


def rules_for(type_name: str) -> dict[str, Rule] | None:
    if type_name in FIELD_RULES:
        return FIELD_RULES[type_name]
    if type_name.endswith("Connection"):
        return _PAGE
    if type_name.endswith("Edge"):
        return _EDGE
    return None


class PolicyMissing(RuntimeError):
    """The schema has fields nobody decided the access rule of."""


def unruled_fields(schema: GraphQLSchema) -> list[str]:
    """`Type.field` for every object or interface field with no rule (introspection aside)."""
    missing = []
    for name, gql_type in schema.type_map.items():
        if name.startswith("__") or not hasattr(gql_type, "fields") or not isinstance(gql_type, GraphQLObjectType):
            continue
        rules = rules_for(name) or {}
        missing += [f"{name}.{field}" for field in gql_type.fields if field not in rules]
    return sorted(missing)


def _denied(rule: Rule, ctx: Context) -> Any:
    if rule.silent:
        return None
    if not ctx.viewer.is_authenticated:
        raise Unauthenticated(ctx.viewer.token_error or "Sign in to see this")
    raise Forbidden(rule.message)


def _guard(rule: Rule, resolve: Callable[..., Any]) -> Callable[..., Any]:
    check = rule.check
    assert check is not None

    async def finish(allowed: Awaitable[bool], source: Any, info: Any, kwargs: dict[str, Any]) -> Any:
        if not await allowed:
            return _denied(rule, info.context)
        result = resolve(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result

    def guarded(source: Any, info: Any, **kwargs: Any) -> Any:
        allowed = check(source, info.context)
        if inspect.isawaitable(allowed):
            return finish(allowed, source, info, kwargs)
        if not allowed:
            return _denied(rule, info.context)
        return resolve(source, info, **kwargs)

    return guarded


def apply_policy(schema: GraphQLSchema) -> None:
    """Wrap every guarded field's resolver; raise PolicyMissing when a field has no rule."""
    if missing := unruled_fields(schema):
        raise PolicyMissing(
            "fields without an access rule in learnhub/graphql/execution/policy.py: " + ", ".join(missing)
        )
    for name, gql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(gql_type, GraphQLObjectType):
            continue
        rules = rules_for(name) or {}
        for field_name, field in gql_type.fields.items():
            rule = rules[field_name]
            if rule.check is None:
                continue
            if rule.silent and isinstance(field.type, GraphQLNonNull):
                raise PolicyMissing(f"{name}.{field_name}: a hidden (silent) rule needs a nullable field")
            field.resolve = _guard(rule, field.resolve or default_field_resolver)
