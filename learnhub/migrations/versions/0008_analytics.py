"""Learning analytics: monthly-partitioned events and daily rollups.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:40:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Partitions live here, so tools that list the public schema (and Alembic's comparison) see only
# the partitioned parent.
PARTITIONS = "analytics_partitions"


def _month(day: date, ahead: int) -> date:
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


def upgrade() -> None:
    # SQLAlchemy cannot declare a partitioned table's partitions; the parent is written out so
    # it matches learnhub/datasources/postgres/tables.py `analytics_events` column for column.
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTITIONS}")
    op.execute(
        """
        CREATE TABLE analytics_events (
            id uuid NOT NULL,
            name varchar(64) NOT NULL,
            source varchar(8) NOT NULL,
            user_id uuid,
            course_id varchar(200),
            entity_id varchar(200),
            occurred_at timestamptz NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            clamped boolean NOT NULL DEFAULT false,
            value double precision,
            context jsonb NOT NULL DEFAULT '{}'::jsonb,
            CONSTRAINT pk_analytics_events PRIMARY KEY (id, occurred_at),
            CONSTRAINT ck_analytics_events_source CHECK (source IN ('client', 'server'))
        ) PARTITION BY RANGE (occurred_at)
        """
    )
    op.execute("CREATE INDEX ix_analytics_events_occurred_at ON analytics_events (occurred_at)")
    op.execute("CREATE INDEX ix_analytics_events_user_id_occurred_at ON analytics_events (user_id, occurred_at)")
    # Rows outside every monthly partition land here rather than fail; the worker moves them
    # into their month when it creates it (learnhub/analytics/partitions.py).
    op.execute(f"CREATE TABLE {PARTITIONS}.analytics_events_default PARTITION OF analytics_events DEFAULT")
    # The current and next month, so a fresh database takes events before the worker first runs.
    today = datetime.now(UTC).date()
    for ahead in (0, 1):
        start, end = _month(today, ahead), _month(today, ahead + 1)
        op.execute(
            f"CREATE TABLE {PARTITIONS}.analytics_events_{start:%Y_%m} PARTITION OF analytics_events "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    op.create_table(
        "analytics_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("active_learners", sa.Integer(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("median_seconds", sa.Float(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('platform', 'course', 'lesson', 'quiz', 'question')", name=op.f("ck_analytics_daily_kind")
        ),
        sa.PrimaryKeyConstraint("course_id", "kind", "entity_id", "day", name=op.f("pk_analytics_daily")),
    )
    op.create_index("ix_analytics_daily_day_kind", "analytics_daily", ["day", "kind"], unique=False)
    op.create_table(
        "analytics_lesson_reach",
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", "lesson_id", "user_id", name=op.f("pk_analytics_lesson_reach")),
    )
    op.create_index("ix_analytics_lesson_reach_user_id", "analytics_lesson_reach", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_analytics_lesson_reach_user_id", table_name="analytics_lesson_reach")
    op.drop_table("analytics_lesson_reach")
    op.drop_index("ix_analytics_daily_day_kind", table_name="analytics_daily")
    op.drop_table("analytics_daily")
    op.execute("DROP TABLE analytics_events")  # its partitions with it
    # Detached partitions (learnhub/analytics/partitions.py) are plain tables in this schema.
    op.execute(f"DROP SCHEMA {PARTITIONS} CASCADE")
