"""The SQL form of the course visibility rule (`CourseScope`) keeps exactly the courses that
`may_see_course` (auth/visibility.py) lets each viewer see, in every read that filters by it."""

from __future__ import annotations

import uuid

from sqlalchemy import insert

from learnhub.auth.viewer import ANONYMOUS, Viewer
from learnhub.auth.visibility import course_scope, may_see_course
from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import courses, enrollments, raw, users
from learnhub.datasources.postgres.pagination import PageRequest
from learnhub.datasources.postgres.raw import Args
from learnhub.datasources.postgres.tables import courses as course_table
from learnhub.datasources.stores import Stores
from tests.support.data import unique


async def _user(stores: Stores, role: str) -> uuid.UUID:
    email = f"{unique('scope')}@example.test"
    return await users.create_user(stores.engine, email=email, password_hash="-", display_name="Scope", role=role)


async def test_the_sql_rule_keeps_the_courses_may_see_course_keeps(live_stores: Stores) -> None:
    engine = live_stores.engine
    teacher, other_teacher, student = (
        await _user(live_stores, "instructor"),
        await _user(live_stores, "instructor"),
        await _user(live_stores, "student"),
    )
    ids = []
    async with engine.begin() as conn:
        for published in (True, False):
            for owner in (teacher, other_teacher, None):
                ids.append(uuid7())
                values = {"content_id": f"course:{unique('scope')}", "published": published, "instructor_id": owner}
                await conn.execute(insert(course_table).values(id=ids[-1], **values))
    for course_id in ids:
        await enrollments.enroll(engine, student, course_id)
    rows = await courses.courses_by_ids(engine, ids)
    viewers = {
        "anonymous": ANONYMOUS,
        "student": Viewer(user_id=student, role="student"),
        "teacher": Viewer(user_id=teacher, role="instructor"),
        "other teacher": Viewer(user_id=other_teacher, role="instructor"),
        "teacher made a student": Viewer(user_id=teacher, role="student"),
        "admin": Viewer(user_id=uuid7(), role="admin"),
    }
    for name, viewer in viewers.items():
        scope = course_scope(viewer)
        seen = {row["id"] for row in rows if may_see_course(viewer, row)}
        # The lists of a user's records (enrollments here; attempts share `user_rows`).
        page = await enrollments.enrollments_of_user(student, scope).page(engine, PageRequest(first=len(ids) + 1))
        assert {row["course_id"] for row in page.rows} == seen, name
        # The condition on an aliased courses row, as the vector search (chunks.py) uses it.
        args = Args(ids)
        condition = scope.condition("k", args) or "true"
        sql = raw.select("k.id", "courses k", "k.id = ANY($1::uuid[])", condition)
        aliased = await raw.fetch(engine, sql, *args.values)
        assert {row["id"] for row in aliased} == seen, name
        # The question bank's course lists.
        if not scope.everything:
            published, own = await courses.content_ids_visible_to(engine, scope.owner_id)
            ours = {row["content_id"]: row["id"] for row in rows}
            assert {ours[c] for c in {*published, *own} if c in ours} == seen, name
