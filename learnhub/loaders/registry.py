"""The per-request set of loaders, each made on first use, for one viewer.

Course, content, quiz and question loaders hand out only what this viewer may see
(auth/visibility.py), so every path to a record obeys the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.auth.viewer import Viewer
from learnhub.auth.visibility import may_see_course
from learnhub.datasources.mongo.content import Database
from learnhub.loaders import files, mongo, postgres, sharing


class Loaders:
    def __init__(self, engine: AsyncEngine, db: Database, viewer: Viewer) -> None:
        self._engine = engine
        self._db = db
        self.viewer = viewer

    def saw_courses(self, rows: Sequence[postgres.Row]) -> None:
        """Course rows read by a list (or by either course loader): remember them under both keys,
        so the visibility checks of the content below them cost no second read."""
        by_id, by_content_id = self.course_by_id, self.course_by_content_id
        for row in rows:
            shown = row if may_see_course(self.viewer, row) else None
            by_id.prime(row["id"], shown)
            by_content_id.prime(row["content_id"], shown)

    @cached_property
    def attachments_by_lesson(self) -> files.AttachmentsByLessonLoader:
        return files.AttachmentsByLessonLoader(self._engine)

    @cached_property
    def avatars_by_user(self) -> files.AvatarsByUserLoader:
        return files.AvatarsByUserLoader(self._engine)

    @cached_property
    def user_by_id(self) -> postgres.UserByIdLoader:
        return postgres.UserByIdLoader(self._engine)

    @cached_property
    def course_by_id(self) -> postgres.CourseByIdLoader:
        return postgres.CourseByIdLoader(self._engine, self.viewer, self.saw_courses)

    @cached_property
    def course_by_content_id(self) -> postgres.CourseByContentIdLoader:
        return postgres.CourseByContentIdLoader(self._engine, self.viewer, self.saw_courses)

    @cached_property
    def quiz_attempt_by_id(self) -> postgres.QuizAttemptByIdLoader:
        return postgres.QuizAttemptByIdLoader(self._engine)

    @cached_property
    def viewer_progress_by_lesson(self) -> postgres.ViewerProgressByLessonLoader:
        """The signed-in viewer's progress (callers check that someone is signed in)."""
        if self.viewer.user_id is None:
            raise RuntimeError("no viewer progress for a signed-out request")
        return postgres.ViewerProgressByLessonLoader(self._engine, self.viewer.user_id)

    @cached_property
    def progress_by_user_course(self) -> postgres.LessonProgressByUserCourseLoader:
        return postgres.LessonProgressByUserCourseLoader(self._engine)

    @cached_property
    def enrollment_by_user_course(self) -> postgres.EnrollmentByUserCourseLoader:
        return postgres.EnrollmentByUserCourseLoader(self._engine)

    @cached_property
    def stats_by_user_id(self) -> postgres.UserStatsByUserIdLoader:
        return postgres.UserStatsByUserIdLoader(self._engine)

    @cached_property
    def achievements_by_user_id(self) -> postgres.AchievementsByUserIdLoader:
        return postgres.AchievementsByUserIdLoader(self._engine)

    @cached_property
    def share_links_by_course(self) -> sharing.ShareLinksByCourseLoader:
        return sharing.ShareLinksByCourseLoader(self._engine)

    @cached_property
    def course_content_by_id(self) -> mongo.CourseContentByIdLoader:
        return mongo.CourseContentByIdLoader(self._db, self.viewer, self.course_by_content_id)

    @cached_property
    def course_summary_by_id(self) -> mongo.CourseSummaryByIdLoader:
        return mongo.CourseSummaryByIdLoader(self._db, self.viewer, self.course_by_content_id)

    @cached_property
    def lesson_by_id(self) -> mongo.LessonByIdLoader:
        return mongo.LessonByIdLoader(self._db, self.viewer, self.course_by_content_id)

    @cached_property
    def lesson_body_by_id(self) -> mongo.LessonBodyByIdLoader:
        return mongo.LessonBodyByIdLoader(self._db, self.viewer, self.course_by_content_id)

    @cached_property
    def quiz_by_id(self) -> mongo.QuizByIdLoader:
        return mongo.QuizByIdLoader(self._db, self.viewer, self.course_by_content_id)

    @cached_property
    def quizzes_of_question(self) -> mongo.QuizzesOfQuestionLoader:
        return mongo.QuizzesOfQuestionLoader(self._db, self.viewer, self.course_by_content_id, self.quiz_by_id)

    @cached_property
    def question_by_id(self) -> mongo.QuestionByIdLoader:
        return mongo.QuestionByIdLoader(self.member_question_by_id, self.quizzes_of_question)

    @cached_property
    def member_question_by_id(self) -> mongo.MemberQuestionByIdLoader:
        return mongo.MemberQuestionByIdLoader(self._db)

    @cached_property
    def submitted_attempt_by_user_quiz(self) -> postgres.SubmittedAttemptByUserQuizLoader:
        return postgres.SubmittedAttemptByUserQuizLoader(self._engine)

    @cached_property
    def question_answer_by_id(self) -> mongo.QuestionAnswerByIdLoader:
        return mongo.QuestionAnswerByIdLoader(self._db)

    @cached_property
    def quiz_attempt_details_by_id(self) -> mongo.QuizAttemptDetailsByIdLoader:
        return mongo.QuizAttemptDetailsByIdLoader(self._db)
