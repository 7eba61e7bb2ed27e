"""Outbox, achievements and their rules, activity days, the user_stats materialized view.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 08:50:42.590545
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

USER_STATS = """
CREATE MATERIALIZED VIEW user_stats AS
WITH attempts AS (
    SELECT user_id,
           count(DISTINCT quiz_content_id) FILTER (WHERE passed) AS quizzes_passed,
           avg(100.0 * score / NULLIF(max_score, 0)) FILTER (WHERE finished_at IS NOT NULL) AS average_score
    FROM quiz_attempts GROUP BY user_id
), completed AS (
    SELECT user_id, count(*) AS courses_completed FROM enrollments WHERE status = 'completed' GROUP BY user_id
), earned AS (
    SELECT ua.user_id, sum(a.xp) AS xp
    FROM user_achievements ua JOIN achievements a ON a.id = ua.achievement_id GROUP BY ua.user_id
), runs AS (
    SELECT user_id, day, day - (row_number() OVER (PARTITION BY user_id ORDER BY day))::int AS run
    FROM activity_days
), latest_run AS (
    SELECT DISTINCT ON (user_id) user_id, max(day) AS last_day, count(*) AS days
    FROM runs GROUP BY user_id, run ORDER BY user_id, max(day) DESC
)
SELECT u.id AS user_id,
       coalesce(c.courses_completed, 0)::int AS courses_completed,
       coalesce(a.quizzes_passed, 0)::int AS quizzes_passed,
       a.average_score::float8 AS average_score,
       (coalesce(e.xp, 0) + 10 * coalesce(a.quizzes_passed, 0) + 50 * coalesce(c.courses_completed, 0))::int AS xp,
       r.last_day AS streak_last_day,
       coalesce(r.days, 0)::int AS streak_days,
       now() AS refreshed_at
FROM users u
LEFT JOIN attempts a ON a.user_id = u.id
LEFT JOIN completed c ON c.user_id = u.id
LEFT JOIN earned e ON e.user_id = u.id
LEFT JOIN latest_run r ON r.user_id = u.id
"""

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('achievements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('xp', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('rule', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_achievements')),
    sa.UniqueConstraint('code', name='uq_achievements_code')
    )
    op.create_table('activity_days',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_days_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_activity_days'))
    )
    op.create_table('outbox_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_events'))
    )
    op.create_index('ix_outbox_events_pending', 'outbox_events', ['available_at'], unique=False, postgresql_where=sa.text('processed_at IS NULL AND failed_at IS NULL'))
    op.create_index('ix_outbox_events_user_id', 'outbox_events', ['user_id'], unique=False)
    op.create_table('user_achievements',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('achievement_id', sa.Uuid(), nullable=False),
    sa.Column('awarded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['achievement_id'], ['achievements.id'], name=op.f('fk_user_achievements_achievement_id_achievements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_achievements_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_achievements')),
    sa.UniqueConstraint('user_id', 'achievement_id', name='uq_user_achievements_user_achievement')
    )
    achievements = sa.table(
        'achievements',
        sa.column('id', sa.Uuid()), sa.column('code', sa.String()), sa.column('title', sa.String()),
        sa.column('description', sa.Text()), sa.column('xp', sa.Integer()),
        sa.column('rule', postgresql.JSONB()),
    )
    op.bulk_insert(achievements, [
        {'id': uuid.UUID('00000000-0000-7000-8000-000000000001'), 'code': 'first-quiz-passed',
         'title': 'First quiz passed', 'description': 'Pass any quiz.', 'xp': 50,
         'rule': {'kind': 'quizzes_passed', 'at_least': 1}},
        {'id': uuid.UUID('00000000-0000-7000-8000-000000000002'), 'code': 'perfect-score',
         'title': 'Perfect score', 'description': 'Answer every question of a quiz correctly.', 'xp': 100,
         'rule': {'kind': 'perfect_score'}},
        {'id': uuid.UUID('00000000-0000-7000-8000-000000000003'), 'code': 'course-completed',
         'title': 'Course completed', 'description': 'Complete every lesson of a course.', 'xp': 200,
         'rule': {'kind': 'courses_completed', 'at_least': 1}},
        {'id': uuid.UUID('00000000-0000-7000-8000-000000000004'), 'code': 'seven-day-streak',
         'title': '7-day streak', 'description': 'Learn on seven days in a row.', 'xp': 150,
         'rule': {'kind': 'streak_days', 'at_least': 7}},
    ])
    # Stats per user, refreshed by the worker after it drains events. The streak is stored as
    # the latest run of consecutive activity days; whether it is still current (ends today or
    # yesterday) is decided when it is read.
    op.execute(USER_STATS)
    op.execute('CREATE UNIQUE INDEX ix_user_stats_user_id ON user_stats (user_id)')


def downgrade() -> None:
    op.execute('DROP MATERIALIZED VIEW user_stats')
    op.drop_table('user_achievements')
    op.drop_index('ix_outbox_events_user_id', table_name='outbox_events')
    op.drop_index('ix_outbox_events_pending', table_name='outbox_events', postgresql_where=sa.text('processed_at IS NULL AND failed_at IS NULL'))
    op.drop_table('outbox_events')
    op.drop_table('activity_days')
    op.drop_table('achievements')
