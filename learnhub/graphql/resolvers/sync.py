"""`changesSince`: the offline-sync root field."""

from __future__ import annotations

from learnhub.auth.visibility import course_scope
from learnhub.core.errors import BadUserInput
from learnhub.datasources.postgres import changes
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import to_global_id
from learnhub.graphql.types.content import LessonProgress
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.sync import ChangeSet, CourseVersion, Tombstone, TombstoneKind
from learnhub.graphql.types.users import EarnedAchievement, Enrollment
from learnhub.live import sync


async def changes_since(info: Info, cursor: str | None = None, first: int = sync.DEFAULT_PAGE) -> ChangeSet:
    ctx = info.context
    user_id = ctx.require_user()
    if not 1 <= first <= sync.MAX_PAGE:
        raise BadUserInput(f"`first` must be 1 to {sync.MAX_PAGE}", argument="first")
    try:
        page = await sync.changes_since(ctx.stores, user_id, course_scope(ctx.viewer), cursor, first)
    except sync.SyncCursorInvalid as exc:
        raise BadUserInput(str(exc), argument="cursor") from None
    result = ChangeSet(
        enrollments=[], lesson_progress=[], quiz_attempts=[], achievements=[], course_versions=[], tombstones=[],
        cursor=page.cursor, has_more=page.has_more,
    )  # fmt: skip
    for change in page.changes:
        row = change.row
        if change.source == changes.ENROLLMENT and row["status"] == "cancelled":
            result.tombstones.append(_tombstone(TombstoneKind.ENROLLMENT, "Enrollment", row["id"], change.at))
        elif change.source == changes.ENROLLMENT:
            result.enrollments.append(Enrollment.from_row(row))  # type: ignore[arg-type]
        elif change.source == changes.PROGRESS:
            result.lesson_progress.append(LessonProgress.from_row(row))  # type: ignore[arg-type]
        elif change.source == changes.ATTEMPT:
            result.quiz_attempts.append(QuizAttempt.from_row(row))  # type: ignore[arg-type]
        elif change.source == changes.ACHIEVEMENT:
            result.achievements.append(
                EarnedAchievement(
                    code=row["code"], title=row["title"], description=row["description"], xp=row["xp"],
                    awarded_at=row["awarded_at"],
                )
            )  # fmt: skip
        elif change.source == changes.COURSE and not row["published"]:
            result.tombstones.append(_tombstone(TombstoneKind.COURSE, "Course", row["id"], change.at))
        elif change.source in {changes.COURSE, changes.CONTENT}:
            result.course_versions.append(
                CourseVersion(
                    course_id=to_global_id("Course", row["course_id"]), content_id=row["content_id"],
                    version=row["version"], updated_at=change.at,
                )
            )  # fmt: skip
    return result


def _tombstone(kind: TombstoneKind, type_name: str, row_id: object, at: object) -> Tombstone:
    return Tombstone(kind=kind, id=to_global_id(type_name, row_id), deleted_at=at)  # type: ignore[arg-type]
