"""suggestion 领域 (follows the case unless set) and the reply period set by the 建议书

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('domain', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reply_period_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_column('reply_period_days')
        batch_op.drop_column('domain')
