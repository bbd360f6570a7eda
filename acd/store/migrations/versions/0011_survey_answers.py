"""survey_answers: the caller's post-call rating (1-5 per question) on the interaction

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'survey_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('agent', sa.String(length=20), nullable=False),
        sa.Column('queue', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('interaction_id', 'question'),
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_survey_answers_interaction_id'), ['interaction_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_interaction_id'))
    op.drop_table('survey_answers')
