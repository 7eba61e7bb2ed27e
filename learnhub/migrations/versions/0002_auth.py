"""Refresh-token sessions, trusted documents, disabled accounts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:04:50.979005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('trusted_documents',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('client_name', sa.String(length=100), nullable=False),
    sa.Column('operation_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_trusted_documents'))
    )
    op.create_table('auth_refresh_tokens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('family_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), server_default='', nullable=False),
    sa.Column('ip', sa.String(length=64), server_default='', nullable=False),
    sa.Column('family_created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name='uq_auth_refresh_tokens_token_hash')
    )
    op.create_index('ix_auth_refresh_tokens_expires_at', 'auth_refresh_tokens', ['expires_at'], unique=False)
    op.create_index('ix_auth_refresh_tokens_family_id', 'auth_refresh_tokens', ['family_id'], unique=False)
    op.create_index('ix_auth_refresh_tokens_user_id_created_at', 'auth_refresh_tokens', ['user_id', 'created_at'], unique=False)
    op.add_column('users', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'disabled_at')
    op.drop_index('ix_auth_refresh_tokens_user_id_created_at', table_name='auth_refresh_tokens')
    op.drop_index('ix_auth_refresh_tokens_family_id', table_name='auth_refresh_tokens')
    op.drop_index('ix_auth_refresh_tokens_expires_at', table_name='auth_refresh_tokens')
    op.drop_table('auth_refresh_tokens')
    op.drop_table('trusted_documents')
