"""Payments and subscriptions: prices, plans, payments, subscriptions, provider events.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("now()")


def _ts(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _created(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=_NOW, nullable=False)


def upgrade() -> None:
    op.add_column("courses", sa.Column("currency", sa.String(length=3), server_default="usd", nullable=False))
    op.drop_constraint(op.f("ck_enrollments_status"), "enrollments", type_="check")
    op.create_check_constraint(
        op.f("ck_enrollments_status"), "enrollments", "status IN ('active', 'completed', 'cancelled', 'suspended')"
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="usd", nullable=False),
        sa.Column("all_courses", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("provider_plan_id", sa.String(length=100), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        _created("created_at"),
        sa.CheckConstraint("interval IN ('month', 'year')", name=op.f("ck_plans_interval")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_plans_amount")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("code", name="uq_plans_code"),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=True),
        sa.Column("client_secret", sa.Text(), nullable=True),
        _created("created_at"),
        _created("updated_at"),
        _ts("succeeded_at"),
        _ts("refunded_at"),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed', 'refunded')", name=op.f("ck_payments_status")),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_payments_amount")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_payments_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_payments_course_id_courses"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_payments_plan_id_plans"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_payments_user_key"),
        sa.UniqueConstraint("provider_ref", name="uq_payments_provider_ref"),
    )
    op.create_index("ix_payments_user_id_id", "payments", ["user_id", "id"], unique=False)
    op.create_index("ix_payments_course_id", "payments", ["course_id"], unique=False)
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="incomplete", nullable=False),
        sa.Column("provider_ref", sa.String(length=100), nullable=False),
        sa.Column("provider_customer_id", sa.String(length=100), nullable=True),
        _ts("current_period_end"),
        sa.Column("cancel_at_period_end", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _ts("state_at"),
        _created("created_at"),
        _created("updated_at"),
        sa.CheckConstraint(
            "status IN ('incomplete', 'active', 'past_due', 'canceled')", name=op.f("ck_subscriptions_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_subscriptions_plan_id_plans"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("provider_ref", name="uq_subscriptions_provider_ref"),
    )
    op.create_index("ix_subscriptions_user_id", "subscriptions", ["user_id"], unique=False)
    op.create_table(
        "provider_events",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _ts("occurred_at", nullable=False),
        _created("received_at"),
        _ts("applied_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_events")),
    )
    op.create_index(
        "ix_provider_events_parked_ref",
        "provider_events",
        ["ref"],
        unique=False,
        postgresql_where=sa.text("applied_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_provider_events_parked_ref", table_name="provider_events")
    op.drop_table("provider_events")
    op.drop_index("ix_subscriptions_user_id", table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_index("ix_payments_course_id", table_name="payments")
    op.drop_index("ix_payments_user_id_id", table_name="payments")
    op.drop_table("payments")
    op.drop_table("plans")
    # Suspended enrollments become cancelled: the older schema has no state that keeps progress
    # without access.
    op.execute("UPDATE enrollments SET status = 'cancelled' WHERE status = 'suspended'")
    op.drop_constraint(op.f("ck_enrollments_status"), "enrollments", type_="check")
    op.create_check_constraint(
        op.f("ck_enrollments_status"), "enrollments", "status IN ('active', 'completed', 'cancelled')"
    )
    op.drop_column("courses", "currency")
