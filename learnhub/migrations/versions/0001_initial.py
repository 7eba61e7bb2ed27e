"""Users, profiles, courses, enrollments, lesson progress and quiz attempts.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 07:46:48.549678
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=16), server_default='student', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('student', 'instructor', 'admin')", name=op.f('ck_users_role')),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name='uq_users_email')
    )
    op.create_index('ix_users_created_at', 'users', ['created_at'], unique=False)
    op.create_table('courses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('content_id', sa.String(length=200), nullable=False),
    sa.Column('instructor_id', sa.Uuid(), nullable=True),
    sa.Column('level', sa.String(length=16), server_default='beginner', nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('published', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('price_cents', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("content_id LIKE 'course:%'", name=op.f('ck_courses_content_id')),
    sa.CheckConstraint("level IN ('beginner', 'intermediate', 'advanced')", name=op.f('ck_courses_level')),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_courses_price')),
    sa.ForeignKeyConstraint(['instructor_id'], ['users.id'], name=op.f('fk_courses_instructor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('content_id', name='uq_courses_content_id')
    )
    op.create_index('ix_courses_created_at', 'courses', ['created_at'], unique=False)
    op.create_index('ix_courses_instructor_id', 'courses', ['instructor_id'], unique=False)
    op.create_index('ix_courses_published_id', 'courses', ['published', 'id'], unique=False)
    op.create_index('ix_courses_tags', 'courses', ['tags'], unique=False, postgresql_using='gin')
    op.create_table('user_profiles',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('avatar_url', sa.Text(), nullable=True),
    sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_profiles'))
    )
    op.create_index('ix_user_profiles_created_at', 'user_profiles', ['created_at'], unique=False)
    op.create_table('enrollments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('active', 'completed', 'cancelled')", name=op.f('ck_enrollments_status')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_enrollments_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enrollments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('user_id', 'course_id', name='uq_enrollments_user_course')
    )
    op.create_index('ix_enrollments_course_id', 'enrollments', ['course_id'], unique=False)
    op.create_index('ix_enrollments_created_at', 'enrollments', ['created_at'], unique=False)
    op.create_index('ix_enrollments_user_id_id', 'enrollments', ['user_id', 'id'], unique=False)
    op.create_table('lesson_progress',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('lesson_content_id', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Float(), server_default=sa.text('0'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("lesson_content_id LIKE 'lesson:%'", name=op.f('ck_lesson_progress_lesson_id')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_lesson_progress_position')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_lesson_progress_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_progress_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_progress')),
    sa.UniqueConstraint('user_id', 'lesson_content_id', name='uq_lesson_progress_user_lesson')
    )
    op.create_index('ix_lesson_progress_course_id', 'lesson_progress', ['course_id'], unique=False)
    op.create_index('ix_lesson_progress_created_at', 'lesson_progress', ['created_at'], unique=False)
    op.create_table('quiz_attempts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=True),
    sa.Column('quiz_content_id', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('max_score', sa.Float(), server_default=sa.text('0'), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('details_ref', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("quiz_content_id LIKE 'quiz:%'", name=op.f('ck_quiz_attempts_quiz_id')),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= max_score)', name=op.f('ck_quiz_attempts_score')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_quiz_attempts_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts'))
    )
    op.create_index('ix_quiz_attempts_course_id', 'quiz_attempts', ['course_id'], unique=False)
    op.create_index('ix_quiz_attempts_created_at', 'quiz_attempts', ['created_at'], unique=False)
    op.create_index('ix_quiz_attempts_quiz_content_id', 'quiz_attempts', ['quiz_content_id'], unique=False)
    op.create_index('ix_quiz_attempts_user_id_id', 'quiz_attempts', ['user_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_quiz_attempts_user_id_id', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_quiz_content_id', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_created_at', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_course_id', table_name='quiz_attempts')
    op.drop_table('quiz_attempts')
    op.drop_index('ix_lesson_progress_created_at', table_name='lesson_progress')
    op.drop_index('ix_lesson_progress_course_id', table_name='lesson_progress')
    op.drop_table('lesson_progress')
    op.drop_index('ix_enrollments_user_id_id', table_name='enrollments')
    op.drop_index('ix_enrollments_created_at', table_name='enrollments')
    op.drop_index('ix_enrollments_course_id', table_name='enrollments')
    op.drop_table('enrollments')
    op.drop_index('ix_user_profiles_created_at', table_name='user_profiles')
    op.drop_table('user_profiles')
    op.drop_index('ix_courses_tags', table_name='courses', postgresql_using='gin')
    op.drop_index('ix_courses_published_id', table_name='courses')
    op.drop_index('ix_courses_instructor_id', table_name='courses')
    op.drop_index('ix_courses_created_at', table_name='courses')
    op.drop_table('courses')
    op.drop_index('ix_users_created_at', table_name='users')
    op.drop_table('users')
