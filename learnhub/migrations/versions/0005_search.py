"""Search: embedding models, lesson chunks with pgvector embeddings, the spelling vocabulary.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.create_table(
        "embedding_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embedding_models")),
        sa.UniqueConstraint("name", name="uq_embedding_models_name"),
    )
    op.create_table(
        "lesson_chunks",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("heading_path", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("embedding", Vector(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["embedding_models.id"],
            name=op.f("fk_lesson_chunks_model_id_embedding_models"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "lesson_id", "position", name=op.f("pk_lesson_chunks")),
    )
    op.create_index("ix_lesson_chunks_course_id", "lesson_chunks", ["course_id"], unique=False)
    op.create_index("ix_lesson_chunks_lesson_id", "lesson_chunks", ["lesson_id"], unique=False)
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    op.create_index(
        "ix_search_terms_term_trgm",
        "search_terms",
        ["term"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
    )
    for statement in NOTIFY:  # one statement per call: asyncpg prepares each
        op.execute(statement)


# The worker LISTENs on this channel, so an event is handled when its transaction commits
# instead of at the next poll (the poll stays, for events due later and as a fallback). A
# statement trigger costs the writer no extra round trip.
NOTIFY = (
    """
    CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('outbox_events', '');
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox()",
)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION IF EXISTS notify_outbox()")
    op.drop_index("ix_search_terms_term_trgm", table_name="search_terms", postgresql_using="gin")
    op.drop_table("search_terms")
    op.drop_index("ix_lesson_chunks_lesson_id", table_name="lesson_chunks")
    op.drop_index("ix_lesson_chunks_course_id", table_name="lesson_chunks")
    op.drop_table("lesson_chunks")
    op.drop_table("embedding_models")
