"""Share links and the public previews they open."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.datasources.postgres.tables import utcnow
from learnhub.graphql.relay.node import to_global_id
from learnhub.graphql.types.content import ContentBlock
from learnhub.graphql.types.enums import CourseLevel, QuestionType
from learnhub.graphql.types.quizzes import ChoiceOption
from learnhub.sharing.links import CoursePreview, LessonPreview, Preview, QuizPreview, link_state

Doc = dict[str, Any]


@strawberry.enum(description="What a share link opens.")
class ShareEntity(Enum):
    COURSE = "course"
    LESSON = "lesson"
    QUIZ = "quiz"


@strawberry.enum(description="Whether a share link still opens, and if not, why.")
class ShareLinkState(Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"


@strawberry.type(description="A public link to a preview of a course, lesson or quiz.")
class ShareLink:
    id: strawberry.ID = strawberry.field(description="Pass to `revokeShareLink`.")
    entity: ShareEntity
    content_id: str = strawberry.field(description="The shared course's, lesson's or quiz's content id.")
    url: str | None = strawberry.field(
        description="The link to hand out: only in `createShareLink`'s answer (its token is not stored)."
    )
    expires_at: datetime | None = strawberry.field(description="Null: never expires.")
    max_uses: int | None = strawberry.field(description="Null: no limit.")
    use_count: int = strawberry.field(description="How many times the link was opened.")
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    state: ShareLinkState

    @classmethod
    def from_row(cls, row: RowMapping, url: str | None = None) -> ShareLink:
        return cls(
            id=to_global_id("ShareLink", row["id"]),
            entity=ShareEntity(row["entity"]),
            content_id=row["entity_id"],
            url=url,
            expires_at=row["expires_at"],
            max_uses=row["max_uses"],
            use_count=row["use_count"],
            last_used_at=row["last_used_at"],
            revoked_at=row["revoked_at"],
            created_at=row["created_at"],
            state=ShareLinkState(link_state(row, utcnow())),
        )


@strawberry.input
class CreateShareLinkInput:
    entity: ShareEntity
    id: strawberry.ID = strawberry.field(description="The course's, lesson's or quiz's id or content id.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="In the future, at most a year ahead; null: until revoked."
    )
    max_uses: int | None = strawberry.field(default=None, description="1 to 100,000; null: no limit.")


@strawberry.enum(description="Why a share-link operation failed; stable across releases.")
class ShareLinkErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"


@strawberry.type
class ShareLinkError:
    field: str | None = strawberry.field(description="The input at fault, e.g. `expiresAt`.")
    message: str
    code: ShareLinkErrorCode


@strawberry.type
class ShareLinkPayload:
    share_link: ShareLink | None = None
    token: str | None = strawberry.field(
        default=None,
        description="After `createShareLink`: the secret in the link, shown this once (only its hash is kept).",
    )
    errors: list[ShareLinkError] = strawberry.field(default_factory=list)


# --- the previews a link opens ---------------------------------------------------------------------


def _blocks(doc: Doc) -> list[ContentBlock] | None:
    return [ContentBlock.from_doc(block) for block in doc["blocks"]] if "blocks" in doc else None


@strawberry.type(description="A lesson as a share link shows it.")
class SharedLesson:
    content_id: str
    title: str
    summary: str
    preview: bool = strawberry.field(description="A preview lesson: its body is part of a shared course.")
    duration_minutes: int
    body: list[ContentBlock] | None = strawberry.field(
        description="The lesson's text: always for a shared lesson; in a shared course, only for preview lessons."
    )

    @classmethod
    def from_doc(cls, doc: Doc) -> SharedLesson:
        return cls(
            content_id=doc["_id"],
            title=doc.get("title", ""),
            summary=doc.get("summary", ""),
            preview=bool(doc.get("preview", False)),
            duration_minutes=int(doc.get("duration_minutes", 0)),
            body=_blocks(doc),
        )


@strawberry.type
class SharedModule:
    title: str
    summary: str
    lessons: list[SharedLesson]


@strawberry.type(description="A course as a share link shows it: its outline, and the text of its preview lessons.")
class SharedCourse:
    content_id: str
    title: str
    summary: str
    description: str
    level: CourseLevel
    tags: list[str]
    modules: list[SharedModule]

    @classmethod
    def from_preview(cls, preview: CoursePreview) -> SharedCourse:
        doc = preview.content
        modules = [
            SharedModule(
                title=m.get("title", ""),
                summary=m.get("summary", ""),
                lessons=[
                    SharedLesson.from_doc(preview.lessons[i]) for i in m.get("lesson_ids", []) if i in preview.lessons
                ],
            )
            for m in doc.get("modules", [])
        ]
        return cls(
            content_id=preview.content_id,
            title=doc.get("title", ""),
            summary=doc.get("summary", ""),
            description=doc.get("description", ""),
            level=CourseLevel(preview.level),
            tags=preview.tags,
            modules=modules,
        )


@strawberry.type(description="A quiz question as a share link shows it: never its answer or explanation.")
class SharedQuestion:
    type: QuestionType
    prompt: str
    points: float
    options: list[ChoiceOption] = strawberry.field(description="Choices, or the items to order; empty otherwise.")

    @classmethod
    def from_doc(cls, doc: Doc) -> SharedQuestion:
        return cls(
            type=QuestionType(doc["type"]),
            prompt=doc.get("prompt", ""),
            points=float(doc.get("points", 1)),
            options=[ChoiceOption(id=o["id"], text=o["text"]) for o in doc.get("options", [])],
        )


@strawberry.type(description="A quiz as a share link shows it: its questions without answers.")
class SharedQuiz:
    content_id: str
    title: str
    description: str
    questions: list[SharedQuestion]

    @classmethod
    def from_preview(cls, preview: QuizPreview) -> SharedQuiz:
        quiz = preview.quiz
        return cls(
            content_id=quiz["_id"],
            title=quiz.get("title", ""),
            description=quiz.get("description", ""),
            questions=[SharedQuestion.from_doc(q) for q in preview.questions],
        )


SharedContent = Annotated[
    SharedCourse | SharedLesson | SharedQuiz,
    strawberry.union("SharedContent", description="What a share link opens."),
]


def shared_content(preview: Preview) -> SharedCourse | SharedLesson | SharedQuiz:
    if isinstance(preview, CoursePreview):
        return SharedCourse.from_preview(preview)
    if isinstance(preview, LessonPreview):
        return SharedLesson.from_doc(preview.lesson)
    return SharedQuiz.from_preview(preview)
