"""read-only wallboard links for wall screens

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'wall_kiosks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=60), nullable=False),
        sa.Column('made_by', sa.String(length=20), nullable=False),
        sa.Column('agents', sa.Text(), nullable=False),
        sa.Column('queues', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_sha256'),
    )
    with op.batch_alter_table('wall_kiosks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wall_kiosks_made_by'), ['made_by'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wall_kiosks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wall_kiosks_made_by'))
    op.drop_table('wall_kiosks')
