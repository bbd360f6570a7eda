"""staff: everyone who signs in, with hashed passwords and PINs

Revision ID: 0005
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('teams', sa.String(length=400), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('queues', sa.String(length=400), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('pin_hash', sa.String(length=200), nullable=True),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )


def downgrade() -> None:
    op.drop_table('staff')
