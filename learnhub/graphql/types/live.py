"""Live-update events: each names the record that changed, read fresh (and guarded by the same
field rules as queries) when the event reaches the socket, with the cursor to resume after it."""

from __future__ import annotations

from enum import Enum

import strawberry

from learnhub.graphql.types.content import LessonProgress
from learnhub.graphql.types.courses import Course
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.users import EarnedAchievement, Enrollment

CURSOR = "Pass as `after` when subscribing again to receive what came after this event."


@strawberry.enum(description="What changed in the viewer's learning.")
class ProgressEventKind(Enum):
    LESSON_PROGRESS = "progress"
    COURSE_COMPLETED = "course_completed"


@strawberry.type(description="The viewer's progress in a lesson, or a course completed, on any device.")
class ProgressEvent:
    cursor: str = strawberry.field(description=CURSOR)
    kind: ProgressEventKind
    progress: LessonProgress | None = strawberry.field(description="The lesson's progress (LESSON_PROGRESS).")
    enrollment: Enrollment | None = strawberry.field(description="The enrollment as it is now.")


@strawberry.type(description="An achievement the viewer earned.")
class AchievementEvent:
    cursor: str = strawberry.field(description=CURSOR)
    achievement: EarnedAchievement | None


@strawberry.type(description="A course's content changed (its `content.version` moved on).")
class CourseUpdatedEvent:
    cursor: str = strawberry.field(description=CURSOR)
    course: Course | None = strawberry.field(description="Null once the course is no longer visible to the viewer.")


@strawberry.type(description="A quiz attempt was submitted and graded.")
class AttemptGradedEvent:
    cursor: str = strawberry.field(description=CURSOR)
    attempt: QuizAttempt | None
