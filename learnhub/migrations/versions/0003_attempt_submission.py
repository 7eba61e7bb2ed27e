"""Quiz attempts: submission key, deadline, quiz version.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:44:29.925316
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('quiz_attempts', sa.Column('submit_key', sa.String(length=100), nullable=True))
    op.add_column('quiz_attempts', sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('quiz_attempts', sa.Column('quiz_version', sa.Integer(), server_default=sa.text('1'), nullable=False))


def downgrade() -> None:
    op.drop_column('quiz_attempts', 'quiz_version')
    op.drop_column('quiz_attempts', 'deadline_at')
    op.drop_column('quiz_attempts', 'submit_key')
