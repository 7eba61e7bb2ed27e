"""Files and sharing: uploaded documents' metadata, public share links.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=True),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("multipart_upload_id", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('lesson_attachment', 'avatar', 'assignment')", name=op.f("ck_documents_purpose")),
        sa.CheckConstraint("status IN ('pending', 'ready', 'rejected', 'deleted')", name=op.f("ck_documents_status")),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_documents_size")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_documents_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("object_key", name="uq_documents_object_key"),
    )
    op.create_index("ix_documents_entity_id_purpose", "documents", ["entity_id", "purpose"], unique=False)
    op.create_index("ix_documents_owner_id_status", "documents", ["owner_id", "status"], unique=False)
    op.create_index("ix_documents_status_created_at", "documents", ["status", "created_at"], unique=False)
    op.create_table(
        "share_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("visibility", sa.String(length=16), server_default="preview", nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("use_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("entity IN ('course', 'lesson', 'quiz')", name=op.f("ck_share_links_entity")),
        sa.CheckConstraint("max_uses IS NULL OR max_uses > 0", name=op.f("ck_share_links_max_uses")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_share_links_created_by_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name="uq_share_links_token_hash"),
    )
    op.create_index("ix_share_links_course_id_created_at", "share_links", ["course_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_share_links_course_id_created_at", table_name="share_links")
    op.drop_table("share_links")
    op.drop_index("ix_documents_status_created_at", table_name="documents")
    op.drop_index("ix_documents_owner_id_status", table_name="documents")
    op.drop_index("ix_documents_entity_id_purpose", table_name="documents")
    op.drop_table("documents")
