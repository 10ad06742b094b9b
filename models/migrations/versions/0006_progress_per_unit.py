"""progress per reporting unit; unit aliases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('progress_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('unit_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('review', sa.String(length=20), nullable=False, server_default=''))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('aliases')
    with op.batch_alter_table('progress_entry', schema=None) as batch_op:
        batch_op.drop_column('review')
        batch_op.drop_column('unit_id')
        batch_op.drop_column('unit_name')
