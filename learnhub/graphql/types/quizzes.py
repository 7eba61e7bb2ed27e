"""Quizzes, their questions (never with answers here) and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from sqlalchemy.engine import RowMapping
from strawberry.scalars import JSON

from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import Node, to_global_id
from learnhub.graphql.types.content import found, missing, not_found, with_missing_as_errors
from learnhub.graphql.types.enums import Difficulty, QuestionType

if TYPE_CHECKING:
    from learnhub.graphql.types.courses import Course
    from learnhub.graphql.types.users import User

Doc = dict[str, Any]


@strawberry.type
class QuizSettings:
    pass_percent: int = strawberry.field(description="Score, in percent of the maximum, needed to pass.")
    time_limit_seconds: int | None
    attempts_allowed: int | None = strawberry.field(description="Null: unlimited.")
    review: str = strawberry.field(description="When students see answers: `after_submit`, `after_pass` or `never`.")


@strawberry.type
class ChoiceOption:
    id: str
    text: str


@strawberry.interface(
    description="A quiz question. Its answer and explanation are null unless the viewer may review them."
)
class Question(Node):
    content_id: str
    type: QuestionType
    prompt: str
    points: float
    tags: list[str]
    difficulty: Difficulty
    # The quizzes it was reached through (answers are revealed per quiz: review setting, attempts);
    # None when reached by id alone: the answer rule then looks up the visible quizzes listing it.
    quiz_ids: strawberry.Private[list[str] | None]

    # Encoded when asked for: a question list of 500 selects no id.
    @strawberry.field(description="Globally unique, opaque id.")  # type: ignore[misc]  # Node's field, resolved
    def id(self) -> strawberry.ID:
        return to_global_id("Question", self.content_id)

    async def _answer_doc(self, info: Info) -> Doc:
        doc = await info.context.loaders.question_answer_by_id.load(self.content_id)
        if doc is None:
            raise missing("Question", self.content_id)
        return doc

    @strawberry.field(
        description="The correct answer (shape per type): for the quiz's instructor, admins, and a student "
        "after submitting an attempt the quiz lets them review."
    )
    async def correct_answer(self, info: Info) -> JSON | None:
        return (await self._answer_doc(info)).get("answer")

    @strawberry.field(description="Why the answer is right; visible when `correctAnswer` is.")
    async def explanation(self, info: Info) -> str | None:
        return str((await self._answer_doc(info)).get("explanation") or "")


@strawberry.type
class SingleChoiceQuestion(Question):
    options: list[ChoiceOption]


@strawberry.type
class MultipleChoiceQuestion(Question):
    options: list[ChoiceOption]


@strawberry.type
class TrueFalseQuestion(Question):
    pass


@strawberry.type
class ShortTextQuestion(Question):
    pass


@strawberry.type(description="Put `options` in the right order; answer with every option id, in order.")
class OrderingQuestion(Question):
    options: list[ChoiceOption]


@strawberry.type
class NumericQuestion(Question):
    unit: str | None


def question_from_doc(doc: Doc, quiz_ids: list[str] | None = None) -> Question:
    common: dict[str, Any] = {
        "quiz_ids": quiz_ids,
        "content_id": doc["_id"],
        "type": QuestionType(doc["type"]),
        "prompt": doc.get("prompt", ""),
        "points": float(doc.get("points", 1)),
        "tags": list(doc.get("tags", [])),
        "difficulty": Difficulty(doc.get("difficulty", "medium")),
    }
    kind = common["type"]
    options = [ChoiceOption(id=o["id"], text=o["text"]) for o in doc.get("options", [])]
    if kind is QuestionType.SINGLE_CHOICE:
        return SingleChoiceQuestion(**common, options=options)
    if kind is QuestionType.MULTIPLE_CHOICE:
        return MultipleChoiceQuestion(**common, options=options)
    if kind is QuestionType.TRUE_FALSE:
        return TrueFalseQuestion(**common)
    if kind is QuestionType.SHORT_TEXT:
        return ShortTextQuestion(**common)
    if kind is QuestionType.ORDERING:
        return OrderingQuestion(**common, options=options)
    return NumericQuestion(**common, unit=doc.get("unit"))


@strawberry.type
class Quiz(Node):
    doc: strawberry.Private[Doc]
    content_id: str
    title: str
    description: str
    settings: QuizSettings
    published: bool
    version: int
    question_ids: strawberry.Private[list[str]]

    @classmethod
    def from_doc(cls, doc: Doc) -> Quiz:
        settings = doc.get("settings", {})
        return cls(
            doc=doc,
            id=to_global_id("Quiz", doc["_id"]),
            content_id=doc["_id"],
            title=doc.get("title", ""),
            description=doc.get("description", ""),
            settings=QuizSettings(
                pass_percent=int(settings.get("pass_percent", 70)),
                time_limit_seconds=settings.get("time_limit_seconds"),
                attempts_allowed=settings.get("attempts_allowed"),
                review=str(settings.get("review", "after_submit")),
            ),
            published=bool(doc.get("published", True)),
            version=int(doc.get("version", 1)),
            question_ids=list(doc.get("question_ids", [])),
        )

    @strawberry.field
    def question_count(self) -> int:
        return len(self.question_ids)

    @strawberry.field(description="In display order, without answers.")
    async def questions(self, info: Info) -> list[Question | None]:
        # This quiz came through the visible quiz loader, so the questions it lists are visible.
        docs = await info.context.loaders.member_question_by_id.load_many(self.question_ids)
        quiz_ids = [self.content_id]
        return cast(
            list[Question | None],
            with_missing_as_errors("Question", self.question_ids, docs, lambda doc: question_from_doc(doc, quiz_ids)),
        )


@strawberry.type
class AnswerResult:
    quiz_id: strawberry.Private[str]
    question_id: str
    response: JSON | None
    correct: bool
    points_awarded: float
    points_possible: float

    @strawberry.field(description="As it was when graded; not found once its quiz or course is no longer visible.")
    async def question(self, info: Info) -> Question | None:
        # A question edited after grading is replaced in its quiz, so the quiz may no longer list
        # it: the attempt's quiz decides its visibility, not the quiz's current question list.
        loaders = info.context.loaders
        if await loaders.quiz_by_id.load(self.quiz_id) is None:
            raise not_found("Question", self.question_id)  # the question's own id, not the quiz's
        doc = await loaders.member_question_by_id.load(self.question_id)
        if doc is None:
            raise missing("Question", self.question_id)
        return question_from_doc(doc, [self.quiz_id])


@strawberry.type(description="Per-question results of a finished attempt (kept in MongoDB).")
class QuizAttemptDetails:
    quiz_version: int
    answers: list[AnswerResult]

    @classmethod
    def from_doc(cls, doc: Doc) -> QuizAttemptDetails:
        return cls(
            quiz_version=int(doc.get("quiz_version", 1)),
            answers=[
                AnswerResult(
                    quiz_id=doc.get("quiz_id", ""),
                    question_id=a["question_id"],
                    response=a.get("response"),
                    correct=bool(a["correct"]),
                    points_awarded=float(a["points_awarded"]),
                    points_possible=float(a["points_possible"]),
                )
                for a in doc.get("answers", [])
            ],
        )


@strawberry.type
class QuizAttempt(Node):
    row: strawberry.Private[RowMapping]
    quiz_content_id: str
    score: float | None
    max_score: float
    passed: bool | None
    started_at: datetime
    finished_at: datetime | None
    deadline_at: datetime | None = strawberry.field(description="Submit before this (server clock); null: no limit.")
    quiz_version: int = strawberry.field(description="The quiz version the attempt is graded against.")

    @strawberry.field(description="True once the attempt is submitted and graded.")
    def submitted(self) -> bool:
        return self.finished_at is not None

    @classmethod
    def from_row(cls, row: RowMapping) -> QuizAttempt:
        return cls(
            row=row,
            id=to_global_id("QuizAttempt", row["id"]),
            quiz_content_id=row["quiz_content_id"],
            score=row["score"],
            max_score=row["max_score"],
            passed=row["passed"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            deadline_at=row.get("deadline_at"),
            quiz_version=int(row.get("quiz_version") or 1),
        )

    @strawberry.field(description="Not found once the quiz or its course is no longer visible to the viewer.")
    async def quiz(self, info: Info) -> Quiz | None:
        return Quiz.from_doc(await found(info.context.loaders.quiz_by_id, "Quiz", self.quiz_content_id))

    @strawberry.field(description="Not found once the course is no longer visible to the viewer.")
    async def course(self, info: Info) -> Annotated[Course, strawberry.lazy("learnhub.graphql.types.courses")] | None:
        from learnhub.graphql.types.courses import Course

        course_id = self.row["course_id"]
        if course_id is None:
            return None
        return Course.from_row(await found(info.context.loaders.course_by_id, "Course", course_id))

    @strawberry.field(description="The student; visible to them, the course's instructor and admins.")
    async def user(self, info: Info) -> Annotated[User, strawberry.lazy("learnhub.graphql.types.users")] | None:
        from learnhub.graphql.types.users import User

        row = await info.context.loaders.user_by_id.load(self.row["user_id"])
        return User.from_row(row) if row is not None else None

    @strawberry.field(description="Null until the attempt is submitted.")
    async def details(self, info: Info) -> QuizAttemptDetails | None:
        ref = self.row["details_ref"]
        if ref is None:
            return None
        doc = await info.context.loaders.quiz_attempt_details_by_id.load(ref)
        if doc is None:
            raise missing("Quiz attempt details", ref)
        return QuizAttemptDetails.from_doc(doc)
