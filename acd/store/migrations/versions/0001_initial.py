"""customers, numbers, accounts, interactions

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('segment', sa.String(length=20), nullable=False),
        sa.Column('vip', sa.Boolean(), nullable=False),
        sa.Column('date_of_birth', sa.Date(), nullable=True),
        sa.Column('postcode', sa.String(length=10), nullable=True),
        sa.Column('pin_hash', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('last_payment_euros', sa.Integer(), nullable=True),
        sa.Column('last_payment_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_customer_id'), ['customer_id'], unique=False)

    op.create_table(
        'interactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('linkedid', sa.String(length=64), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('caller_number', sa.String(length=16), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('category', sa.String(length=40), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('account_number', sa.String(length=20), nullable=True),
        sa.Column('verification', sa.String(length=20), nullable=True),
        sa.Column('ivr_steps', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ['customer_id'],
            ['customers.id'],
        ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('linkedid'),
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interactions_customer_id'), ['customer_id'], unique=False)

    op.create_table(
        'phone_numbers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=16), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number', 'customer_id'),
    )
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_numbers_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_numbers_number'), ['number'], unique=False)

    op.create_table(
        'dispositions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('agent', sa.String(length=20), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispositions_interaction_id'), ['interaction_id'], unique=False)

    op.create_table(
        'interaction_segments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('interaction_segments', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_interaction_segments_interaction_id'), ['interaction_id'], unique=False
        )

    op.create_table(
        'ivr_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('ivr_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ivr_answers_interaction_id'), ['interaction_id'], unique=False)

    op.create_table(
        'notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        sa.Column('agent', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['interaction_id'], ['interactions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_interaction_id'), ['interaction_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_interaction_id'))

    op.drop_table('notes')
    with op.batch_alter_table('ivr_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ivr_answers_interaction_id'))

    op.drop_table('ivr_answers')
    with op.batch_alter_table('interaction_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_segments_interaction_id'))

    op.drop_table('interaction_segments')
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispositions_interaction_id'))

    op.drop_table('dispositions')
    with op.batch_alter_table('phone_numbers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_numbers_number'))
        batch_op.drop_index(batch_op.f('ix_phone_numbers_customer_id'))

    op.drop_table('phone_numbers')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interactions_customer_id'))

    op.drop_table('interactions')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_customer_id'))

    op.drop_table('accounts')
    op.drop_table('customers')
