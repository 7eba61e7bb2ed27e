"""Offline sync: what changed for the viewer since a cursor, grouped by kind."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from learnhub.graphql.types.content import LessonProgress
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.users import EarnedAchievement, Enrollment


@strawberry.enum(description="What a tombstone says is gone.")
class TombstoneKind(Enum):
    ENROLLMENT = "enrollment"
    COURSE = "course"


@strawberry.type(description="A record the app should drop: the viewer left the course, or it was unpublished.")
class Tombstone:
    kind: TombstoneKind
    id: strawberry.ID = strawberry.field(description="The global id of what is gone.")
    deleted_at: datetime


@strawberry.type(description="A course of the viewer whose content changed: refetch it if `version` is newer.")
class CourseVersion:
    course_id: strawberry.ID
    content_id: str
    version: int
    updated_at: datetime


@strawberry.type(description="Changes oldest first; ask again with `cursor` while `hasMore`.")
class ChangeSet:
    enrollments: list[Enrollment]
    lesson_progress: list[LessonProgress]
    quiz_attempts: list[QuizAttempt]
    achievements: list[EarnedAchievement]
    course_versions: list[CourseVersion]
    tombstones: list[Tombstone]
    cursor: str = strawberry.field(description="Pass as `cursor` next time (keep it across app restarts).")
    has_more: bool
