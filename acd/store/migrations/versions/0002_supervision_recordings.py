"""supervision sessions (audit) and recordings (index)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'supervision_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session', sa.String(length=40), nullable=False),
        sa.Column('supervisor', sa.String(length=20), nullable=False),
        sa.Column('agent', sa.String(length=20), nullable=False),
        sa.Column('origin', sa.String(length=10), nullable=False),
        sa.Column('linkedid', sa.String(length=64), nullable=True),
        sa.Column('interaction_id', sa.Integer(), nullable=True),
        sa.Column('modes', sa.String(length=200), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('spy_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session'),
    )
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_sessions_supervisor'), ['supervisor'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_sessions_agent'), ['agent'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_sessions_linkedid'), ['linkedid'], unique=False)

    op.create_table(
        'recordings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('take', sa.String(length=40), nullable=False),
        sa.Column('linkedid', sa.String(length=64), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=True),
        sa.Column('agent', sa.String(length=20), nullable=False),
        sa.Column('queue', sa.String(length=40), nullable=False),
        sa.Column('path', sa.String(length=255), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('duration_s', sa.Float(), nullable=True),
        sa.Column('paused_s', sa.Float(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('take'),
    )
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recordings_linkedid'), ['linkedid'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_interaction_id'), ['interaction_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_agent'), ['agent'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    op.drop_table('recordings')
    op.drop_table('supervision_sessions')
