"""journal_snapshots: checkpoints of the read model, so a restart folds only the journal's tail

Revision ID: 0010
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'journal_snapshots',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('taken_at', sa.Float(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
    )
    with op.batch_alter_table('journal_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_snapshots_taken_at'), ['taken_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('journal_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_snapshots_taken_at'))
    op.drop_table('journal_snapshots')
