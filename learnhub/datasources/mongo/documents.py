"""MongoDB documents (Beanie): content editors change, keyed by stable string ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import pymongo
from beanie import Document
from pydantic import BaseModel, ConfigDict, Field

QuestionType = Literal["single_choice", "multiple_choice", "true_false", "short_text", "numeric", "ordering"]
# The types of the older quiz app (and of the scale seed); `ordering` came with authoring.
QUESTION_TYPES: tuple[QuestionType, ...] = (
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_text",
    "numeric",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ModuleContent(BaseModel):
    id: str
    title: str
    summary: str = ""
    lesson_ids: list[str] = Field(default_factory=list)  # in teaching order


class CourseContent(Document):
    id: str  # type: ignore[assignment]  # string ids (course:<slug>), not ObjectIds
    title: str
    summary: str = ""
    description: str = ""
    modules: list[ModuleContent] = Field(default_factory=list)
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "course_content"


class Block(BaseModel):
    kind: Literal["markdown", "code", "callout"] = "markdown"
    text: str
    language: str | None = None


class LessonContent(Document):
    id: str  # type: ignore[assignment]  # string ids (lesson:<slug>), not ObjectIds
    course_id: str
    title: str
    summary: str = ""
    blocks: list[Block] = Field(default_factory=list)
    preview: bool = False
    duration_minutes: int = 0
    quiz_id: str | None = None
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "lesson_content"
        indexes = [pymongo.IndexModel([("course_id", pymongo.ASCENDING)], name="course_id")]


class QuizSettings(BaseModel):
    pass_percent: int = Field(default=70, ge=0, le=100)
    time_limit_seconds: int | None = Field(default=None, gt=0)
    attempts_allowed: int | None = Field(default=None, gt=0)
    # When a student may see correct answers and explanations: after any submitted attempt,
    # only after a passed one, or never (the quiz is reused as an exam).
    review: Literal["after_submit", "after_pass", "never"] = "after_submit"


class QuizContent(Document):
    id: str  # type: ignore[assignment]  # string ids (quiz:<slug>), not ObjectIds
    course_id: str
    title: str
    description: str = ""
    settings: QuizSettings = Field(default_factory=QuizSettings)
    question_ids: list[str] = Field(default_factory=list)  # in display order
    published: bool = True
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "quiz_content"
        indexes = [
            pymongo.IndexModel([("course_id", pymongo.ASCENDING)], name="course_id"),
            # Which quizzes list a question: decides whether a question reached by id is visible.
            pymongo.IndexModel([("question_ids", pymongo.ASCENDING)], name="question_ids"),
        ]


class Option(BaseModel):
    id: str
    text: str


class Question(Document):
    """The older quiz app's `questions` collection, kept as it is.

    Per-type fields: `options` for the choice types; `answer` is an option id
    (single_choice), a list of option ids (multiple_choice; ordering: every option id in the right
    order), a bool (true_false),
    `{"accepted": [...], "case_sensitive": bool}` (short_text) or
    `{"value": float, "tolerance": float}` (numeric). Unknown fields that editors add
    are kept untouched.
    """

    model_config = ConfigDict(extra="allow")

    id: str  # type: ignore[assignment]  # string ids (question:<slug>), not ObjectIds
    type: QuestionType
    prompt: str
    options: list[Option] = Field(default_factory=list)
    answer: Any = None
    explanation: str = ""
    points: float = 1.0
    tags: list[str] = Field(default_factory=list)
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "questions"
        indexes = [
            pymongo.IndexModel([("type", pymongo.ASCENDING)], name="type"),
            pymongo.IndexModel([("tags", pymongo.ASCENDING)], name="tags"),
        ]


class AnswerResult(BaseModel):
    question_id: str
    response: Any = None
    correct: bool
    points_awarded: float
    points_possible: float


class QuizAttemptDetails(Document):
    id: str  # type: ignore[assignment]  # string ids (attempt:<uuid), not ObjectIds of the quiz_attempts row>
    attempt_id: str
    user_id: str
    quiz_id: str
    quiz_version: int = 1
    answers: list[AnswerResult] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "quiz_attempt_details"
        indexes = [
            pymongo.IndexModel([("attempt_id", pymongo.ASCENDING)], name="attempt_id", unique=True),
            pymongo.IndexModel(
                [("user_id", pymongo.ASCENDING), ("created_at", pymongo.DESCENDING)], name="user_id_created_at"
            ),
        ]


DOCUMENT_MODELS: list[type[Document]] = [
    CourseContent,
    LessonContent,
    QuizContent,
    Question,
    QuizAttemptDetails,
]
