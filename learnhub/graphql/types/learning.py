"""Enrolling and progress: inputs, payloads and their typed errors."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from learnhub.graphql.types.content import LessonProgress
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.users import Enrollment
from learnhub.learning.attempts import Refusal


@strawberry.enum(description="Why a learning operation failed; stable across releases.")
class LearningErrorCode(Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"
    NOT_ENROLLED = "NOT_ENROLLED"
    INVALID = "INVALID"


@strawberry.type
class LearningError:
    field: str | None = strawberry.field(description="The input field at fault, when one is.")
    message: str
    code: LearningErrorCode


@strawberry.type(description="The enrollment after the change, or `errors`.")
class EnrollmentPayload:
    enrollment: Enrollment | None = None
    errors: list[LearningError] = strawberry.field(default_factory=list)


@strawberry.input
class LessonProgressInput:
    lesson_id: strawberry.ID = strawberry.field(description="Global id or content id (`lesson:rest-intro`).")
    position: float = strawberry.field(
        default=0.0, description="Seconds into a video or a 0..1 scroll fraction; progress never moves back."
    )
    completed: bool = strawberry.field(default=False, description="A completed lesson stays completed.")


@strawberry.type(description="The lesson's progress after the update and its enrollment, or `errors`.")
class ProgressPayload:
    progress: LessonProgress | None = None
    enrollment: Enrollment | None = None
    course_completed: bool = strawberry.field(
        default=False, description="True when this update completed the course's last lesson."
    )
    errors: list[LearningError] = strawberry.field(default_factory=list)


# The domain's refusals are the API's codes: one list, so a new refusal cannot miss its code.
QuizErrorCode = strawberry.enum(
    Refusal, name="QuizErrorCode", description="Why a quiz operation failed; stable across releases."
)


@strawberry.type
class QuizError:
    field: str | None = strawberry.field(description="The input at fault, e.g. `answers[2]`, when one is.")
    message: str
    code: Refusal


@strawberry.input(
    description="One answer. `response` by type: an option id (single choice), a list of option ids "
    "(multiple choice), true/false, text (short text) or a number (numeric)."
)
class AnswerInput:
    question_id: strawberry.ID = strawberry.field(description="The question's content id (`question:...`).")
    response: JSON


@strawberry.type(description="The attempt after the operation (graded details once submitted), or `errors`.")
class AttemptPayload:
    attempt: QuizAttempt | None = None
    errors: list[QuizError] = strawberry.field(default_factory=list)
