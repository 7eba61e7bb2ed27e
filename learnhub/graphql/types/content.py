"""Course content from MongoDB: outline, modules, lessons and the viewer's progress on them."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.core.errors import ContentMissing, NotFound
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import Node, to_global_id
from learnhub.graphql.relay.prefetch import NOT_FETCHED, NotFetched, later
from learnhub.graphql.relay.selection import selects
from learnhub.graphql.types.enums import BlockKind
from learnhub.graphql.types.files import Document
from learnhub.loaders.batching import DataLoader

if TYPE_CHECKING:
    from learnhub.graphql.types.courses import Course
    from learnhub.graphql.types.quizzes import Quiz

Doc = dict[str, Any]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def missing(kind: str, content_id: str) -> ContentMissing:
    return ContentMissing(f"{kind} {content_id} is referenced but its content does not exist", contentId=content_id)


def not_found(kind: str, record_id: object) -> NotFound:
    """The answer for an id that does not exist and for a record the viewer may not see, alike,
    so ids cannot be probed (auth/visibility.py)."""
    return NotFound(f"No {kind.lower()} {record_id}")


async def found(loader: DataLoader[K, V | None], kind: str, key: K) -> V:
    """The record, or NOT_FOUND alike for an unknown key and a hidden record (the loaders decide)."""
    value = await loader.load(key)
    if value is None:
        raise not_found(kind, key)
    return value


def with_missing_as_errors(kind: str, ids: list[str], docs: list[Doc | None], build: Any) -> list[Any]:
    """Map loaded docs; a missing one becomes a located error (null item + error entry).

    graphql-core completes an Exception found in a list as an error at that item's path.
    """
    return [build(doc) if doc is not None else missing(kind, cid) for cid, doc in zip(ids, docs, strict=True)]


@strawberry.type
class ContentBlock:
    kind: BlockKind
    text: str
    language: str | None

    @classmethod
    def from_doc(cls, doc: Doc) -> ContentBlock:
        return cls(kind=BlockKind(doc.get("kind", "markdown")), text=doc["text"], language=doc.get("language"))


@strawberry.type(description="A learner's progress through one lesson.")
class LessonProgress:
    row: strawberry.Private[RowMapping]
    lesson_id: str
    position: float = strawberry.field(description="Seconds into a video or a 0..1 scroll fraction.")
    started_at: datetime
    completed_at: datetime | None
    updated_at: datetime
    # A plain value, not a resolver: a dashboard reads it for every lesson.
    completed: bool

    @classmethod
    def from_row(cls, row: RowMapping) -> LessonProgress:
        return cls(
            row=row,
            lesson_id=row["lesson_content_id"],
            position=row["position"],
            started_at=row["started_at"],
            completed_at=row["completed_at"],
            updated_at=row["updated_at"],
            completed=row["completed_at"] is not None,
        )


@strawberry.type
class Lesson(Node):
    doc: strawberry.Private[Doc]
    content_id: str
    title: str
    summary: str
    preview: bool = strawberry.field(description="Readable by anyone, enrolled or not.")
    duration_minutes: int
    version: int = strawberry.field(description="Send as `expectedVersion` when editing the lesson.")
    course_content_id: strawberry.Private[str]
    quiz_content_id: strawberry.Private[str | None]
    # The viewer's progress row when whoever built the lesson fetched it already (see
    # CourseContent.modules); NOT_FETCHED sends `progress` to the loader.
    progress_row: strawberry.Private[RowMapping | NotFetched | None] = NOT_FETCHED

    # Encoded when asked for: a dashboard builds ~1,000 lessons and selects no id (~2 ms).
    @strawberry.field(description="Globally unique, opaque id.")  # type: ignore[misc]  # Node's field, resolved
    def id(self) -> strawberry.ID:
        return to_global_id("Lesson", self.content_id)

    @classmethod
    def from_doc(cls, doc: Doc) -> Lesson:
        return cls(  # type: ignore[call-arg]  # `id` is resolved, not passed
            doc=doc,
            content_id=doc["_id"],
            title=doc.get("title", ""),
            summary=doc.get("summary", ""),
            preview=bool(doc.get("preview", False)),
            duration_minutes=int(doc.get("duration_minutes", 0)),
            version=int(doc.get("version", 1)),
            course_content_id=doc.get("course_id", ""),
            quiz_content_id=doc.get("quiz_id"),
        )

    @strawberry.field(description="Files attached to the lesson (slides, PDFs, images), oldest first; null for "
                      "viewers who may not read the lesson's body.")  # fmt: skip
    async def attachments(self, info: Info) -> list[Document] | None:
        return [
            Document.from_row(row) for row in await info.context.loaders.attachments_by_lesson.load(self.content_id)
        ]

    @strawberry.field(description="The viewer's progress; null when signed out or not started.")
    def progress(self, info: Info) -> LessonProgress | None:
        # Fetched with the outline (CourseContent.modules) or loaded: see learnhub/graphql/relay/prefetch.py.
        if isinstance(self.progress_row, NotFetched):
            return later(self._load_progress(info))
        return LessonProgress.from_row(self.progress_row) if self.progress_row is not None else None

    async def _load_progress(self, info: Info) -> LessonProgress | None:
        viewer = info.context.viewer
        if viewer.user_id is None:
            return None
        row = await info.context.loaders.viewer_progress_by_lesson.load(self.content_id)
        return LessonProgress.from_row(row) if row is not None else None

    @strawberry.field
    async def course(self, info: Info) -> Annotated[Course, strawberry.lazy("learnhub.graphql.types.courses")] | None:
        from learnhub.graphql.types.courses import Course

        # A visible lesson has a visible course: a miss is a lesson whose course row is gone.
        return Course.from_row(await found(info.context.loaders.course_by_content_id, "Course", self.course_content_id))

    @strawberry.field(description="The lesson's quiz; null when it has none, or none published yet.")
    async def quiz(self, info: Info) -> Annotated[Quiz, strawberry.lazy("learnhub.graphql.types.quizzes")] | None:
        from learnhub.graphql.types.quizzes import Quiz

        if self.quiz_content_id is None:
            return None
        # A draft quiz is not part of the lesson yet for students: no quiz, rather than an error on
        # every lesson page while its instructor writes it.
        doc = await info.context.loaders.quiz_by_id.load(self.quiz_content_id)
        return Quiz.from_doc(doc) if doc is not None else None

    @strawberry.field(description="The body: null unless the lesson is a preview or the viewer is enrolled.")
    async def body(self, info: Info) -> list[ContentBlock] | None:
        doc = await info.context.loaders.lesson_body_by_id.load(self.content_id)
        if doc is None:
            raise missing("Lesson", self.content_id)
        return [ContentBlock.from_doc(block) for block in doc.get("blocks", [])]


@strawberry.type
class Module:
    id: str
    title: str
    summary: str
    lesson_ids: strawberry.Private[list[str]]
    # The lessons when CourseContent.modules fetched them for the whole course.
    fetched_lessons: strawberry.Private[list[Lesson | None] | NotFetched] = NOT_FETCHED

    @classmethod
    def from_doc(cls, doc: Doc, lessons: list[Lesson | None] | NotFetched = NOT_FETCHED) -> Module:
        return cls(
            id=doc["id"],
            title=doc["title"],
            summary=doc.get("summary", ""),
            lesson_ids=list(doc.get("lesson_ids", [])),
            fetched_lessons=lessons,
        )

    @strawberry.field
    def lesson_count(self) -> int:
        return len(self.lesson_ids)

    @strawberry.field(description="In teaching order; a lesson whose content is missing is null with an error.")
    def lessons(self, info: Info) -> list[Lesson | None]:
        if isinstance(self.fetched_lessons, NotFetched):
            return later(self._load_lessons(info))
        return self.fetched_lessons

    async def _load_lessons(self, info: Info) -> list[Lesson | None]:
        docs = await info.context.loaders.lesson_by_id.load_many(self.lesson_ids)
        return cast(list[Lesson | None], with_missing_as_errors("Lesson", self.lesson_ids, docs, Lesson.from_doc))


@strawberry.type(description="A course's editable content: title, description and modules of lessons.")
class CourseContent:
    doc: strawberry.Private[Doc]
    id: str = strawberry.field(description="The content id, e.g. `course:rest-api-design`.")
    title: str
    summary: str
    description: str
    version: int
    updated_at: datetime | None

    @classmethod
    def from_doc(cls, doc: Doc) -> CourseContent:
        return cls(
            doc=doc,
            id=doc["_id"],
            title=doc.get("title", ""),
            summary=doc.get("summary", ""),
            description=doc.get("description", ""),
            version=int(doc.get("version", 1)),
            updated_at=doc.get("updated_at"),
        )

    @strawberry.field
    async def modules(self, info: Info) -> list[Module]:
        module_docs = self.doc.get("modules", [])
        if not selects(info, "lessons"):
            return [Module.from_doc(m) for m in module_docs]
        # The course's lessons (and the viewer's progress on them, when asked for) in one batched
        # read each, so the outline below completes without a coroutine per module or lesson.
        lesson_ids = [lesson_id for m in module_docs for lesson_id in m.get("lesson_ids", [])]
        loaders = info.context.loaders
        docs = loaders.lesson_by_id.load_many(lesson_ids)
        user_id = info.context.viewer.user_id
        rows: Sequence[RowMapping | None] | None = None
        if user_id is not None and selects(info, "lessons", "progress"):
            rows = await loaders.viewer_progress_by_lesson.load_many(lesson_ids)
        progress = dict(zip(lesson_ids, rows, strict=True)) if rows is not None else {}
        by_id = dict(zip(lesson_ids, await docs, strict=True))

        def lesson(lesson_id: str) -> Lesson | None:
            doc = by_id[lesson_id]
            if doc is None:
                return cast(Lesson | None, missing("Lesson", lesson_id))
            built = Lesson.from_doc(doc)
            if rows is not None:
                built.progress_row = progress[lesson_id]
            elif user_id is None:
                built.progress_row = None
            return built

        return [Module.from_doc(m, [lesson(i) for i in m.get("lesson_ids", [])]) for m in module_docs]

    @strawberry.field
    def lesson_count(self) -> int:
        return lesson_count_of(self.doc)


def lesson_count_of(course_doc: Doc) -> int:
    return sum(len(m.get("lesson_ids", [])) for m in course_doc.get("modules", []))
