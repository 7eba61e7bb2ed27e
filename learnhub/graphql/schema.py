"""The root Query and Mutation types and the schema object."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from learnhub.graphql.context import Info
from learnhub.graphql.execution.document_cache import Documents, document_cache
from learnhub.graphql.execution.errors import GatewaySchema
from learnhub.graphql.execution.input_guard import RejectUnstorableText
from learnhub.graphql.execution.limits import RequestLimits
from learnhub.graphql.relay.connections import Connection
from learnhub.graphql.relay.node import Node
from learnhub.graphql.resolvers import admin, auth, authoring, content, courses, learning, nodes, users
from learnhub.graphql.types.auth import (
    AccountResult,
    AuthPayload,
    ChangePasswordInput,
    LoginInput,
    RegisterInput,
    ResetPasswordInput,
    Session,
    UserAdminPayload,
)
from learnhub.graphql.types.authoring import (
    CourseContentInput,
    CoursePayload,
    CreateCourseInput,
    CreateQuizInput,
    LessonEditInput,
    LessonPayload,
    NewLessonInput,
    QuestionInput,
    QuizPayload,
)
from learnhub.graphql.types.content import Lesson
from learnhub.graphql.types.courses import Course, CourseFilter
from learnhub.graphql.types.enums import QuestionType, Role
from learnhub.graphql.types.learning import (
    AnswerInput,
    AttemptPayload,
    EnrollmentPayload,
    LessonProgressInput,
    ProgressPayload,
)
from learnhub.graphql.types.quizzes import (
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from learnhub.graphql.types.users import Enrollment, User


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await nodes.node(info, id)

    @strawberry.field(description="The signed-in user; null when signed out.")
    async def me(self, info: Info) -> User | None:
        return await users.me(info)

    @strawberry.field(description="The catalogue, oldest first. `first` is at most 100.")
    async def courses(
        self, info: Info, first: int | None = None, after: str | None = None, filter: CourseFilter | None = None
    ) -> Connection[Course]:
        return await courses.list_courses(info, first, after, filter)

    @strawberry.field(description="One course by global `id` or by `contentId` (exactly one).")
    async def course(self, info: Info, id: strawberry.ID | None = None, content_id: str | None = None) -> Course | None:
        return await courses.course(info, id, content_id)

    @strawberry.field(description="A lesson by global id or content id (`lesson:rest-intro`).")
    async def lesson(self, info: Info, id: strawberry.ID) -> Lesson | None:
        return await content.lesson(info, id)

    @strawberry.field(
        description="A quiz with its questions (answers only for who may review), by global or content id."
    )
    async def quiz(self, info: Info, id: strawberry.ID) -> Quiz | None:
        return await content.quiz(info, id)

    @strawberry.field(
        description="The viewer's active and completed enrollments, newest first, with completion and where to go on."
    )
    async def my_courses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Enrollment]:
        return await learning.my_courses(info, first, after)

    @strawberry.field(
        description="The question bank in id order, without answers; `first` up to 500, optionally one type or tag."
    )
    async def questions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        type: QuestionType | None = None,
        tag: str | None = None,
    ) -> Connection[Question]:
        return await content.question_bank(info, first, after, type, tag)

    @strawberry.field(description="The viewer's signed-in devices, most recently used first.")
    async def my_sessions(self, info: Info) -> list[Session]:
        return await auth.my_sessions(info)

    @strawberry.field(description="Every account, newest first (admins).")
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None, role: Role | None = None
    ) -> Connection[User]:
        return await admin.list_users(info, first, after, role)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a student account and sign in.")
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        return await auth.register(info, input)

    @strawberry.mutation(description="Sign in with email and password. Repeated failures lock out for a while.")
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        return await auth.login(info, input)

    @strawberry.mutation(description="Exchange a refresh token for a new access and refresh token.")
    async def refresh_session(self, info: Info, refresh_token: str) -> AuthPayload:
        return await auth.refresh_session(info, refresh_token)

    @strawberry.mutation(description="Mail a one-time sign-in link (15 minutes). Answers alike for unknown emails.")
    async def request_magic_link(self, info: Info, email: str) -> AccountResult:
        return await auth.request_magic_link(info, email)

    @strawberry.mutation(description="Sign in with the token from a sign-in link; each link works once.")
    async def sign_in_with_magic_link(self, info: Info, token: str) -> AuthPayload:
        return await auth.sign_in_with_magic_link(info, token)

    @strawberry.mutation(description="Mail a password-reset link. Answers alike for unknown emails.")
    async def request_password_reset(self, info: Info, email: str) -> AccountResult:
        return await auth.request_password_reset(info, email)

    @strawberry.mutation(description="Set a new password with a reset link's token; ends every session, then signs in.")
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> AuthPayload:
        return await auth.reset_password(info, input)

    @strawberry.mutation(description="End this session (its refresh token and access tokens).")
    async def logout(self, info: Info) -> AccountResult:
        return await auth.logout(info)

    @strawberry.mutation(description="End every session of the viewer, this one included.")
    async def logout_everywhere(self, info: Info) -> AccountResult:
        return await auth.logout_everywhere(info)

    @strawberry.mutation(description="End one of the viewer's sessions (an id from `mySessions`).")
    async def revoke_session(self, info: Info, id: strawberry.ID) -> AccountResult:
        return await auth.revoke_session(info, id)

    @strawberry.mutation(description="Change the password; other sessions end, this one stays.")
    async def change_password(self, info: Info, input: ChangePasswordInput) -> AccountResult:
        return await auth.change_password(info, input)

    @strawberry.mutation(description="Enroll the viewer in a free, published course (idempotent).")
    async def enroll(self, info: Info, course_id: strawberry.ID) -> EnrollmentPayload:
        return await learning.enroll(info, course_id)

    @strawberry.mutation(description="Leave a course; progress is kept should the viewer enroll again.")
    async def unenroll(self, info: Info, course_id: strawberry.ID) -> EnrollmentPayload:
        return await learning.unenroll(info, course_id)

    @strawberry.mutation(description="Record progress in a lesson; position and completion never move back.")
    async def update_lesson_progress(self, info: Info, input: LessonProgressInput) -> ProgressPayload:
        return await learning.update_lesson_progress(info, input)

    @strawberry.mutation(
        description="Open an attempt at a quiz of an enrolled course (or return the one still open); "
        "enforces the attempts allowed and starts the time limit on the server clock."
    )
    async def start_quiz_attempt(self, info: Info, quiz_id: strawberry.ID) -> AttemptPayload:
        return await learning.start_quiz_attempt(info, quiz_id)

    @strawberry.mutation(
        description="Submit answers for grading on the server, once. Retrying with the same `idempotencyKey` "
        "returns the recorded result and writes nothing. At most 200 answers."
    )
    async def submit_quiz_attempt(
        self, info: Info, attempt_id: strawberry.ID, answers: list[AnswerInput], idempotency_key: str
    ) -> AttemptPayload:
        return await learning.submit_quiz_attempt(info, attempt_id, answers, idempotency_key)

    @strawberry.mutation(description="Create an unpublished course owned by the viewer (instructors, admins).")
    async def create_course(self, info: Info, input: CreateCourseInput) -> CoursePayload:
        return await authoring.create_course(info, input)

    @strawberry.mutation(
        description="Edit a course's content and outline; `expectedVersion` is `content.version` as last read "
        "(a stale one gets CONFLICT and changes nothing)."
    )
    async def update_course_content(
        self, info: Info, course_id: strawberry.ID, expected_version: int, input: CourseContentInput
    ) -> CoursePayload:
        return await authoring.update_course_content(info, course_id, expected_version, input)

    @strawberry.mutation(description="Publish or unpublish a course.")
    async def publish_course(self, info: Info, course_id: strawberry.ID, published: bool) -> CoursePayload:
        return await authoring.publish_course(info, course_id, published)

    @strawberry.mutation(description="Add a lesson at the end of a module (`expectedVersion`: the course content's).")
    async def add_lesson(
        self, info: Info, course_id: strawberry.ID, expected_version: int, input: NewLessonInput
    ) -> LessonPayload:
        return await authoring.add_lesson(info, course_id, expected_version, input)

    @strawberry.mutation(description="Edit a lesson (`expectedVersion`: the lesson's `version`).")
    async def update_lesson(
        self, info: Info, lesson_id: strawberry.ID, expected_version: int, input: LessonEditInput
    ) -> LessonPayload:
        return await authoring.update_lesson(info, lesson_id, expected_version, input)

    @strawberry.mutation(description="Create an unpublished quiz in one of the viewer's courses.")
    async def create_quiz(self, info: Info, input: CreateQuizInput) -> QuizPayload:
        return await authoring.create_quiz(info, input)

    @strawberry.mutation(
        description="Add a question (no `questionId`) or change one. A question that graded attempts used is "
        "replaced by a new one, so those attempts keep the question they were graded against."
    )
    async def save_question(
        self,
        info: Info,
        quiz_id: strawberry.ID,
        expected_version: int,
        input: QuestionInput,
        question_id: str | None = None,
    ) -> QuizPayload:
        return await authoring.save_question(info, quiz_id, expected_version, question_id, input)

    @strawberry.mutation(description="Take a question out of a quiz (answered attempts keep it).")
    async def remove_question(
        self, info: Info, quiz_id: strawberry.ID, expected_version: int, question_id: str
    ) -> QuizPayload:
        return await authoring.remove_question(info, quiz_id, expected_version, question_id)

    @strawberry.mutation(description="Publish (students may start it) or unpublish a quiz.")
    async def publish_quiz(
        self, info: Info, quiz_id: strawberry.ID, expected_version: int, published: bool
    ) -> QuizPayload:
        return await authoring.publish_quiz(info, quiz_id, expected_version, published)

    @strawberry.mutation(description="Give a user a role (admins). The user's sessions end so it applies at once.")
    async def set_user_role(self, info: Info, user_id: strawberry.ID, role: Role) -> UserAdminPayload:
        return await admin.set_user_role(info, user_id, role)

    @strawberry.mutation(description="Disable or re-enable an account (admins). Disabling ends its sessions.")
    async def set_user_disabled(self, info: Info, user_id: strawberry.ID, disabled: bool) -> UserAdminPayload:
        return await admin.set_user_disabled(info, user_id, disabled)


# Interface implementations that no field names directly must still be in the schema.
IMPLEMENTATIONS = [
    SingleChoiceQuestion,
    MultipleChoiceQuestion,
    TrueFalseQuestion,
    ShortTextQuestion,
    NumericQuestion,
    OrderingQuestion,
]

# MAX_DEPTH, MAX_ALIASES, MAX_TOKENS and MAX_COST, and why they are what they are: learnhub/graphql/execution/limits.py.


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The gateway schema, with the request limits on every operation and introspection only if allowed."""
    # Classes or factories: Strawberry makes a fresh extension per request.
    extensions: list[Callable[[], SchemaExtension]] = [RequestLimits, RejectUnstorableText]
    if not introspection:
        extensions.append(DisableIntrospection)
    # Last, so it sees the validation rules the others add and the errors they set.
    extensions.append(document_cache(Documents()))
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=IMPLEMENTATIONS,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )
