"""Instructors' inputs and payloads: courses, lessons, quizzes, questions."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from learnhub.graphql.types.content import Lesson
from learnhub.graphql.types.courses import Course
from learnhub.graphql.types.enums import BlockKind, CourseLevel, Difficulty, QuestionType
from learnhub.graphql.types.quizzes import Quiz


@strawberry.enum(description="Why an authoring operation failed; stable across releases.")
class AuthoringErrorCode(Enum):
    INVALID = "INVALID"
    SLUG_TAKEN = "SLUG_TAKEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"


@strawberry.type
class AuthoringError:
    field: str | None = strawberry.field(description="The input at fault, e.g. `modules[1].lessonIds[0]`.")
    message: str
    code: AuthoringErrorCode


@strawberry.input
class CreateCourseInput:
    slug: str = strawberry.field(description="Becomes the content id `course:<slug>`; unique, cannot change.")
    title: str
    summary: str = ""
    description: str = ""
    level: CourseLevel = CourseLevel.BEGINNER
    tags: list[str] = strawberry.field(default_factory=list)
    price_cents: int = 0


@strawberry.input
class ModuleInput:
    id: str
    title: str
    summary: str = ""
    lesson_ids: list[str] = strawberry.field(
        default_factory=list, description="Lesson content ids of this course, in teaching order."
    )


@strawberry.input(
    description="Only the fields given change. `modules` replaces the whole outline (reorder, move, remove)."
)
class CourseContentInput:
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    modules: list[ModuleInput] | None = None


@strawberry.input
class BlockInput:
    kind: BlockKind = BlockKind.MARKDOWN
    text: str
    language: str | None = None


@strawberry.input
class NewLessonInput:
    slug: str = strawberry.field(description="Becomes the content id `lesson:<slug>`.")
    module_id: str
    title: str
    summary: str = ""
    blocks: list[BlockInput] = strawberry.field(default_factory=list)
    preview: bool = False
    duration_minutes: int = 0


@strawberry.input(description="Only the fields given change.")
class LessonEditInput:
    title: str | None = None
    summary: str | None = None
    blocks: list[BlockInput] | None = None
    preview: bool | None = None
    duration_minutes: int | None = None


@strawberry.input
class QuizSettingsInput:
    pass_percent: int = 70
    time_limit_seconds: int | None = None
    attempts_allowed: int | None = None
    review: str = strawberry.field(default="after_submit", description="`after_submit`, `after_pass` or `never`.")


@strawberry.input
class CreateQuizInput:
    course_id: strawberry.ID
    slug: str = strawberry.field(description="Becomes the content id `quiz:<slug>`.")
    title: str
    description: str = ""
    settings: QuizSettingsInput = strawberry.field(default_factory=QuizSettingsInput)


@strawberry.input
class OptionInput:
    id: str
    text: str


@strawberry.input(
    description="`answer` by type: an option id (single choice), option ids (multiple choice), every option id "
    'in order (ordering), true/false, {"accepted": [...], "case_sensitive": false} (short text) or '
    '{"value": n, "tolerance": t} (numeric).'
)
class QuestionInput:
    type: QuestionType
    prompt: str
    points: float = 1.0
    options: list[OptionInput] = strawberry.field(default_factory=list)
    answer: JSON
    explanation: str = ""
    tags: list[str] = strawberry.field(default_factory=list)
    difficulty: Difficulty = Difficulty.MEDIUM


@strawberry.type
class CoursePayload:
    course: Course | None = strawberry.field(
        default=None,
        description="After `createCourse` and `updateCourseContent`, `course.content` is the document as "
        "written: its `version` is the new one, with no further read.",
    )
    content_version: int | None = strawberry.field(
        default=None,
        description="The course content's new `version` after `createCourse` or `updateCourseContent`: send it "
        "as the next `expectedVersion`. Null on errors and from `publishCourse`, which leaves the content as it was.",
    )
    errors: list[AuthoringError] = strawberry.field(default_factory=list)


@strawberry.type
class LessonPayload:
    lesson: Lesson | None = None
    content_version: int | None = strawberry.field(
        default=None,
        description="After `addLesson`: the course content's new `version` (the outline changed), to send as the "
        "next `expectedVersion` of `addLesson` or `updateCourseContent`. Null on errors and from `updateLesson`, "
        "which leaves the course content as it was.",
    )
    errors: list[AuthoringError] = strawberry.field(default_factory=list)


@strawberry.type
class QuizPayload:
    quiz: Quiz | None = None
    errors: list[AuthoringError] = strawberry.field(default_factory=list)
