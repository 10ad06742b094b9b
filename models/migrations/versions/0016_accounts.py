"""per-person accounts (issue 16): name, roles, key slot, disabled

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('roles', sa.String(length=200), nullable=False),
        sa.Column('slot_id', sa.String(length=60), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.String(length=40), nullable=False),
        sa.Column('password_changed_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('account')
